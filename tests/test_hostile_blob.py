"""Hostile Blob Storage: a trickling endpoint and oversized blobs meet the documented limits (docs/limits.md).

Through the real azure-storage-blob client, against a loopback stand-in that trickles (tests/support/blob_server.py)
and against Azurite; limits are lowered through their environment variables so each test takes seconds.
"""

from __future__ import annotations

import time
import tracemalloc

import pytest

from costing.actuals.sources.blob import download_exports
from estate.foundation.errors import CostDataError
from estate.foundation.limits import MIB
from tests.azurite_server import azurite  # noqa: F401  (the fixture)
from tests.conftest import run_cli
from tests.cost_helpers import FOCUS_HEADER, focus_row, load, store_checksums
from tests.hostile_helpers import assert_refused
from tests.support.blob_server import BlobServer, StandInBlob

pytestmark = [pytest.mark.integration, pytest.mark.timeout(40)]
BODY = (FOCUS_HEADER + "\n" + focus_row("1", "2025-05-01")).encode()
SAS = "?sv=2025-01-05&sr=c&sp=rl&sig=NotTheRealSignature%3D"


@pytest.fixture
def stand_in():
    with BlobServer() as server:
        yield server


def _files(folder) -> list:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


@pytest.mark.parametrize("variable, said", [
    ("ESTATE_HTTP_BLOB_SECONDS", "the download took more than 2 s"),
    ("ESTATE_HTTP_REQUEST_SECONDS", "the answer took more than 2 s"),
    ("ESTATE_HTTP_COMMAND_SECONDS", "the command's downloads took more than 2 s"),
])
def test_a_slow_loris_blob_endpoint_stops_at_each_deadline(stand_in, tmp_path, monkeypatch, variable, said):
    monkeypatch.setenv(variable, "2")
    stand_in.blobs["focus/export.csv"] = StandInBlob(BODY, piece=1, pause=0.2)  # headers, then a byte at a time
    started = time.monotonic()

    result = load(f"{stand_in.account_url}/exports/focus{SAS}", tmp_path / "store",
                  "--connection-string", stand_in.connection_string)

    assert time.monotonic() - started < 15
    assert_refused(result, f"{stand_in.account_url}/exports/focus/export.csv: ", said,
                   "nothing was loaded and the store is unchanged", f"raise the limit with {variable}=N")
    assert "NotTheRealSignature" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "store").exists()


def test_a_blob_refused_part_way_leaves_no_file_and_the_store_as_it_was(stand_in, tmp_path, monkeypatch):
    local = tmp_path / "local.csv"
    local.write_bytes(BODY)
    store = tmp_path / "store"
    assert load(local, store).exit_code == 0
    before = store_checksums(store)
    monkeypatch.setenv("ESTATE_HTTP_BLOB_SECONDS", "2")
    stand_in.blobs["focus/export.csv"] = StandInBlob(BODY * 50, piece=100, pause=0.2)
    target = tmp_path / "download"

    with pytest.raises(CostDataError, match="took more than 2 s"):
        download_exports(f"{stand_in.account_url}/exports/focus", target, stand_in.connection_string)
    result = load(f"{stand_in.account_url}/exports/focus", store, "--connection-string", stand_in.connection_string)

    assert "GET /devstoreaccount1/exports/focus/export.csv" in stand_in.requests  # bytes were on their way
    assert _files(target) == []  # neither the blob nor a temporary file of it
    assert_refused(result, "took more than 2 s")
    assert store_checksums(store) == before


def test_a_blob_larger_than_its_listing_says_stops_at_the_size_cap(stand_in, tmp_path, monkeypatch):
    monkeypatch.setenv("ESTATE_HTTP_MAX_BLOB_MIB", "1")
    stand_in.blobs["focus/export.csv"] = StandInBlob(BODY + b"x" * (3 * MIB), listed_size=len(BODY))
    target = tmp_path / "download"

    with pytest.raises(CostDataError) as refused:
        download_exports(f"{stand_in.account_url}/exports/focus", target, stand_in.connection_string)
    result = load(f"{stand_in.account_url}/exports/focus", tmp_path / "store",
                  "--connection-string", stand_in.connection_string)

    assert "the blob is larger than 1 MiB" in refused.value.message and _files(target) == []
    assert_refused(result, f"{stand_in.account_url}/exports/focus/export.csv: the blob is larger than 1 MiB",
                   "ESTATE_HTTP_MAX_BLOB_MIB=N")
    assert not (tmp_path / "store").exists()


