"""Where a cost store lives: a local directory, or a container (and path) in Azure Storage.

The cost store (`costing.actuals.store`) writes through this small surface and nothing else: read the manifest
(with a version token), put a data file, put the FX table, replace the manifest *if it is still the version read*,
remove a file. The commit protocol is the same on both: data files first under new unique names, the manifest
last, so readers (who use only the files a manifest lists) never see half a load.

- `LocalStorage`: a directory; staging happens inside it and files are moved in with `os.replace`; the manifest
  is replaced atomically (temp file + rename). One writer at a time.
- `BlobStorage`: `az://CONTAINER/PATH`, `abfs://CONTAINER/PATH` or `abfss://CONTAINER@ACCOUNT.dfs.core.windows.net/
  PATH`. Writes go through azure-storage-blob; the manifest upload is conditional on the ETag read (`If-Match`, or
  `If-None-Match: *` for a new store), so of two writers that read the same manifest only one can commit; the
  other gets `ConcurrentCommit`, re-reads and retries. Reads by the query engines go through fsspec/adlfs (DuckDB)
  or the engine's own `abfss://` support (Spark). Credentials: a connection string (`--connection-string`,
  `AZURE_STORAGE_CONNECTION_STRING`) or `DefaultAzureCredential` with the account from the `abfss://` URL or
  `AZURE_STORAGE_ACCOUNT_NAME`.

No pyarrow here: the reconciliation reads manifests through this module and must stay quick to import.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from estate.foundation.errors import CostDataError
from estate.foundation.files import write_atomic

MANIFEST = "manifest.json"
FX_TABLE = "fx-rates.csv"
BLOB_SCHEMES = ("az://", "abfs://", "abfss://")
# A data blob in an Azure store that no manifest lists and older than this is what a killed load left: a live
# load commits its manifest within minutes of uploading its data (and within its command deadline, an hour by
# default), so a younger one may be another writer's, not yet committed, and is left alone.
LEFTOVER_BLOB_AGE_SECONDS = 24 * 3600


class ConcurrentCommit(Exception):
    """Another writer replaced the manifest since it was read: re-read it and try again."""


def is_remote_store(location: object) -> bool:
    return isinstance(location, BlobStorage) or (isinstance(location, str) and location.startswith(BLOB_SCHEMES))


def open_storage(location: Any, connection_string: str | None = None) -> LocalStorage | BlobStorage:
    """The storage behind `--store`: a LocalStorage/BlobStorage as is, an az:// / abfs(s):// URL, else a path."""
    if isinstance(location, LocalStorage | BlobStorage):
        return location
    if is_remote_store(location):
        return BlobStorage(location, connection_string)
    return LocalStorage(Path(location))


class LocalStorage:
    """A cost store in a local directory."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def __str__(self) -> str:
        return str(self.root)

    @property
    def local_root(self) -> Path | None:
        return self.root

    def read_bytes(self, name: str) -> bytes | None:
        path = self.root / name
        return path.read_bytes() if path.is_file() else None

    def read_manifest(self) -> tuple[bytes | None, Any]:
        """The manifest's bytes (None: no store yet) and a version token (none needed locally)."""
        return self.read_bytes(MANIFEST), None

    def staging_dir(self) -> Path:
        return self.root / f".staging-{uuid.uuid4().hex[:12]}"

    def put_file(self, staged: Path, name: str) -> None:
        final = self.root / name
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, final)

    def put_fx_table(self, data: bytes) -> str:
        write_atomic(self.root / FX_TABLE, data)
        return FX_TABLE

    def commit_manifest(self, text: str, token: Any) -> None:
        write_atomic(self.root / MANIFEST, text)

    def remove(self, name: str) -> None:
        path = self.root / name
        path.unlink(missing_ok=True)
        for parent in path.parents:
            if parent == self.root or not parent.is_relative_to(self.root):
                break
            if parent.exists() and not any(parent.iterdir()):
                parent.rmdir()

    def engine_paths(self, names: list[str], engine: str) -> list[str]:
        root = self.root.resolve()
        return [str(root / name) for name in names]

    def filesystem(self) -> Any:
        return None


