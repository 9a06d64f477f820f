"""A loopback stand-in for Azure Blob Storage that speaks just enough of the REST protocol for the real
azure-storage-blob client: List Blobs (one page of XML) and Get Blob (whole or ranged), with each blob's body
sent the way the test asks (in pieces with a pause between them, a size in the listing that is not the real one).

It serves one container of one account on 127.0.0.1 and a free port, ignores authentication, logs every request,
and stops (within a fraction of a second, even in the middle of a trickled body) when the `with` block ends.
"""

from __future__ import annotations

import re
import sys
import threading
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit
from xml.sax.saxutils import escape

ACCOUNT = "devstoreaccount1"
# Azurite's well-known development key (public, documented by Microsoft): the client signs with it, unchecked here.
DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
LAST_MODIFIED = formatdate(0, usegmt=True)


@dataclass
class StandInBlob:
    data: bytes
    listed_size: int | None = None  # the Content-Length the listing states (None: the real size)
    piece: int = 64 * 1024  # bytes written at a time
    pause: float = 0.0  # seconds between pieces

    @property
    def etag(self) -> str:
        return f'"0x{len(self.data):X}"'


@dataclass
class BlobServer:
    container: str = "exports"
    blobs: dict[str, StandInBlob] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)  # "GET /path?query" of every request
    port: int = 0

    @property
    def account_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{ACCOUNT}"

    @property
    def connection_string(self) -> str:
        return (f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={DEV_KEY};"
                f"BlobEndpoint={self.account_url};")

    def __enter__(self) -> BlobServer:
        self._stopping = threading.Event()
        self._httpd = _Quiet(("127.0.0.1", 0), type("Handler", (_Handler,), {"stand_in": self}))
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def _list_xml(self, prefix: str) -> bytes:
        items = "".join(
            f"<Blob><Name>{escape(name)}</Name><Properties><Last-Modified>{LAST_MODIFIED}</Last-Modified>"
            f"<Etag>{escape(blob.etag)}</Etag><Content-Length>"
            f"{len(blob.data) if blob.listed_size is None else blob.listed_size}</Content-Length>"
            "<Content-Type>application/octet-stream</Content-Type><BlobType>BlockBlob</BlobType>"
            "<LeaseStatus>unlocked</LeaseStatus><LeaseState>available</LeaseState></Properties></Blob>"
            for name, blob in sorted(self.blobs.items()) if name.startswith(prefix))
        return (f'<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="{self.account_url}/" '
                f'ContainerName="{escape(self.container)}"><Prefix>{escape(prefix)}</Prefix><Blobs>{items}</Blobs>'
                "<NextMarker /></EnumerationResults>").encode()


class _Quiet(ThreadingHTTPServer):
    """A client hanging up mid-answer is what the tests make happen: no traceback on (captured) stderr."""

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    stand_in: BlobServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        return

    def do_GET(self) -> None:
        stand_in = self.stand_in
        stand_in.requests.append(f"GET {self.path}")
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        parts = unquote(url.path).lstrip("/").split("/", 2)
        if parts[:2] != [ACCOUNT, stand_in.container]:
            return self._answer(404, b"", {"x-ms-error-code": "ContainerNotFound"})
        if len(parts) == 2 or not parts[2]:
            if query.get("comp") == ["list"]:
                return self._answer(200, stand_in._list_xml(query.get("prefix", [""])[0]),
                                    {"Content-Type": "application/xml"})
            return self._answer(400, b"", {})
        blob = stand_in.blobs.get(parts[2])
        if blob is None:
            return self._answer(404, b"", {"x-ms-error-code": "BlobNotFound"})
        total = len(blob.data)
        status, start, end = 200, 0, total - 1
        asked = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("x-ms-range") or self.headers.get("Range") or "")
        headers = {"ETag": blob.etag, "Last-Modified": LAST_MODIFIED, "x-ms-blob-type": "BlockBlob",
                   "Accept-Ranges": "bytes", "Content-Type": "application/octet-stream"}
        if asked:
            start = int(asked.group(1))
            end = min(int(asked.group(2)) if asked.group(2) else total - 1, total - 1)
            status = 206
            headers["Content-Range"] = f"bytes {start}-{end}/{total}"
        self._answer(status, blob.data[start:end + 1], headers, blob.piece, blob.pause)

    def _answer(self, status: int, body: bytes, headers: dict[str, str], piece: int = 1 << 16,
                pause: float = 0.0) -> None:
        self.send_response(status)
        for key, value in {**headers, "x-ms-version": "2025-01-05", "x-ms-request-id": "stand-in",
                           "Content-Length": str(len(body))}.items():
            self.send_header(key, value)
        self.end_headers()
        stopping = self.stand_in._stopping
        try:
            for offset in range(0, len(body), piece):
                if stopping.is_set():
                    break
                self.wfile.write(body[offset:offset + piece])
                self.wfile.flush()
                if pause:
                    stopping.wait(pause)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = self.close_connection or stopping.is_set() or bool(pause)