def _container(azurite_server):
    from azure.storage.blob import BlobServiceClient

    return BlobServiceClient.from_connection_string(azurite_server.connection_string).create_container("exports")


def test_a_blob_the_container_lists_above_the_size_cap_is_not_downloaded(azurite, tmp_path, monkeypatch):  # noqa: F811
    client = _container(azurite)
    client.upload_blob("focus/a-small.csv", BODY)
    client.upload_blob("focus/b-large.csv", BODY + b"x" * (2 * MIB))
    store = tmp_path / "store"
    local = tmp_path / "local.csv"
    local.write_bytes(BODY)
    assert load(local, store).exit_code == 0
    before = store_checksums(store)
    monkeypatch.setenv("ESTATE_HTTP_MAX_BLOB_MIB", "1")
    target = tmp_path / "download"

    with pytest.raises(CostDataError, match=r"lists the blob at 2\.0 MiB"):
        download_exports(f"{azurite.account_url}/exports/focus", target, azurite.connection_string)
    result = load(f"{azurite.account_url}/exports/focus", store, "--connection-string", azurite.connection_string)

    assert_refused(result, f"{azurite.account_url}/exports/focus/b-large.csv: the container lists the blob at 2.0 MiB, "
                   "more than 1 MiB", "ESTATE_HTTP_MAX_BLOB_MIB=N")
    assert [path.name for path in _files(target)] == ["a-small.csv"]  # only what came before it
    assert store_checksums(store) == before


def test_a_large_blob_is_streamed_in_chunks_not_held_in_memory(azurite, tmp_path):  # noqa: F811
    data = bytes(range(256)) * (24 * MIB // 256)
    _container(azurite).upload_blob("focus/big.csv", data, max_concurrency=2)
    target = tmp_path / "download"

    tracemalloc.start()
    try:
        download_exports(f"{azurite.account_url}/exports/focus", target, azurite.connection_string)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert (target / "big.csv").read_bytes() == data
    # About ten times CHUNK_BYTES (4 MiB), whatever the blob's size: azure-storage-blob joins each ranged answer
    # with list(), which reserves a pointer per byte of it (its length hint). Reading 32 MiB at first, as the
    # SDK's defaults do, took 230 MiB here.
    assert peak < 64 * MIB, f"peak {peak / MIB:.1f} MiB of Python memory for a 24 MiB blob"


def test_a_cost_details_report_blob_above_the_size_cap_stops_the_pull(third_party, tmp_path, monkeypatch):
    from tests.support.cost_api_server import CostApiServer

    monkeypatch.setenv("ESTATE_HTTP_MAX_BLOB_MIB", "1")
    with CostApiServer(third_party, blob_bytes=b"x" * (2 * MIB)) as server:
        for key, value in server.identity_env.items():
            monkeypatch.setenv(key, value)
        result = run_cli("cost", "pull", "--scope", "/subscriptions/00000000-0000-0000-0000-000000000000",
                         "--from", "2023-09", "--to", "2023-09", "--store", tmp_path / "store", "--endpoint",
                         server.endpoint, "--method", "details", "--as-of", "2023-10")

    assert_refused(result, f"the report blob {server.endpoint}/blobs/armreports/report-0.csv: the blob is larger "
                   "than 1 MiB", "ESTATE_HTTP_MAX_BLOB_MIB=N")
    assert "sig=" not in result.output
    assert not (tmp_path / "store").exists()


def test_a_cost_store_on_a_trickling_endpoint_stops_at_the_request_deadline(stand_in, tmp_path, monkeypatch):
    # The store itself in Azure (az://CONTAINER/PATH): its manifest answer trickles a byte at a time.
    monkeypatch.setenv("ESTATE_HTTP_REQUEST_SECONDS", "2")
    stand_in.blobs["store/manifest.json"] = StandInBlob(b'{"version": 1, "sources": []}' * 20, piece=1, pause=0.2)
    started = time.monotonic()

    result = run_cli("cost", "summary", "--store", f"az://{stand_in.container}/store", "--connection-string",
                     stand_in.connection_string)

    assert time.monotonic() - started < 15
    assert_refused(result, "took more than 2 s")
    assert len(result.stderr.strip().splitlines()) == 1
