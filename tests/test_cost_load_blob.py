"""`estate cost load` from Azure Blob Storage, through the real azure-storage-blob client against Azurite."""

from __future__ import annotations

import json

import pytest

from tests.azurite_server import azurite  # noqa: F401  (the fixture)
from tests.cost_helpers import FOCUS_HEADER, focus_row, load, store_checksums, summary, write_focus_export

pytestmark = pytest.mark.integration


def _upload_folder(azurite_server, container: str, folder, prefix: str) -> None:
    from azure.storage.blob import BlobServiceClient

    service = BlobServiceClient.from_connection_string(azurite_server.connection_string)
    client = service.create_container(container)
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = f"{prefix}/{path.relative_to(folder).as_posix()}"
        with path.open("rb") as handle:
            client.upload_blob(name, handle)


def _exports(tmp_path):
    exports = tmp_path / "exports"
    write_focus_export(exports, "council-focus", "2025-05-01..2025-05-31", "run-1", "2025-06-01T02:00:00Z",
                       [focus_row("100.25", "2025-05-01") + focus_row("0.75", "2025-05-31", region="uks"),
                        focus_row("50", "2025-05-15", line="platform")], FOCUS_HEADER)
    return exports


def test_focus_export_in_a_container_loads_through_the_blob_client(azurite, tmp_path):  # noqa: F811
    exports = _exports(tmp_path)
    _upload_folder(azurite, "cost-exports", exports, "exports/focus")
    url = f"{azurite.account_url}/cost-exports/exports/focus"
    store = tmp_path / "store"

    result = load(url, store, "--connection-string", azurite.connection_string, "--format", "json")

    assert result.exit_code == 0, result.output
    sources = json.loads(result.stdout)["sources"]
    name = f"council-focus/2025-05-01..2025-05-31 at {url}/council-focus/20250501-20250531"  # holds the run folder
    assert [(s["source"], s["rows_stored"], s["months"]) for s in sources] == [(name, 3, {"2025-05": 3})]
    report = summary(store, "business-case-line")
    assert [(r["business-case-line"], r["billed_cost"]) for r in report["rows"]] == [
        ("azure-run", "101"), ("platform", "50")]
    from costing.actuals.store import read_manifest, relation

    entry = read_manifest(store)["sources"][name]
    assert entry["origin"].startswith(url) and entry["origin"].endswith("manifest.json")
    assert relation(store).aggregate("min(x_SourceFile)").fetchall()[0][0].startswith(url)
    assert relation(store).aggregate("list(DISTINCT RegionId)").fetchall()[0][0] == ["uksouth"]


def test_the_same_export_from_blob_and_from_disk_is_loaded_once(azurite, tmp_path):  # noqa: F811
    exports = _exports(tmp_path)
    _upload_folder(azurite, "cost-exports", exports, "focus")
    store = tmp_path / "store"
    assert load(exports, store).exit_code == 0
    before = store_checksums(store)

    again = load(f"{azurite.account_url}/cost-exports/focus", store, "--connection-string",
                 azurite.connection_string)

    assert again.exit_code == 0 and "unchanged" in again.stdout
    assert store_checksums(store) == before


def test_a_missing_container_is_a_clear_error(azurite, tmp_path):  # noqa: F811
    result = load(f"{azurite.account_url}/no-such-container/exports", tmp_path / "store",
                  "--connection-string", azurite.connection_string)

    assert result.exit_code == 2
    assert "cannot read the container" in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "store").exists()


def _upload(azurite_server, container: str, name: str, data: bytes) -> None:
    from azure.storage.blob import BlobServiceClient

    service = BlobServiceClient.from_connection_string(azurite_server.connection_string)
    client = service.get_container_client(container)
    if not client.exists():
        client.create_container()
    client.upload_blob(name, data, overwrite=True)


def _daily_runs(tmp_path):
    """Three daily runs of one month-to-date export (each in its own run folder) and a loose file."""
    exports = tmp_path / "exports"
    for day in (1, 2, 3):
        rows = "".join(focus_row("10", f"2025-06-{d:02d}") for d in range(1, day + 1))
        write_focus_export(exports, "council-focus", "2025-06-01..2025-06-30", f"run-{day}",
                           f"2025-06-{day + 1:02d}T02:00:00Z", [rows], FOCUS_HEADER)
    (exports / "adjustments.csv").write_text(FOCUS_HEADER + "\n" + focus_row("5", "2025-06-02", line="platform"))
    return exports


