"""Reading HTTP bodies within deadlines and a size cap, for requests and azure-core alike (docs/limits.md).

`requests` and azure-core time out only a single socket read, so a server that sends one byte every few
seconds keeps a request alive for ever. Here bodies are read with `read1` (whatever one socket read gives)
and the clock is checked after each read, so the deadlines hold whatever the server does:

- `read_body_bounded`: one `requests` answer, within the per-request deadline and the response size cap;
- `BoundedRequestsTransport`: azure-core's requests transport doing the same for every answer of a client
  (Cost Management, Blob Storage). While a `Transfer` is active on it (a blob fetched in several ranged
  requests), the transfer's own deadlines (one blob, the whole command) and its byte cap apply to every read
  and every retry as well, and a streamed answer is read the same bounded way;
- `blob_client_options` and `blob_chunks`: an azure-storage-blob client on that transport, and one blob's bytes
  in ranged chunks of `BLOB_CHUNK_BYTES` within its limits (`estate cost load` and `cost pull --method details`);
- `HeaderDeadlineAdapter` and `headers_within`: the status line and headers too, which http.client reads before
  any body: a watchdog shuts the socket down at the deadline, so a server that trickles its headers stops there
  as well (the transport above and the Retail Prices client both mount it).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import urllib3.connection
from azure.core.pipeline.transport import RequestsTransport
from requests.adapters import HTTPAdapter

from estate.foundation.errors import InputError
from estate.foundation.limits import BLOB_MIB, BLOB_SECONDS, MIB, REQUEST_SECONDS, RESPONSE_MIB, Limit

READ_BYTES = 64 * 1024  # at most this much per socket read
NOTHING_WRITTEN = "nothing was written"


class BodyLimitError(InputError):
    """An answer took longer than a deadline, or was larger than a size cap (exit 2)."""


@dataclass(frozen=True)
class Deadline:
    """A moment on the monotonic clock, the limit that set it, and what it times ("the answer", "the download")."""

    at: float
    limit: Limit
    subject: str

    @classmethod
    def after(cls, limit: Limit, subject: str, started: float | None = None) -> Deadline:
        return cls((time.monotonic() if started is None else started) + limit.value(), limit, subject)

    def error(self, what: str, outcome: str = NOTHING_WRITTEN) -> BodyLimitError:
        return BodyLimitError(f"{what}: {self.subject} took more than {self.limit.value()} s ({self.limit.name}); "
                              f"{outcome}, try again later ({self.limit.how_to_raise()})")


@dataclass(frozen=True)
class SizeCap:
    """At most `limit` MiB (read when the cap is made) of what `subject` names ("the answer", "the blob")."""

    limit: Limit
    subject: str

    @property
    def bytes(self) -> int:
        return self.limit.value() * MIB

    def error(self, what: str, outcome: str = NOTHING_WRITTEN) -> BodyLimitError:
        return BodyLimitError(f"{what}: {self.subject} is larger than {self.limit.value()} MiB ({self.limit.name}); "
                              f"{outcome} ({self.limit.how_to_raise()})")


@dataclass
class Transfer:
    """One download that may take several requests and retries (a blob fetched in ranges): the deadlines beyond
    the per-request one, a cap on the bytes received over all its answers, and the count so far."""

    what: str  # named in the error: a blob URL (never with a SAS query)
    deadlines: tuple[Deadline, ...] = ()
    cap: SizeCap | None = None
    outcome: str = NOTHING_WRITTEN  # what the error says became of the work
    received: int = 0

    def refuse_stated_size(self, size: int | None, stated_by: str | None = None) -> None:
        """BodyLimitError, before any byte is fetched, when a size stated for the blob (by a listing, a manifest
        or the first answer) is above the cap; `stated_by` ("the container") names who said so."""
        if self.cap is None or size is None or size <= self.cap.bytes:
            return
        if stated_by is None:
            raise self.cap.error(self.what, self.outcome)
        raise BodyLimitError(f"{self.what}: {stated_by} lists the blob at {size / MIB:.1f} MiB, more than "
                             f"{self.cap.limit.value()} MiB ({self.cap.limit.name}); {self.outcome} "
                             f"({self.cap.limit.how_to_raise()})")


class _Bounds:
    """The checks after every read of one answer: its deadlines, its own size cap, and the transfer's."""

    def __init__(self, what: str, deadlines: tuple[Deadline, ...], cap: SizeCap | None,
                 transfer: Transfer | None) -> None:
        self.what, self.deadlines, self.cap, self.transfer = what, deadlines, cap, transfer
        self.received = 0

    def check(self, size: int) -> None:
        outcome = self.transfer.outcome if self.transfer is not None else NOTHING_WRITTEN
        self.received += size
        if self.cap is not None and self.received > self.cap.bytes:
            raise self.cap.error(self.what, outcome)
        if self.transfer is not None:
            self.transfer.received += size
            if self.transfer.cap is not None and self.transfer.received > self.transfer.cap.bytes:
                raise self.transfer.cap.error(self.what, outcome)
        now = time.monotonic()
        passed = next((deadline for deadline in self.deadlines if now > deadline.at), None)
        if passed is not None:
            raise passed.error(self.what, outcome)


