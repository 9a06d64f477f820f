"""Exports in Azure Blob Storage: list the blobs under a container URL and prefix, download them, load them.

`https://ACCOUNT.blob.core.windows.net/CONTAINER/PREFIX` authenticates with `DefaultAzureCredential` (an `az
login` session, a managed identity, or a service principal in `AZURE_CLIENT_ID` / `AZURE_TENANT_ID` /
`AZURE_CLIENT_SECRET`); the identity needs *Storage Blob Data Reader* on the container. A connection string
(`--connection-string` or `AZURE_STORAGE_CONNECTION_STRING`) is used instead when given. Path-style URLs
(`http://127.0.0.1:10000/ACCOUNT/CONTAINER/PREFIX`, as Azurite serves) work the same way.

Blobs are streamed to a temporary folder with the same relative paths, then read like a local folder, so a
Blob export and a downloaded copy of it are the same source with the same fingerprint.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from costing.actuals.reading import is_data_file
from costing.actuals.sources.local import MANIFEST_NAMES
from estate.errors import InputError

MAX_BLOBS = 100_000


@dataclass(frozen=True)
class BlobLocation:
    """A container and a prefix inside it, and the account endpoint that serves them."""

    account_url: str
    container: str
    prefix: str

    def url(self, blob_name: str = "") -> str:
        return f"{self.account_url}/{self.container}/{blob_name or self.prefix}".rstrip("/")


def is_blob_url(source: str) -> bool:
    return source.startswith(("https://", "http://"))


def parse_blob_url(url: str) -> BlobLocation:
    """Split a container URL into endpoint, container and prefix (account-host and path-style URLs)."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    host = parts.hostname or ""
    path_style = not host.endswith(".core.windows.net") and not host.endswith(".azure.net")
    if path_style:
        if len(segments) < 2:
            raise InputError(f"{url}: expected http(s)://HOST/ACCOUNT/CONTAINER[/PREFIX]")
        account_url = f"{parts.scheme}://{parts.netloc}/{segments[0]}"
        segments = segments[1:]
    else:
        if not segments:
            raise InputError(f"{url}: expected https://ACCOUNT.blob.core.windows.net/CONTAINER[/PREFIX]")
        account_url = f"{parts.scheme}://{parts.netloc}"
    return BlobLocation(account_url, segments[0], "/".join(segments[1:]))


def container_client(location: BlobLocation, connection_string: str | None):
    """A ContainerClient from a connection string if one is given, else DefaultAzureCredential."""
    from azure.storage.blob import BlobServiceClient

    connection_string = connection_string or os.environ.get("AZURE_STORAGE_CONNECTION_STRING")
    if connection_string:
        service = BlobServiceClient.from_connection_string(connection_string)
    else:
        from azure.identity import DefaultAzureCredential

        service = BlobServiceClient(location.account_url, credential=DefaultAzureCredential())
    return service.get_container_client(location.container)


def download_exports(url: str, target_dir: Path, connection_string: str | None = None) -> BlobLocation:
    """Download every export blob (data files and manifests) under the URL's prefix into `target_dir`."""
    from azure.core.exceptions import AzureError

    location = parse_blob_url(url)
    prefix = location.prefix.rstrip("/") + "/" if location.prefix else ""
    try:
        client = container_client(location, connection_string)
        names = [blob.name for blob in client.list_blobs(name_starts_with=prefix or None)]
        wanted = [n for n in names if is_data_file(Path(n)) or Path(n).name in MANIFEST_NAMES]
        if len(wanted) > MAX_BLOBS:
            raise InputError(f"{url}: {len(wanted)} export blobs; narrow the prefix to one export folder")
        for name in wanted:
            local = target_dir.joinpath(*name[len(prefix):].split("/"))
            local.parent.mkdir(parents=True, exist_ok=True)
            with local.open("wb") as handle:
                client.download_blob(name).readinto(handle)
    except AzureError as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"{url}: cannot read the container: {message}; check the URL, that you are signed in "
                         "(az login) or gave --connection-string, and that the identity has Storage Blob Data "
                         "Reader on the container") from None
    if not wanted:
        raise InputError(f"{url}: no export files (.csv, .csv.gz, .parquet, manifest.json) under this prefix")
    return location
