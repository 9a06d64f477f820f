"""Reading an HTTP body within a deadline and a size cap, for requests and azure-core alike (docs/limits.md).

`requests` and azure-core time out only a single socket read, so a server that sends one byte every few
seconds keeps a request alive for ever. Here the body is read with `read1` (whatever one socket read gives)
and the clock is checked after each read, so the per-request deadline holds whatever the server does.
"""

from __future__ import annotations

import time
from typing import Any

from estate.foundation.errors import InputError
from estate.foundation.limits import MIB, REQUEST_SECONDS, RESPONSE_MIB


class BodyLimitError(InputError):
    """An answer took longer than the per-request deadline, or was larger than the size cap (exit 2)."""


def read_body_bounded(response: Any, what: str, *, started: float | None = None) -> bytes:
    """The whole body of a streamed `requests.Response`, or BodyLimitError; the response is closed either way."""
    import requests
    import urllib3

    deadline = (started or time.monotonic()) + REQUEST_SECONDS.value()
    cap = RESPONSE_MIB.value() * MIB
    chunks, size = [], 0
    try:
        while True:
            try:
                chunk = response.raw.read1(64 * 1024, decode_content=True)
            except urllib3.exceptions.HTTPError as exc:
                raise requests.ConnectionError(f"the answer broke off ({type(exc).__name__})") from exc
            if not chunk:
                break
            size += len(chunk)
            if size > cap:
                raise BodyLimitError(f"{what}: the answer is larger than {RESPONSE_MIB.value()} MiB; nothing was "
                                     f"written ({RESPONSE_MIB.how_to_raise()})")
            if time.monotonic() > deadline:
                raise BodyLimitError(f"{what}: the answer took more than {REQUEST_SECONDS.value()} s; nothing was "
                                     f"written, try again later ({REQUEST_SECONDS.how_to_raise()})")
            chunks.append(chunk)
    finally:
        response.close()
    return b"".join(chunks)
