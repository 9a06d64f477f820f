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
    assert [(s["source"], s["rows_stored"], s["months"]) for s in sources] == [
        ("council-focus/2025-05-01..2025-05-31", 3, {"2025-05": 3})]
    report = summary(store, "business-case-line")
    assert [(r["business-case-line"], r["billed_cost"]) for r in report["rows"]] == [
        ("azure-run", "101"), ("platform", "50")]
    from costing.actuals.store import read_manifest, relation

    entry = read_manifest(store)["sources"]["council-focus/2025-05-01..2025-05-31"]
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

    first = download_exports(url, tmp_path / "first", azurite.connection_string, loaded_blob_etags(store))
    assert first.downloaded == 2  # the latest run's one part and the loose file, not runs 1 and 2
    assert not list((tmp_path / "first").rglob("run-1/*")) and not list((tmp_path / "first").rglob("run-2/*"))
    assert len(first.notes["council-focus/2025-06-01..2025-06-30"]) == 2 and first.unchanged == []

    result = load(url, store, "--connection-string", azurite.connection_string, "--format", "json")
    assert result.exit_code == 0, result.output
    loaded = {s["source"]: s for s in json.loads(result.stdout)["sources"]}
    run = loaded["council-focus/2025-06-01..2025-06-30"]
    assert run["status"] == "loaded" and run["rows_stored"] == 3  # run 3: three days to date
    assert sum("ignored an earlier run" in note for note in run["notes"]) == 2
    recorded = read_manifest(store)["sources"]["council-focus/2025-06-01..2025-06-30"]["blobs"]
    assert len(recorded) == 2 and all(key.startswith(url) for key in recorded)  # its manifest and its part
    before = store_checksums(store)

    # Nothing changed in the container: nothing is downloaded, both sources are unchanged, the store as it was.
    second = download_exports(url, tmp_path / "second", azurite.connection_string, loaded_blob_etags(store))
    assert second.downloaded == 0 and not [p for p in (tmp_path / "second").rglob("*") if p.is_file()]
    again = load(url, store, "--connection-string", azurite.connection_string, "--format", "json")
    assert again.exit_code == 0, again.output
    assert {s["source"]: s["status"] for s in json.loads(again.stdout)["sources"]} == {
        "council-focus/2025-06-01..2025-06-30": "unchanged", f"{url}/adjustments.csv": "unchanged"}
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