def _bounded_reads(raw: Any, check: Callable[[int], None], amount: int = READ_BYTES,
                   decode_content: bool | None = True) -> Iterator[bytes]:
    """A urllib3 response's body in blocks of up to `amount` bytes, read one socket read at a time (`read1`),
    each read checked. Reads are joined into blocks: a socket read may give a few KiB in a much larger buffer,
    and thousands of those held at once (a 4 MiB ranged answer) would cost several times the body's size."""
    block = bytearray()
    while True:
        piece = raw.read1(READ_BYTES, decode_content=decode_content)
        if piece:
            check(len(piece))
            block += piece
        if block and (not piece or len(block) >= amount):
            yield bytes(block)
            block.clear()
        if not piece:
            return


@dataclass
class HeaderWatch:
    """The moment by which an answer's status line and headers must have arrived, and whether the watchdog had to
    cut the connection for it."""

    at: float
    cut: bool = False


_HEADERS_DUE: ContextVar[HeaderWatch | None] = ContextVar("estate_headers_due", default=None)


@contextlib.contextmanager
def headers_within(at: float) -> Iterator[HeaderWatch]:
    """Requests made in this block through a `HeaderDeadlineAdapter` get their headers by `at` (monotonic clock),
    or their socket is shut down then; the watch says whether that happened."""
    watch = HeaderWatch(at)
    token = _HEADERS_DUE.set(watch)
    try:
        yield watch
    finally:
        _HEADERS_DUE.reset(token)


class _WatchedHeaders:
    """A urllib3 connection whose `getresponse` (status line and headers) meets the active `headers_within`."""

    sock: Any

    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        watch = _HEADERS_DUE.get()
        if watch is None:
            return super().getresponse(*args, **kwargs)  # type: ignore[misc]
        timer = threading.Timer(max(0.0, watch.at - time.monotonic()), self._cut, (watch,))
        timer.daemon = True
        timer.start()
        try:
            return super().getresponse(*args, **kwargs)  # type: ignore[misc]
        finally:
            timer.cancel()

    def _cut(self, watch: HeaderWatch) -> None:
        sock = getattr(self, "sock", None)
        if sock is not None:
            watch.cut = True
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # the blocked read returns; the request fails at once


class _WatchedHTTPConnection(_WatchedHeaders, urllib3.connection.HTTPConnection):
    pass


class _WatchedHTTPSConnection(_WatchedHeaders, urllib3.connection.HTTPSConnection):
    pass


