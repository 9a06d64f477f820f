"""A cost store in Azure Storage (`--store az://CONTAINER/PATH`), through the real azure-storage-blob and adlfs
clients against Azurite: load, reload, two writers at once, a load killed before its commit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from decimal import Decimal

import pytest

from costing.actuals import storage
from tests.azurite_server import azurite  # noqa: F401  (the fixture)
from tests.conftest import ROOT, run_cli
from tests.cost_helpers import FOCUS_HEADER, focus_row, write_focus_export
from tests.reconcile_helpers import write_case

pytestmark = pytest.mark.integration
CONTAINER = "finops"
STORE = f"az://{CONTAINER}/estate/cost-store"


def _export(tmp_path, name: str, cost: str, month: str = "2024-05"):
    folder = tmp_path / f"exports-{name}"
    write_focus_export(folder, name, f"{month}-01..{month}-28", "run-1", f"{month}-28T02:00:00Z",
                       [focus_row(cost, f"{month}-02") + focus_row("0.000000000000000000000001", f"{month}-03",
                                                                    line="platform")], FOCUS_HEADER)
    return folder


def _container(server):
    from azure.storage.blob import BlobServiceClient

    service = BlobServiceClient.from_connection_string(server.connection_string)
    client = service.get_container_client(CONTAINER)
    if not client.exists():
        client.create_container()
    return client


def _blobs(client) -> dict[str, str]:
    return {blob.name: blob.etag for blob in client.list_blobs(name_starts_with="estate/cost-store/")}


def _manifest(client) -> dict:
    return json.loads(client.download_blob("estate/cost-store/manifest.json").readall())


def _listed(manifest: dict) -> set[str]:
    return {f"estate/cost-store/{name}" for source in manifest["sources"].values()
            for part in source["partitions"].values() for name in part["files"]}


def _summary(server, *extra: str) -> dict:
    result = run_cli("cost", "summary", "--store", STORE, "--by", "business-case-line", "--format", "json",
                     "--connection-string", server.connection_string, *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_load_then_reload_adds_nothing_and_reads_back_the_same_as_a_local_store(azurite, tmp_path):  # noqa: F811
    client = _container(azurite)
    export = _export(tmp_path, "council", "100.25")

    first = run_cli("cost", "load", export, "--store", STORE, "--connection-string", azurite.connection_string)
    assert first.exit_code == 0, first.output
    blobs = _blobs(client)
    manifest = _manifest(client)
    assert set(blobs) == _listed(manifest) | {"estate/cost-store/manifest.json"}
    assert not any("staging" in name for name in blobs)

    again = run_cli("cost", "load", export, "--store", STORE, "--connection-string", azurite.connection_string)
    assert again.exit_code == 0 and "unchanged" in again.stdout
    assert _blobs(client) == blobs  # not one blob written, not even the manifest

    local = tmp_path / "local-store"
    assert run_cli("cost", "load", export, "--store", local).exit_code == 0
    remote_summary = _summary(azurite)
    local_summary = run_cli("cost", "summary", "--store", local, "--by", "business-case-line", "--format", "json")
    assert remote_summary["rows"] == json.loads(local_summary.stdout)["rows"]
    assert remote_summary["total"]["billed_cost"] == "100.250000000000000000000001"

    case = write_case(tmp_path / "case.yaml")
    reports = [run_cli("cost", "reconcile", "--case", case, "--store", store, "--format", "json",
                       "--connection-string", azurite.connection_string) for store in (STORE, local)]
    assert all(report.exit_code == 0 for report in reports), reports[0].output
    remote, here = (json.loads(report.stdout) for report in reports)
    assert remote["lines"] == here["lines"] and remote["monthly"] == here["monthly"]
    assert remote["provenance"]["store"] == STORE


def _load_in_thread(storage, export, results, key):
    from costing.actuals.load import LoadOptions, load_sources
    from costing.actuals.sources.local import discover

    try:
        sources = discover(export, lambda relative: str(export / relative) if relative else str(export))
        results[key] = load_sources(sources, storage, LoadOptions())
    except Exception as exc:  # recorded for the assertion below
        results[key] = exc


def _race(monkeypatch, calls: int = 2):
    """Hold every writer's first manifest commit until `calls` writers have read the manifest and want to commit."""
    from costing.actuals.storage import BlobStorage

    barrier = threading.Barrier(calls, timeout=60)
    real = BlobStorage.commit_manifest
    waited: set[int] = set()
    outcomes: list[str] = []

    def commit_after_the_other_reads(self, text, token):
        if threading.get_ident() not in waited:
            waited.add(threading.get_ident())
            barrier.wait()
        try:
            real(self, text, token)
            outcomes.append("committed")
        except Exception as exc:
            outcomes.append(type(exc).__name__)
            raise

    monkeypatch.setattr(BlobStorage, "commit_manifest", commit_after_the_other_reads)
    return outcomes


