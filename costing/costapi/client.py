"""A CostManagementClient wired for long pulls: our retry policy, the rate limiter, any cloud's endpoint."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from azure.core.credentials import TokenCredential
from azure.core.pipeline import PipelineRequest
from azure.core.pipeline.policies import SansIOHTTPPolicy

from costing.costapi.throttle import CostManagementRetryPolicy, RateLimitPolicy, SlidingWindowLimiter
from costing.http_bounds import BoundedRequestsTransport
from estate.foundation.errors import UsageError
from estate.foundation.limits import REQUEST_SECONDS

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class LoopbackHttpPolicy(SansIOHTTPPolicy):
    """Allow bearer tokens over plain http to loopback addresses only (local stand-ins); never elsewhere."""

    def on_request(self, request: PipelineRequest[Any]) -> None:
        url = urlsplit(request.http_request.url)
        if url.scheme == "http" and url.hostname in LOOPBACK_HOSTS:
            request.context.options["enforce_https"] = False


def check_endpoint(endpoint: str) -> str:
    """An https endpoint, or http on a loopback address; anything else is a usage error."""
    url = urlsplit(endpoint)
    if url.scheme == "https" or (url.scheme == "http" and url.hostname in LOOPBACK_HOSTS):
        return endpoint.rstrip("/")
    raise UsageError(f"--endpoint {endpoint!r}: use an https management endpoint (e.g. "
                     "https://management.usgovcloudapi.net); plain http is accepted for 127.0.0.1 only")


def default_credential() -> TokenCredential:
    """DefaultAzureCredential without interactive prompts: env vars, managed identity, Azure CLI, ..."""
    from azure.identity import DefaultAzureCredential

    return DefaultAzureCredential(exclude_interactive_browser_credential=True)


def cost_client(endpoint: str | None = None, credential: TokenCredential | None = None, *,
                retry_policy: CostManagementRetryPolicy | None = None,
                limiter: SlidingWindowLimiter | None = None) -> Any:
    """Build the real azure-mgmt-costmanagement client for a pull."""
    from azure.mgmt.costmanagement import CostManagementClient

    kwargs: dict[str, Any] = {
        "retry_policy": retry_policy or CostManagementRetryPolicy(),
        "per_call_policies": [LoopbackHttpPolicy()],
        "per_retry_policies": [RateLimitPolicy(limiter or SlidingWindowLimiter())],
        "polling_interval": 5,
        # Bounded time (docs/limits.md): azure-core's transport timeouts for each read, and the retry
        # policy's overall timeout (see CostManagementRetryPolicy) for a request with its retries.
        "connection_timeout": 10,
        "read_timeout": REQUEST_SECONDS.value(),
        "transport": BoundedRequestsTransport(connection_timeout=10, read_timeout=REQUEST_SECONDS.value()),
    }
    if endpoint:
        base = check_endpoint(endpoint)
        kwargs["base_url"] = base
        kwargs["credential_scopes"] = [f"{base}/.default"]
    return CostManagementClient(credential or default_credential(), **kwargs)