class HeaderDeadlineAdapter(HTTPAdapter):
    """requests' adapter whose connections read the status line and headers within `headers_within`'s deadline."""

    def get_connection_with_tls_context(self, *args: Any, **kwargs: Any) -> Any:
        pool = super().get_connection_with_tls_context(*args, **kwargs)
        if pool.ConnectionCls is urllib3.connection.HTTPSConnection:
            pool.ConnectionCls = _WatchedHTTPSConnection
        elif pool.ConnectionCls is urllib3.connection.HTTPConnection:
            pool.ConnectionCls = _WatchedHTTPConnection
        return pool


def mount_header_deadlines(session: Any, **adapter_options: Any) -> Any:
    """Mount a `HeaderDeadlineAdapter` on a requests session for http and https; returns the session."""
    adapter = HeaderDeadlineAdapter(**adapter_options)
    for prefix in ("http://", "https://"):
        session.mount(prefix, adapter)
    return session


def read_body_bounded(response: Any, what: str, *, started: float | None = None) -> bytes:
    """The whole body of a streamed `requests.Response`, or BodyLimitError; the response is closed either way."""
    import requests
    import urllib3

    bounds = _Bounds(what, (Deadline.after(REQUEST_SECONDS, "the answer", started),),
                     SizeCap(RESPONSE_MIB, "the answer"), None)
    try:
        try:
            return b"".join(_bounded_reads(response.raw, bounds.check))
        except urllib3.exceptions.HTTPError as exc:
            raise requests.ConnectionError(f"the answer broke off ({type(exc).__name__})") from exc
    finally:
        response.close()


class _BoundedRaw:
    """A urllib3 response whose `stream` (what requests' `iter_content` reads) is `_bounded_reads`."""

    def __init__(self, raw: Any, check: Callable[[int], None]) -> None:
        self._raw, self._check = raw, check

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)

    def stream(self, amt: int | None = READ_BYTES, decode_content: bool | None = None) -> Iterator[bytes]:
        return _bounded_reads(self._raw, self._check, amt or READ_BYTES, decode_content)


