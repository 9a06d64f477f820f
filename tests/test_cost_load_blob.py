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