def test_only_the_latest_run_is_downloaded_and_unchanged_blobs_not_at_all(azurite, tmp_path):  # noqa: F811
    from costing.actuals.load import loaded_blob_etags
    from costing.actuals.sources.blob import download_exports
    from costing.actuals.store import read_manifest

    _upload_folder(azurite, "cost-exports", _daily_runs(tmp_path), "focus")
    url = f"{azurite.account_url}/cost-exports/focus"
    store = tmp_path / "store"
    name = f"council-focus/2025-06-01..2025-06-30 at {url}/council-focus/20250601-20250630"

    first = download_exports(url, tmp_path / "first", azurite.connection_string, loaded_blob_etags(store))
    assert first.downloaded == 2  # the latest run's one part and the loose file, not runs 1 and 2
    assert not list((tmp_path / "first").rglob("run-1/*")) and not list((tmp_path / "first").rglob("run-2/*"))
    assert len(first.notes[name]) == 2 and first.unchanged == []

    result = load(url, store, "--connection-string", azurite.connection_string, "--format", "json")
    assert result.exit_code == 0, result.output
    loaded = {s["source"]: s for s in json.loads(result.stdout)["sources"]}
    run = loaded[name]
    assert run["status"] == "loaded" and run["rows_stored"] == 3  # run 3: three days to date
    assert sum("ignored an earlier run" in note for note in run["notes"]) == 2
    recorded = read_manifest(store)["sources"][name]["blobs"]
    assert len(recorded) == 2 and all(key.startswith(url) for key in recorded)  # its manifest and its part
    before = store_checksums(store)

    # Nothing changed in the container: nothing is downloaded, both sources are unchanged, the store as it was.
    second = download_exports(url, tmp_path / "second", azurite.connection_string, loaded_blob_etags(store))
    assert second.downloaded == 0 and not [p for p in (tmp_path / "second").rglob("*") if p.is_file()]
    again = load(url, store, "--connection-string", azurite.connection_string, "--format", "json")
    assert again.exit_code == 0, again.output
    assert {s["source"]: s["status"] for s in json.loads(again.stdout)["sources"]} == {
        name: "unchanged", f"{url}/adjustments.csv": "unchanged"}
    assert store_checksums(store) == before

    # The loose file is rewritten and a fourth run lands: just those are fetched, and replace what they were.
    _upload(azurite, "cost-exports", "focus/adjustments.csv",
            (FOCUS_HEADER + "\n" + focus_row("7", "2025-06-02", line="platform")).encode())
    run_four = tmp_path / "run-four"
    write_focus_export(run_four, "council-focus", "2025-06-01..2025-06-30", "run-4", "2025-06-05T02:00:00Z",
                       ["".join(focus_row("10", f"2025-06-{d:02d}") for d in range(1, 5))], FOCUS_HEADER)
    _upload_folder_into(azurite, "cost-exports", run_four, "focus")
    third = download_exports(url, tmp_path / "third", azurite.connection_string, loaded_blob_etags(store))
    assert third.downloaded == 2 and third.unchanged == []
    result = load(url, store, "--connection-string", azurite.connection_string, "--format", "json")
    assert result.exit_code == 0, result.output
    assert {(r["business-case-line"], r["billed_cost"]) for r in summary(store, "business-case-line")["rows"]} == {
        ("azure-run", "40"), ("platform", "7")}


def _upload_folder_into(azurite_server, container: str, folder, prefix: str) -> None:
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        _upload(azurite_server, container, f"{prefix}/{path.relative_to(folder).as_posix()}", path.read_bytes())


JUNE = "2025-06-01..2025-06-30"


def _june_run(folder, rows: int, run_id: str = "run-1", submitted: str = "2025-06-02T02:00:00Z",
              cost: str = "1"):
    write_focus_export(folder, "council-focus", JUNE, run_id, submitted,
                       ["".join(focus_row(cost, "2025-06-01", resource=f"vm-{i}") for i in range(rows))],
                       FOCUS_HEADER)
    return folder


def _statuses(result) -> dict[str, tuple[str, int]]:
    assert result.exit_code == 0, result.output
    return {s["source"]: (s["status"], s["rows_stored"]) for s in json.loads(result.stdout)["sources"]}


