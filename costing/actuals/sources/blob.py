"""Exports in Azure Blob Storage: list the blobs under a container URL and prefix, download them, load them.

`https://ACCOUNT.blob.core.windows.net/CONTAINER/PREFIX` authenticates with `DefaultAzureCredential` (an `az
login` session, a managed identity, or a service principal in `AZURE_CLIENT_ID` / `AZURE_TENANT_ID` /
`AZURE_CLIENT_SECRET`); the identity needs *Storage Blob Data Reader* on the container. A connection string
(`--connection-string` or `AZURE_STORAGE_CONNECTION_STRING`) is used instead when given. Path-style URLs
(`http://127.0.0.1:10000/ACCOUNT/CONTAINER/PREFIX`, as Azurite serves) work the same way.

Blobs are streamed to a temporary folder with the same relative paths, then read like a local folder; sources
are named by their blob URLs, and a Blob export and a downloaded copy of it have the same fingerprint, so one
is not loaded on top of the other. Not every blob is fetched: the run manifests come first, and of several runs
of one export, period and folder (a month-to-date export runs daily, each run in its own folder) only the latest
run's data is downloaded; a run or loose file whose blobs have the ETags recorded in the store when it was
loaded is not downloaded at all (it is unchanged). A container
that has collected years of daily runs therefore costs one download of what is new, not of everything.

Every download is bounded (docs/limits.md): a blob is fetched in ranged requests of 4 MiB written straight to disk
(memory stays at a few dozen MiB whatever the blob's size), each request within the per-request deadline, the
blob within its own deadline and size cap (refused before any byte when the listing already says it is too big;
counted while it streams, since a server may say one size and send another), and the whole command's requests
within the command's deadline. A blob refused part-way leaves no file behind, and nothing reaches the store.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from costing.actuals.reading import is_data_file
from costing.actuals.sources.local import (
    EARLIER_RUN,
    MANIFEST_NAMES,
    ExportSource,
    RunManifest,
    discover,
    latest_runs,
    read_run_manifest,
)
from costing.http_bounds import (
    BodyLimitError,
    BoundedRequestsTransport,
    Deadline,
    Transfer,
    blob_chunks,
    blob_client_options,
    blob_transfer,
)
from estate.foundation.errors import CostDataError
from estate.foundation.files import inside, write_atomic_with
from estate.foundation.limits import COMMAND_SECONDS
from estate.foundation.redact import redact

MAX_BLOBS = 100_000
NOT_LOADED = "nothing was loaded and the store is unchanged"


@dataclass(frozen=True)
class BlobLocation:
    """A container and a prefix inside it, and the account endpoint that serves them."""

    account_url: str
    container: str
    prefix: str
    # A shared access signature given in the URL's query (`?sv=...&sig=...`): the credential, never shown.
    sas: str = field(default="", repr=False, compare=False)

    def url(self, blob_name: str = "") -> str:
        return f"{self.account_url}/{self.container}/{blob_name or self.prefix}".rstrip("/")

    def folder_url(self, path: PurePosixPath) -> str:
        """The URL of a folder in the container (`.` is the container itself, never the prefix)."""
        return f"{self.account_url}/{self.container}/{'' if str(path) == '.' else path}".rstrip("/")

    def run_location(self, manifest: str) -> str:
        """A run's location: the folder holding the manifest's folder (the container at most)."""
        return self.folder_url(PurePosixPath(manifest).parent.parent)


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
            raise CostDataError(f"{url}: expected http(s)://HOST/ACCOUNT/CONTAINER[/PREFIX]")
        account_url = f"{parts.scheme}://{parts.netloc}/{segments[0]}"
        segments = segments[1:]
    else:
        if not segments:
            raise CostDataError(f"{url}: expected https://ACCOUNT.blob.core.windows.net/CONTAINER[/PREFIX]")
        account_url = f"{parts.scheme}://{parts.netloc}"
    sas = parts.query if "sig=" in parts.query else ""
    return BlobLocation(account_url, segments[0], "/".join(segments[1:]), sas)


def container_client(location: BlobLocation, connection_string: str | None, options: dict | None = None):
    """A ContainerClient from the connection string given (--connection-string, or $AZURE_STORAGE_CONNECTION_STRING
    through the option), else the URL's SAS, else DefaultAzureCredential; every request bounded
    (`blob_client_options`, docs/limits.md) so a silent, stalled or trickling endpoint cannot hang a load."""
    from azure.storage.blob import BlobServiceClient

    options = options or blob_client_options()
    if not connection_string and location.sas:  # a SAS URL: its signature is the credential
        return BlobServiceClient(location.account_url, credential=location.sas, **options).get_container_client(
            location.container)
    connection_string = connection_string or os.environ.get("AZURE_STORAGE_CONNECTION_STRING")
    if connection_string:
        try:
            service = BlobServiceClient.from_connection_string(connection_string, **options)
        except ValueError:  # never echo the string: it holds the account key
            raise CostDataError(
                "the storage connection string (--connection-string or AZURE_STORAGE_CONNECTION_STRING) is "
                "malformed; copy it again from the storage account's Access keys blade, in the form "
                "DefaultEndpointsProtocol=https;AccountName=...;AccountKey=...;EndpointSuffix=...") from None
    else:
        from azure.identity import DefaultAzureCredential

        service = BlobServiceClient(location.account_url, credential=DefaultAzureCredential(), **options)
    return service.get_container_client(location.container)


@dataclass
class BlobDownload:
    """What `download_exports` fetched, and what it left in the container because the store has it already."""

    location: BlobLocation
    etags: dict[str, str] = field(default_factory=dict)  # blob URL -> ETag, of every blob considered
    downloaded: int = 0  # data blobs fetched
    unchanged: list[tuple[str, str]] = field(default_factory=list)  # (source name, why) not fetched
    notes: dict[str, list[str]] = field(default_factory=dict)  # source name -> notes (earlier runs ignored)

    def sources(self, folder: Path) -> list[ExportSource]:
        """The sources in the download folder (none when nothing was left to fetch), named by their blob URLs,
        each with the ETags of its blobs and the notes about runs of it that were not fetched."""
        if not any(path.is_file() for path in folder.rglob("*")):
            return []
        base = self.location.prefix.rstrip("/")
        def shown(relative: str) -> str:
            return self.location.url(f"{base}/{relative}".lstrip("/") if relative else "")

        # A loose blob's source name is its URL (its full location), as a local file's is its path; a run's
        # location is worked out from its container path, not from the download folder.
        found = discover(folder, shown, lambda _path, relative: shown(relative),
                         lambda _path, relative: self.location.run_location(f"{base}/{relative}".lstrip("/")))
        for source in found:
            urls = [source.origin] + [export.display_name for export in source.files]
            source.blob_etags = {url: self.etags[url] for url in urls if url in self.etags}
            source.notes.extend(self.notes.get(source.name, []))
        return found


def download_exports(url: str, target_dir: Path, connection_string: str | None = None,
                     loaded_etags: dict[str, str] | None = None) -> BlobDownload:
    """Download the export blobs under the URL's prefix that a load needs into `target_dir`.

    `loaded_etags` (blob URL -> ETag, from the store) marks blobs loaded before: a run or file whose blobs all
    still have those ETags is left in the container and reported unchanged.
    """
    from azure.core.exceptions import AzureError

    location = parse_blob_url(url)
    safe_url = redact(url)  # a SAS URL's signature is never echoed
    prefix = location.prefix.rstrip("/") + "/" if location.prefix else ""
    download = BlobDownload(location)
    command = Deadline.after(COMMAND_SECONDS, "the command's downloads")
    options = blob_client_options()
    transport = options["transport"]
    try:
        client = container_client(location, connection_string, options)
        with transport.transfer(Transfer(f"{safe_url}: the listing of the container", (command,), outcome=NOT_LOADED)):
            sizes = _list_export_blobs(client, prefix, safe_url)
        listed = {name: etag for name, (etag, _) in sizes.items()}
        download.etags = {location.url(name): etag for name, etag in listed.items()}

        def fetch(name: str) -> Path:
            # A blob name such as focus/a/../../x.csv must not write outside the download folder.
            local = inside(target_dir, name[len(prefix):], what=f"{safe_url}: blob {name!r}")
            _fetch_bounded(client, transport, name, redact(location.url(name)), sizes[name][1], local, command)
            return local

        wanted = _choose(listed, prefix, location, {name: fetch(name) for name in listed
                                                      if PurePosixPath(name).name in MANIFEST_NAMES},
                         loaded_etags or {}, download)
        for name in wanted:
            fetch(name)
        download.downloaded = len(wanted)
    except BodyLimitError as exc:  # a deadline or the size cap, named with the limit and how to raise it
        raise CostDataError(redact(exc.message)) from exc
    except AzureError as exc:
        message = redact(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        how = ("check the URL, and that its SAS has not expired and grants read and list (sp=rl) on the container"
               if location.sas and not connection_string else
               "check the URL, that you are signed in (az login) or gave --connection-string or a SAS URL, and that "
               "the identity has Storage Blob Data Reader on the container")
        raise CostDataError(f"{safe_url}: cannot read the container: {message}; {how}") from exc
    return download


def _list_export_blobs(client, prefix: str, safe_url: str) -> dict[str, tuple[str, int | None]]:
    """Name -> (ETag, size the listing states) of the export blobs under the prefix; stops past MAX_BLOBS."""
    listed: dict[str, tuple[str, int | None]] = {}
    for blob in client.list_blobs(name_starts_with=prefix or None):
        if is_data_file(Path(blob.name)) or PurePosixPath(blob.name).name in MANIFEST_NAMES:
            listed[blob.name] = (blob.etag, blob.size)
            if len(listed) > MAX_BLOBS:
                raise CostDataError(f"{safe_url}: more than {MAX_BLOBS} export blobs; narrow the prefix to one export "
                                    "folder")
    if not listed:
        raise CostDataError(f"{safe_url}: no export files (.csv, .csv.gz, .parquet, manifest.json) under this prefix")
    return listed


def _fetch_bounded(client, transport: BoundedRequestsTransport, name: str, shown: str, size: int | None,
                   local: Path, command: Deadline) -> None:
    """Stream one blob to `local` in ranged chunks (temp file, then rename) within its deadline, the command's
    and the size cap; on a limit, BodyLimitError and no file."""
    transfer = blob_transfer(shown, command, outcome=NOT_LOADED)
    transfer.refuse_stated_size(size, "the container")

    def write(handle) -> None:
        for chunk in blob_chunks(transport, transfer, lambda: client.download_blob(name, max_concurrency=1)):
            handle.write(chunk)

    write_atomic_with(local, write)


def _choose(listed: dict[str, str], prefix: str, location: BlobLocation, manifests: dict[str, Path],
            loaded: dict[str, str], download: BlobDownload) -> list[str]:
    """The data blobs to download; manifests of runs not loaded now are removed from the download folder."""
    runs: list[tuple[RunManifest, str, list[str], bool]] = []
    claimed: set[str] = set()
    for name, local in sorted(manifests.items()):
        relative = name[len(prefix):]
        run = read_run_manifest(local, relative, location.url(name), location.run_location(name),
                                location.folder_url(PurePosixPath(name).parent))
        data = [_listed_name(str(blob.get("blobName", "")), name, listed) for blob in run.blobs]
        found = [blob for blob in data if blob is not None]
        claimed.update(found)
        # A run whose manifest lists a blob the container lacks is downloaded as it is, for discovery to report.
        runs.append((run, name, found, len(found) == len(data)))
    wanted: list[str] = []
    for (run, manifest, data, complete), earlier in latest_runs(runs, lambda c: c[0].name, lambda c: c[0].submitted):
        for _, older, _, _ in earlier:
            manifests[older].unlink()
            download.notes.setdefault(run.name, []).append(EARLIER_RUN + location.url(older))
        if complete and all(loaded.get(location.url(blob)) == listed[blob] for blob in [manifest, *data]):
            manifests[manifest].unlink()
            download.unchanged.append((run.name, "already in the store: the run's blobs are unchanged"))
        else:
            wanted += data
    for name in sorted(set(listed) - claimed - set(manifests)):
        if loaded.get(location.url(name)) == listed[name]:
            download.unchanged.append((location.url(name), "already in the store: the blob is unchanged"))
        else:
            wanted.append(name)
    return wanted


def _listed_name(blob_name: str, manifest: str, listed: dict[str, str]) -> str | None:
    """The container path of a blob a manifest lists: as written, or beside the manifest."""
    if blob_name in listed:
        return blob_name
    beside = str(PurePosixPath(manifest).parent / PurePosixPath(blob_name).name)
    return beside if beside in listed else None