class BlobStorage:
    """A cost store under a path in an Azure Storage container (Blob or ADLS Gen2)."""

    def __init__(self, url: str, connection_string: str | None = None, *, credential: Any = None) -> None:
        """`credential`: an azure-core TokenCredential to use instead of DefaultAzureCredential (a notebook's)."""
        self.url = url
        self.credential = credential
        parts = urlsplit(url)
        container, _, account_host = (parts.netloc or "").partition("@")
        if not container:
            raise CostDataError(f"--store {url!r}: expected az://CONTAINER/PATH, abfs://CONTAINER/PATH or "
                                "abfss://CONTAINER@ACCOUNT.dfs.core.windows.net/PATH")
        self.container = container
        self.prefix = parts.path.strip("/")
        self.connection_string = connection_string or os.environ.get("AZURE_STORAGE_CONNECTION_STRING") or None
        self.account = account_host.split(".", 1)[0] or os.environ.get("AZURE_STORAGE_ACCOUNT_NAME") or None
        if self.connection_string is None and self.account is None and credential is None:
            raise CostDataError(f"--store {url}: which storage account? Give --connection-string (or set "
                                "AZURE_STORAGE_CONNECTION_STRING), or abfss://CONTAINER@ACCOUNT.dfs.core.windows.net/"
                                "PATH, or set AZURE_STORAGE_ACCOUNT_NAME (signs in with DefaultAzureCredential)")
        self._client = None
        self._fs = None

    def __str__(self) -> str:
        return self.url

    @property
    def local_root(self) -> Path | None:
        return None

    def _name(self, name: str) -> str:
        return f"{self.prefix}/{name}" if self.prefix else name

    @property
    def client(self):  # azure.storage.blob.ContainerClient
        if self._client is None:
            from azure.storage.blob import BlobServiceClient

            from costing.http_bounds import blob_client_options

            # Every request within the per-request deadline (docs/limits.md): a stalled or trickling storage
            # endpoint cannot hang a load, a summary or a reconciliation.
            options = blob_client_options()
            if self.connection_string:
                service = BlobServiceClient.from_connection_string(self.connection_string, **options)
            else:
                credential = self.credential
                if credential is None:
                    from azure.identity import DefaultAzureCredential

                    credential = DefaultAzureCredential()
                service = BlobServiceClient(f"https://{self.account}.blob.core.windows.net", credential=credential,
                                            **options)
            self._client = service.get_container_client(self.container)
        return self._client

    def _call(self, what: str, action, *, missing_ok: bool = False):
        from azure.core.exceptions import AzureError, ResourceNotFoundError

        try:
            return action()
        except ResourceNotFoundError as exc:
            if missing_ok and getattr(exc, "error_code", None) == "BlobNotFound":
                raise
            raise CostDataError(f"{self.url}: cannot {what}: the container {self.container!r} does not exist (create "
                                "it, or check the URL and account)") from exc
        except AzureError as exc:
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise CostDataError(f"{self.url}: cannot {what} ({message}); check the container exists and the "
                                "identity has Storage Blob Data Contributor on it") from exc

    def read_bytes(self, name: str) -> bytes | None:
        return self._download(name)[0]

    def _download(self, name: str) -> tuple[bytes | None, str | None]:
        from azure.core.exceptions import ResourceNotFoundError

        try:
            downloader = self._call(f"read {name}", lambda: self.client.download_blob(self._name(name)),
                                    missing_ok=True)
            return downloader.readall(), downloader.properties.etag
        except ResourceNotFoundError:
            return None, None

    def read_manifest(self) -> tuple[bytes | None, Any]:
        """The manifest's bytes (None: no store yet) and its ETag, the condition of the next commit."""
        return self._download(MANIFEST)

    def staging_dir(self) -> Path:
        return Path(tempfile.gettempdir()) / f"estate-staging-{uuid.uuid4().hex[:12]}"

    def put_file(self, staged: Path, name: str) -> None:
        def upload():
            with staged.open("rb") as handle:
                self.client.upload_blob(self._name(name), handle, overwrite=True)

        self._call(f"write {name}", upload)

    def put_fx_table(self, data: bytes) -> str:
        # A new name each time: the manifest that names it is what makes it current.
        name = f"fx-rates-{uuid.uuid4().hex[:12]}.csv"
        self._call(f"write {name}", lambda: self.client.upload_blob(self._name(name), data, overwrite=True))
        return name

    def commit_manifest(self, text: str, token: Any) -> None:
        """Replace the manifest only if it is still the version read (ETag `token`; None: only if none exists)."""
        from azure.core import MatchConditions
        from azure.core.exceptions import ResourceExistsError, ResourceModifiedError

        blob = self._name(MANIFEST)
        try:
            if token is None:
                self.client.upload_blob(blob, text.encode("utf-8"), overwrite=False)
            else:
                self.client.upload_blob(blob, text.encode("utf-8"), overwrite=True, etag=token,
                                        match_condition=MatchConditions.IfNotModified)
        except (ResourceModifiedError, ResourceExistsError):
            raise ConcurrentCommit(f"{self.url}: the manifest changed since it was read") from None
        except Exception as exc:
            from azure.core.exceptions import AzureError, HttpResponseError

            if isinstance(exc, HttpResponseError) and exc.status_code in (409, 412):
                raise ConcurrentCommit(f"{self.url}: the manifest changed since it was read") from exc
            if isinstance(exc, AzureError):
                raise CostDataError(f"{self.url}: cannot write the manifest ({str(exc).splitlines()[0]})") from exc
            raise

    def remove(self, name: str) -> None:
        from azure.core.exceptions import ResourceNotFoundError

        with contextlib.suppress(ResourceNotFoundError):
            self.client.delete_blob(self._name(name))

    def remove_leftovers(self, listed: set[str], is_data_file: Any) -> list[str]:
        """Remove the data blobs (store-relative names `is_data_file` accepts) not in `listed` (the files the
        manifest lists) and older than LEFTOVER_BLOB_AGE_SECONDS: what killed loads uploaded and never committed.
        There is no lock on a container, so a younger unlisted blob may be a live writer's and stays."""
        import datetime as dt

        prefix = f"{self.prefix}/" if self.prefix else ""
        cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=LEFTOVER_BLOB_AGE_SECONDS)
        removed = []
        blobs = self._call("list the store", lambda: list(self.client.list_blobs(name_starts_with=f"{prefix}actuals/")))
        for blob in blobs:
            relative = blob.name[len(prefix):]
            if is_data_file(relative) and relative not in listed and blob.last_modified < cutoff:
                self.remove(relative)
                removed.append(relative)
        return removed

    def engine_paths(self, names: list[str], engine: str) -> list[str]:
        if engine == "spark":  # Spark reads ADLS Gen2 itself (Fabric, Databricks, Synapse: abfss://)
            account = self.account or _account_of(self.connection_string)
            return [f"abfss://{self.container}@{account}.dfs.core.windows.net/{self._name(n)}" for n in names]
        return [f"abfs://{self.container}/{self._name(name)}" for name in names]

    def filesystem(self) -> Any:
        """An fsspec (adlfs) filesystem for the engines that read through one (DuckDB)."""
        if self._fs is None:
            # Made on a throwaway thread: adlfs sets the constructing thread's asyncio event loop to fsspec's own
            # (running) loop, which would break the caller's asyncio afterwards (Pulumi's, a notebook's).
            with ThreadPoolExecutor(1, thread_name_prefix="estate-adlfs") as pool:
                self._fs = pool.submit(self._new_filesystem).result()
        return self._fs

    def _new_filesystem(self) -> Any:
        import adlfs

        if self.connection_string:
            return adlfs.AzureBlobFileSystem(connection_string=self.connection_string)
        if self.credential is not None:
            return adlfs.AzureBlobFileSystem(account_name=self.account, credential=self.credential)
        from azure.identity.aio import DefaultAzureCredential

        return adlfs.AzureBlobFileSystem(account_name=self.account, credential=DefaultAzureCredential())


def _account_of(connection_string: str | None) -> str:
    fields = dict(part.split("=", 1) for part in (connection_string or "").split(";") if "=" in part)
    return fields.get("AccountName", "")


# Either back end; `open_storage` picks one from a path or URL.
Storage = LocalStorage | BlobStorage
