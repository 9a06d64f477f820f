"""A blob name cannot write outside the download folder (through the real Blob client, against Azurite)."""

from __future__ import annotations

import tempfile
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.azurite_server import DEV_ACCOUNT, DEV_KEY, azurite  # noqa: F401  (the fixture)
from tests.cost_helpers import FOCUS_HEADER, focus_row, load

pytestmark = pytest.mark.integration


def test_a_blob_name_climbing_out_of_the_prefix_is_refused_and_nothing_is_written_outside(azurite, tmp_path):  # noqa: F811
    from azure.storage.blob import BlobServiceClient, ContainerSasPermissions, generate_container_sas

    escaped = f"escaped-{uuid.uuid4().hex}.csv"
    landing = Path(tempfile.gettempdir()) / escaped  # where focus/a/../../NAME would land from the temp folder
    client = BlobServiceClient.from_connection_string(azurite.connection_string).create_container("exports")
    body = FOCUS_HEADER + "\n" + focus_row("1", "2025-05-01")
    client.upload_blob("focus/good.csv", body)
    # The SDK's transport folds `..` away, so the hostile name is put with a plain HTTP request (a SAS from the SDK).
    sas = generate_container_sas(DEV_ACCOUNT, "exports", account_key=DEV_KEY, expiry=datetime.now(UTC) +
                                 timedelta(hours=1), permission=ContainerSasPermissions(write=True, create=True))
    request = urllib.request.Request(f"{azurite.account_url}/exports/focus/a/../../{escaped}?{sas}", method="PUT",
                                     data=body.encode(), headers={"x-ms-blob-type": "BlockBlob"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.status == 201
    assert any(".." in blob.name for blob in client.list_blobs())  # the emulator kept the name as given

    try:
        result = load(f"{azurite.account_url}/exports/focus", tmp_path / "store", "--connection-string",
                      azurite.connection_string)
        assert result.exit_code == 2, result.output
        assert escaped in result.stderr and "outside" in result.stderr and "Traceback" not in result.output
        assert not landing.exists()
        assert not (tmp_path / "store" / "manifest.json").exists()
    finally:
        landing.unlink(missing_ok=True)