class BoundedRequestsTransport(RequestsTransport):
    """azure-core's requests transport, reading every body within the per-request deadline (and, unless it is
    streamed, the response size cap), and within the deadlines and cap of the transfer active on it, if any.

    Each attempt's connection and read timeouts are cut to the time left, an attempt after a deadline is not
    made, and a retry policy's back-off sleeps no longer than the time left. One transfer at a time per transport.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._transfer: Transfer | None = None

    def _init_session(self, session: Any) -> None:
        super()._init_session(session)
        from urllib3.util.retry import Retry

        # As azure-core's own adapter (its pipeline retries, not urllib3), with the headers' deadline too.
        mount_header_deadlines(session, max_retries=Retry(total=False, redirect=False, raise_on_status=False))

    @contextlib.contextmanager
    def transfer(self, transfer: Transfer) -> Iterator[Transfer]:
        """Bound every request made meanwhile (a blob's ranged GETs and their retries) by `transfer` too."""
        previous, self._transfer = self._transfer, transfer
        try:
            yield transfer
        finally:
            self._transfer = previous

    def _transfer_deadlines(self) -> tuple[Deadline, ...]:
        return self._transfer.deadlines if self._transfer is not None else ()

    def sleep(self, duration: float) -> None:
        now = time.monotonic()
        left = min((deadline.at - now for deadline in self._transfer_deadlines()), default=duration)
        super().sleep(max(0.0, min(duration, left)))

    def send(self, request: Any, **kwargs: Any) -> Any:
        import requests
        from azure.core.exceptions import HttpResponseError, IncompleteReadError, ServiceResponseError
        from azure.core.rest import HttpResponse as RestHttpResponse

        transfer = self._transfer
        what = transfer.what if transfer is not None else f"{request.method} {request.url.split('?')[0]}"
        started = time.monotonic()
        deadlines = (Deadline.after(REQUEST_SECONDS, "the answer", started), *self._transfer_deadlines())
        earliest = min(deadlines, key=lambda deadline: deadline.at)
        left = earliest.at - started
        if left <= 0:
            raise earliest.error(what, transfer.outcome if transfer is not None else NOTHING_WRITTEN)
        for key, configured in (("connection_timeout", self.connection_config.timeout),
                                ("read_timeout", self.connection_config.read_timeout)):
            kwargs[key] = min(kwargs.get(key) or configured, left)
        streamed = bool(kwargs.get("stream"))
        kwargs["stream"] = True
        with headers_within(earliest.at) as watch:
            try:
                response = super().send(request, **kwargs)
            except Exception as exc:
                if watch.cut:  # the headers did not come in time: that deadline's error, not a retry
                    raise earliest.error(what, transfer.outcome if transfer is not None else NOTHING_WRITTEN
                                         ) from exc
                raise
        if watch.cut:  # cut part-way through the headers, which http.client may take as their end
            response.internal_response.close()
            raise earliest.error(what, transfer.outcome if transfer is not None else NOTHING_WRITTEN)
        internal = response.internal_response
        bounds = _Bounds(what, deadlines, None if streamed else SizeCap(RESPONSE_MIB, "the answer"), transfer)
        internal.raw = _BoundedRaw(internal.raw, bounds.check)
        if streamed:
            return response
        try:
            if isinstance(response, RestHttpResponse):
                response.read()
                response.close()
            else:
                internal.content  # noqa: B018  (read now, through the bounded reads)
        except requests.exceptions.ChunkedEncodingError as exc:
            internal.close()
            raise (IncompleteReadError if "IncompleteRead" in str(exc) else HttpResponseError)(exc, error=exc) from exc
        except requests.RequestException as exc:
            internal.close()
            raise ServiceResponseError(f"the answer broke off ({type(exc).__name__})", error=exc) from exc
        except BaseException:
            internal.close()
            raise
        return response


BLOB_CHUNK_BYTES = 4 * MIB  # one ranged GET, azure-storage-blob's own chunk size (its first GET is 32 MiB otherwise)
BLOB_BLOCK_BYTES = 256 * 1024  # the blocks an answer is read in (azure-storage-blob's own default)


def blob_client_options() -> dict[str, Any]:
    """Keyword arguments for an azure-storage-blob client whose every request is bounded: a
    `BoundedRequestsTransport` (`options["transport"]`, for `blob_chunks`), ranged GETs of BLOB_CHUNK_BYTES, and
    storage's default retries with back-offs that never sleep past the active transfer's deadlines."""
    from azure.storage.blob import ExponentialRetry

    transport = BoundedRequestsTransport(connection_timeout=10, read_timeout=REQUEST_SECONDS.value(),
                                         connection_data_block_size=BLOB_BLOCK_BYTES)

    class DeadlineRetry(ExponentialRetry):
        def sleep(self, settings: Any, _transport: Any) -> None:
            backoff = self.get_backoff_time(settings)
            if backoff and backoff > 0:
                transport.sleep(backoff)

    return {"transport": transport, "retry_policy": DeadlineRetry(), "max_single_get_size": BLOB_CHUNK_BYTES,
            "max_chunk_get_size": BLOB_CHUNK_BYTES}


def blob_transfer(what: str, *deadlines: Deadline, outcome: str = NOTHING_WRITTEN) -> Transfer:
    """One blob's download: within BLOB_SECONDS (and `deadlines`, such as the command's), at most BLOB_MIB."""
    return Transfer(what, (Deadline.after(BLOB_SECONDS, "the download"), *deadlines), SizeCap(BLOB_MIB, "the blob"),
                    outcome)


def blob_chunks(transport: BoundedRequestsTransport, transfer: Transfer, download: Callable[[], Any]
                ) -> Iterator[bytes]:
    """The bytes of the blob `download()` starts (`client.download_blob(..., max_concurrency=1)`), chunk by chunk,
    every request within `transfer`'s limits; BodyLimitError at the first one passed."""
    with transport.transfer(transfer):
        downloader = download()
        transfer.refuse_stated_size(downloader.size)  # its first answer says how big the blob is
        yield from downloader.chunks()