def test_two_exports_with_the_same_name_in_two_containers_or_folders_are_both_kept(azurite, tmp_path):  # noqa: F811
    north, south = _june_run(tmp_path / "north", 20), _june_run(tmp_path / "south", 10, cost="2")
    _upload_folder(azurite, "team-a", north, "focus")
    _upload_folder(azurite, "team-b", south, "focus")
    _upload_folder_into(azurite, "both", north, "north")
    _upload_folder_into(azurite, "both", south, "south")
    urls = [f"{azurite.account_url}/{container}/focus" for container in ("team-a", "team-b")]
    store, other = tmp_path / "store", tmp_path / "store-2"
    key = ("--connection-string", azurite.connection_string, "--format", "json")

    first, second = [_statuses(load(url, store, *key)) for url in urls]
    assert summary(store)["total"] == {"billed_cost": "40", "effective_cost": "40", "rows": 30}
    assert first == {f"council-focus/{JUNE} at {urls[0]}/council-focus/20250601-20250630": ("loaded", 20)}
    assert list(second.values()) == [("loaded", 10)]
    together = _statuses(load(f"{azurite.account_url}/both", other, *key))  # two folders of one container
    assert sorted(together.values()) == [("loaded", 10), ("loaded", 20)]
    assert summary(other)["total"]["rows"] == 30
    before = store_checksums(store)
    assert all(status == "unchanged" for url in urls for status, _ in _statuses(load(url, store, *key)).values())
    assert store_checksums(store) == before


def test_a_blob_store_written_by_the_previous_version_reloads_without_doubling_its_runs(azurite, tmp_path):  # noqa: F811
    from tests.cost_helpers import as_the_previous_version_wrote_it

    _upload_folder(azurite, "cost-exports", _june_run(tmp_path / "north", 20), "focus")
    url = f"{azurite.account_url}/cost-exports/focus"
    store = tmp_path / "store"
    key = ("--connection-string", azurite.connection_string, "--format", "json")
    assert load(url, store, *key).exit_code == 0
    as_the_previous_version_wrote_it(store, f"council-focus/{JUNE}")
    before = store_checksums(store)

    assert [status for status, _ in _statuses(load(url, store, *key)).values()] == ["unchanged"]
    assert store_checksums(store) == before
    _upload_folder_into(azurite, "cost-exports", _june_run(tmp_path / "next", 25, "run-2", "2025-06-03T02:00:00Z"),
                        "focus")
    newer = load(url, store, *key)
    assert list(_statuses(newer).values()) == [("loaded", 25)] and f"replaces 'council-focus/{JUNE}'" in newer.stdout
    assert summary(store)["total"]["rows"] == 25


def _container_sas(container: str, *, expired: bool = False) -> str:
    import datetime as dt

    from azure.storage.blob import ContainerSasPermissions, generate_container_sas

    from tests.azurite_server import DEV_ACCOUNT, DEV_KEY

    expiry = dt.datetime.now(dt.UTC) + dt.timedelta(hours=-1 if expired else 1)
    return generate_container_sas(DEV_ACCOUNT, container, account_key=DEV_KEY,
                                  permission=ContainerSasPermissions(read=True, list=True), expiry=expiry)


def test_a_sas_url_is_its_own_credential_and_never_shown(azurite, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.delenv("AZURE_STORAGE_CONNECTION_STRING", raising=False)
    _upload_folder(azurite, "shared-exports", _exports(tmp_path), "focus")
    sas = _container_sas("shared-exports")
    url = f"{azurite.account_url}/shared-exports/focus"

    result = load(f"{url}?{sas}", tmp_path / "store", "--format", "json")  # no connection string, no sign-in

    assert result.exit_code == 0, result.output
    sources = json.loads(result.stdout)["sources"]
    assert [s["rows_stored"] for s in sources] == [3]
    assert all(f" at {url}/" in s["source"] for s in sources)
    from costing.actuals.store import read_manifest

    stored = json.dumps(read_manifest(tmp_path / "store"))
    sig = next(part for part in sas.split("&") if part.startswith("sig="))
    assert sig not in stored and sig not in result.output and "sig=" not in stored


def test_an_expired_sas_is_a_clear_error_that_does_not_show_it(azurite, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.delenv("AZURE_STORAGE_CONNECTION_STRING", raising=False)
    _upload_folder(azurite, "old-exports", _exports(tmp_path), "focus")
    sas = _container_sas("old-exports", expired=True)

    result = load(f"{azurite.account_url}/old-exports/focus?{sas}", tmp_path / "store")

    assert result.exit_code == 2, result.output
    assert "has not expired" in result.stderr and "sp=rl" in result.stderr
    assert next(part for part in sas.split("&") if part.startswith("sig=")) not in result.output
    assert "Traceback" not in result.output