def test_two_concurrent_loads_one_commits_first_the_other_retries_nothing_lost(azurite, tmp_path,  # noqa: F811
                                                                               monkeypatch):
    from costing.actuals.storage import BlobStorage

    client = _container(azurite)
    exports = {"north": _export(tmp_path, "north", "10"), "south": _export(tmp_path, "south", "20.5")}
    outcomes = _race(monkeypatch)
    results: dict[str, object] = {}
    threads = [threading.Thread(target=_load_in_thread,
                                args=(BlobStorage(STORE, azurite.connection_string), export, results, name))
               for name, export in exports.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not any(isinstance(result, Exception) for result in results.values()), results
    assert outcomes.count("ConcurrentCommit") == 1 and outcomes.count("committed") == 2
    manifest = _manifest(client)
    assert sorted(name.split("/")[0] for name in manifest["sources"]) == ["north", "south"]
    assert set(_blobs(client)) == _listed(manifest) | {"estate/cost-store/manifest.json"}  # no orphans either
    assert Decimal(_summary(azurite)["total"]["billed_cost"]) == Decimal("30.500000000000000000000002")


def test_the_same_export_loaded_twice_at_once_is_stored_once(azurite, tmp_path, monkeypatch):  # noqa: F811
    from costing.actuals.storage import BlobStorage

    client = _container(azurite)
    export = _export(tmp_path, "council", "7")
    outcomes = _race(monkeypatch)
    results: dict[str, object] = {}
    threads = [threading.Thread(target=_load_in_thread,
                                args=(BlobStorage(STORE, azurite.connection_string), export, results, key))
               for key in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not any(isinstance(result, Exception) for result in results.values()), results
    assert "ConcurrentCommit" in outcomes
    manifest = _manifest(client)
    name = f"council/2024-05-01..2024-05-28 at {(export / 'council' / '20240501-20240528').resolve().as_posix()}"
    assert list(manifest["sources"]) == [name]
    assert manifest["sources"][name]["rows"] == 2
    assert set(_blobs(client)) == _listed(manifest) | {"estate/cost-store/manifest.json"}
    assert _summary(azurite)["total"]["rows"] == 2


def test_a_writer_that_keeps_losing_stops_clearly_and_leaves_the_store_as_it_was(azurite, tmp_path,  # noqa: F811
                                                                                  monkeypatch):
    from costing.actuals.storage import BlobStorage, ConcurrentCommit

    client = _container(azurite)
    assert run_cli("cost", "load", _export(tmp_path, "north", "10"), "--store", STORE,
                   "--connection-string", azurite.connection_string).exit_code == 0
    before = _blobs(client)

    def always_lose(self, text, token):
        raise ConcurrentCommit("someone else committed")

    monkeypatch.setattr(BlobStorage, "commit_manifest", always_lose)
    result = run_cli("cost", "load", _export(tmp_path, "south", "20"), "--store", STORE,
                     "--connection-string", azurite.connection_string)

    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "other loads kept committing to this store" in result.stderr and "run it again" in result.stderr
    assert _blobs(client) == before


KILLED_LOAD = textwrap.dedent("""\
    import os, signal, sys
    from costing.actuals.storage import BlobStorage

    def die_before_the_manifest(self, text, token):
        os.kill(os.getpid(), signal.SIGKILL)  # the data blobs are up; the process dies before the commit

    BlobStorage.commit_manifest = die_before_the_manifest
    from estate.cli import main
    main(sys.argv[1:])
    """)


def test_a_load_killed_before_its_commit_leaves_the_previous_state(azurite, tmp_path, monkeypatch):  # noqa: F811
    client = _container(azurite)
    assert run_cli("cost", "load", _export(tmp_path, "north", "10"), "--store", STORE,
                   "--connection-string", azurite.connection_string).exit_code == 0
    manifest_before = client.download_blob("estate/cost-store/manifest.json").readall()
    summary_before = _summary(azurite)

    killed = subprocess.run(
        [sys.executable, "-c", KILLED_LOAD, "cost", "load", str(_export(tmp_path, "north", "99", "2024-06")),
         "--store", STORE], cwd=ROOT, capture_output=True, timeout=120,
        env={**os.environ, "AZURE_STORAGE_CONNECTION_STRING": azurite.connection_string})

    assert killed.returncode == -9, killed.stderr.decode()[-2000:]
    uploaded = set(_blobs(client)) - _listed(json.loads(manifest_before)) - {"estate/cost-store/manifest.json"}
    assert uploaded, "the load was killed after uploading its data, as intended"
    assert client.download_blob("estate/cost-store/manifest.json").readall() == manifest_before
    assert _summary(azurite) == summary_before
    # The next load of the same export completes and its summary counts the new month once.
    assert run_cli("cost", "load", _export(tmp_path / "again", "north", "99", "2024-06"), "--store", STORE,
                   "--connection-string", azurite.connection_string).exit_code == 0
    assert Decimal(_summary(azurite)["total"]["billed_cost"]) == Decimal("109.000000000000000000000002")
    # What the killed load uploaded is younger than a day: it may be a live writer's, so it stays ...
    assert uploaded <= set(_blobs(client))
    # ... until it is older than that: then the next load removes it, and nothing a manifest lists.
    monkeypatch.setattr(storage, "LEFTOVER_BLOB_AGE_SECONDS", 0)
    assert run_cli("cost", "load", _export(tmp_path / "later", "south", "1", "2024-07"), "--store", STORE,
                   "--connection-string", azurite.connection_string).exit_code == 0
    left = set(_blobs(client))
    assert not uploaded & left
    assert _listed(_manifest(client)) <= left
    assert Decimal(_summary(azurite)["total"]["billed_cost"]) == Decimal("110.000000000000000000000003")


def test_a_store_url_without_an_account_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv("AZURE_STORAGE_CONNECTION_STRING", raising=False)
    monkeypatch.delenv("AZURE_STORAGE_ACCOUNT_NAME", raising=False)
    result = run_cli("cost", "summary", "--store", "az://finops/cost-store")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "which storage account?" in result.stderr


def test_a_pull_into_a_store_in_azure_storage_equals_one_into_a_directory(azurite, tmp_path, third_party,  # noqa: F811
                                                                          monkeypatch):
    from tests.support.cost_api_server import CostApiServer

    _container(azurite)
    local = tmp_path / "local-store"
    with CostApiServer(third_party, mode="synthetic", rows_per_page=250, synthetic_resources=12) as server:
        for key, value in server.identity_env.items():
            monkeypatch.setenv(key, value)
        for store in (STORE, local):
            result = run_cli("cost", "pull", "--scope", "/subscriptions/00000000-0000-0000-0000-000000000001",
                             "--from", "2024-01", "--to", "2024-02", "--store", store, "--endpoint", server.endpoint,
                             "--as-of", "2024-03", "--format", "json", "--connection-string",
                             azurite.connection_string)
            assert result.exit_code == 0, result.output
            assert json.loads(result.stdout)["rows"] > 0
    summaries = [run_cli("cost", "summary", "--store", store, "--by", "month,business-case-line", "--format", "json",
                         "--connection-string", azurite.connection_string) for store in (STORE, local)]
    remote, here = (json.loads(result.stdout) for result in summaries)
    assert remote["rows"] == here["rows"] and len(remote["rows"]) >= 2


def test_a_store_in_a_container_that_does_not_exist_is_a_clear_error(azurite, tmp_path):  # noqa: F811
    result = run_cli("cost", "load", _export(tmp_path, "north", "10"), "--store", "az://no-such-container/store",
                     "--connection-string", azurite.connection_string)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "the container 'no-such-container' does not exist" in result.stderr
    summary = run_cli("cost", "summary", "--store", "az://no-such-container/store", "--connection-string",
                      azurite.connection_string)
    assert summary.exit_code == 2 and "does not exist" in summary.stderr


def test_reading_a_remote_store_leaves_the_callers_asyncio_alone(azurite, tmp_path):  # noqa: F811
    import asyncio

    _container(azurite)
    assert run_cli("cost", "load", _export(tmp_path, "north", "10"), "--store", STORE,
                   "--connection-string", azurite.connection_string).exit_code == 0
    seen: list[object] = []

    def summarise_then_look_at_this_threads_loop():
        seen.append(_summary(azurite)["total"]["rows"])
        try:
            seen.append(asyncio.get_event_loop())  # adlfs would have left fsspec's running loop here
        except RuntimeError:
            seen.append(None)  # none set, as before the summary

    thread = threading.Thread(target=summarise_then_look_at_this_threads_loop)
    thread.start()
    thread.join(timeout=60)
    assert seen == [2, None]
