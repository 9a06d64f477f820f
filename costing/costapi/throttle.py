"""Staying inside Cost Management's rate limits: a client-side limiter and a retry policy that reads its headers.

The service allows roughly 12 queries per 10 s, 60 per minute and 600 per hour per scope, and answers a
query over the limit with 429 and `x-ms-ratelimit-microsoft.costmanagement-*-retry-after` headers (often
without `Retry-After`). azure-core's stock RetryPolicy does not retry such a 429 on POST, and retries a POST
500 ten times; this one retries 429 and 5xx a bounded number of times, waiting as long as the service asks
or, when it does not say, with jittered exponential backoff.
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from azure.core.pipeline import PipelineRequest
from azure.core.pipeline.policies import RetryPolicy, SansIOHTTPPolicy

from estate.foundation.limits import COMMAND_SECONDS, retry_after_seconds

# Documented per-scope limits: (queries, window in seconds).
QUERY_LIMITS: tuple[tuple[int, float], ...] = ((12, 10.0), (60, 60.0), (600, 3600.0))
RETRY_AFTER_HEADERS = (
    "x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after",
    "x-ms-ratelimit-microsoft.costmanagement-entity-retry-after",
    "x-ms-ratelimit-microsoft.costmanagement-tenant-retry-after",
    "x-ms-ratelimit-microsoft.costmanagement-client-retry-after",
    "retry-after",
)
RETRYABLE_STATUS = (408, 429, 500, 502, 503, 504)


class SlidingWindowLimiter:
    """Blocks until a request for `key` fits every (count, window) limit; thread-safe."""

    def __init__(self, limits: tuple[tuple[int, float], ...] = QUERY_LIMITS, *,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        self.limits = limits
        self._clock = clock
        self._sleep = sleep
        self._sent: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self.waited_seconds = 0.0

    def acquire(self, key: str) -> float:
        """Wait for a slot for `key`, record the request, and return how long it waited."""
        waited = 0.0
        while True:
            with self._lock:
                delay = self._delay(key, self._clock())
                if delay <= 0:
                    self._sent.setdefault(key, deque()).append(self._clock())
                    self.waited_seconds += waited
                    return waited
            self._sleep(delay)
            waited += delay

    def _delay(self, key: str, now: float) -> float:
        sent = self._sent.setdefault(key, deque())
        longest = max(window for _, window in self.limits)
        while sent and now - sent[0] >= longest:
            sent.popleft()
        delay = 0.0
        for count, window in self.limits:
            recent = [stamp for stamp in sent if now - stamp < window]
            if len(recent) >= count:
                delay = max(delay, window - (now - recent[-count]) + 0.05)
        return delay


class RateLimitPolicy(SansIOHTTPPolicy):
    """Per-try pipeline policy: every request to Cost Management waits for its scope's limiter slot."""

    def __init__(self, limiter: SlidingWindowLimiter) -> None:
        self.limiter = limiter

    def on_request(self, request: PipelineRequest[Any]) -> None:
        path = urlsplit(request.http_request.url).path
        if "/providers/Microsoft.CostManagement/query" in path:
            self.limiter.acquire(path.split("/providers/Microsoft.CostManagement/")[0].lower())


class CostManagementRetryPolicy(RetryPolicy):
    """Retries 429 and 5xx on any method a bounded number of times, honouring Cost Management's headers."""

    def __init__(self, *, max_retries: int = 6, backoff_seconds: float = 2.0, max_backoff_seconds: float = 120.0,
                 rng: random.Random | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("timeout", COMMAND_SECONDS.value())  # overall time for one request and its retries
        super().__init__(retry_total=max_retries, retry_status=max_retries, retry_connect=3, retry_read=3,
                         retry_backoff_factor=backoff_seconds, retry_backoff_max=max_backoff_seconds,
                         retry_on_status_codes=list(RETRYABLE_STATUS), **kwargs)
        self._rng = rng or random.Random()
        self.retries_seen: list[int] = []

    def get_retry_after(self, response: Any) -> float | None:
        """The longest wait any of Cost Management's retry-after headers asks for, in seconds.

        `nan`, negative or unreadable values count as absent (jittered backoff instead); a wait above the
        ceiling (`ESTATE_MAX_RETRY_AFTER_SECONDS`, 300 s) stops the pull with a clear message.
        """
        headers = response.http_response.headers
        waits = [wait for name in RETRY_AFTER_HEADERS if (wait := retry_after_seconds(headers.get(name))) is not None]
        return max(waits) if waits else None

    def is_retry(self, settings: dict[str, Any], response: Any) -> bool:
        status = response.http_response.status_code
        if status in RETRYABLE_STATUS:
            self.retries_seen.append(status)
            return True
        return False

    def get_backoff_time(self, settings: dict[str, Any]) -> float:
        """Full jitter: a random wait up to the exponential backoff, so parallel pulls do not retry in step."""
        attempts = len(settings["history"])
        ceiling = min(settings["max_backoff"], settings["backoff"] * (2 ** max(attempts - 1, 0)))
        return self._rng.uniform(ceiling / 2, ceiling)
