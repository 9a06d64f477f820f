"""A loopback stand-in for Azure Cost Management that speaks its wire protocol.

It serves Microsoft's published example responses (tests/data/third_party/azure-rest-api-specs/) at the real paths
and api-version, enforces the documented limits (at most two group-by clauses, at most one year per query,
roughly 12 queries per 10 s / 60 per minute / 600 per hour per scope), and can be scripted to fail the way
the real service does (429 with Cost Management's retry-after headers, 503, 401). It also plays an App
Service managed-identity endpoint so the real `DefaultAzureCredential` gets a token from it.

Only ever binds 127.0.0.1; `CostApiServer` is a context manager that always stops the server.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

API_VERSIONS = {"2025-03-01", "2024-08-01", "2023-11-01", "2023-03-01"}
TOKEN = "loopback-token-not-a-secret"
IDENTITY_HEADER = "loopback-identity-header"
QPU_RETRY_HEADER = "x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after"
LIMITS = ((12, 10.0), (60, 60.0), (600, 3600.0))  # (queries, window seconds) per scope


@dataclass
class Fault:
    """A scripted answer: the next `times` matching requests get this status and headers instead."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1
    path_contains: str = "/query"
    body: dict[str, Any] | None = None


@dataclass
class ServerLog:
    queries: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    token_requests: int = 0
    authorisations: list[str] = field(default_factory=list)

    def count(self, status: int) -> int:
        return self.statuses.count(status)


def example(data_dir: Path, name: str) -> dict[str, Any]:
    return json.loads((data_dir / "azure-rest-api-specs" / "cost-management-2025-03-01" / name).read_text())


class _ResetTolerant(ThreadingHTTPServer):
    """A client hanging up (a download stopped at a limit) is not a server error worth a traceback on stderr."""

    def handle_error(self, request: object, client_address: object) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class CostApiServer:
    """Start with `with CostApiServer(third_party) as server:`; `server.endpoint` is the base URL."""

    def __init__(self, data_dir: Path, *, mode: str = "examples", enforce_limits: bool = True,
                 rows_per_page: int = 1000, synthetic_resources: int = 20,
                 blob_bytes: bytes | None = None, poll_202_times: int = 1) -> None:
        self.data_dir = data_dir
        self.mode = mode
        self.enforce_limits = enforce_limits
        self.rows_per_page = rows_per_page
        self.synthetic_resources = synthetic_resources
        self.blob_bytes = blob_bytes
        self.poll_202_times = poll_202_times
        self.faults: list[Fault] = []
        self.log = ServerLog()
        self.kill_after_queries: int | None = None
        self.on_query: Callable[[dict[str, Any]], None] | None = None
        self._windows: dict[str, deque[float]] = defaultdict(deque)
        self._polls: dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------------------
    def __enter__(self) -> CostApiServer:
        handler = type("Handler", (_Handler,), {"server_state": self})
        self._httpd = _ResetTolerant(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._httpd is not None and self._thread is not None
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    @property
    def endpoint(self) -> str:
        assert self._httpd is not None
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    @property
    def identity_env(self) -> dict[str, str]:
        """The variables App Service sets for its managed identity, pointing at this server."""
        return {"IDENTITY_ENDPOINT": f"{self.endpoint}/msi/token", "IDENTITY_HEADER": IDENTITY_HEADER}

    # -- behaviour -------------------------------------------------------------------------------------------
    def take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.times > 0 and fault.path_contains in path:
                    fault.times -= 1
                    return fault
        return None

    def throttle_wait(self, scope: str) -> float:
        """Seconds until this scope may query again (0 = allowed, and the query is counted)."""
        if not self.enforce_limits:
            return 0.0
        now = time.monotonic()
        with self._lock:
            window = self._windows[scope]
            while window and now - window[0] > LIMITS[-1][1]:
                window.popleft()
            for limit, seconds in LIMITS:
                recent = [t for t in window if now - t < seconds]
                if len(recent) >= limit:
                    return seconds - (now - recent[-limit]) + 0.01
            window.append(now)
        return 0.0

    def query_response(self, scope: str, body: dict[str, Any], skiptoken: str | None) -> dict[str, Any]:
        if self.mode == "synthetic":
            return self._synthetic(scope, body, skiptoken)
        name = _example_for(scope)
        document = example(self.data_dir, name)["responses"]["200"]["body"]
        if skiptoken:
            # The examples hold one page; the page their nextLink names is the last, and empty.
            document = json.loads(json.dumps(document))
            document["properties"]["rows"] = []
            document["properties"]["nextLink"] = None
        return document

    def _synthetic(self, scope: str, body: dict[str, Any], skiptoken: str | None) -> dict[str, Any]:
        period = body.get("timePeriod") or {}
        start = date.fromisoformat(period["from"][:10])
        end = date.fromisoformat(period["to"][:10])
        days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
        rows: list[list[Any]] = []
        for day in days:
            for index in range(self.synthetic_resources):
                resource = (f"/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-wave-"
                            f"{index % 3}/providers/Microsoft.Compute/virtualMachines/vm-{index:03d}")
                cost = round(1.25 + index * 0.5 + day.day / 100, 6)
                line = "azure-costs-sungard" if index % 4 else "orchard-house-costs"
                rows.append([cost, resource, "business-case-line", line, int(day.strftime("%Y%m%d")), "GBP"])
        offset = int(skiptoken or 0)
        page = rows[offset:offset + self.rows_per_page]
        next_offset = offset + len(page)
        next_link = None
        if next_offset < len(rows):
            next_link = (f"https://management.azure.com/{scope.strip('/')}/providers/Microsoft.CostManagement/"
                         f"query?api-version=2025-03-01&$skiptoken={next_offset}")
        return {"id": f"{scope}/providers/Microsoft.CostManagement/query/synthetic", "name": "synthetic",
                "type": "Microsoft.CostManagement/query",
                "properties": {"nextLink": next_link,
                               "columns": [{"name": "Cost", "type": "Number"}, {"name": "ResourceId", "type": "String"},
                                           {"name": "TagKey", "type": "String"}, {"name": "TagValue", "type": "String"},
                                           {"name": "UsageDate", "type": "Number"},
                                           {"name": "Currency", "type": "String"}],
                               "rows": page}}


def _example_for(scope: str) -> str:
    lowered = scope.lower()
    if "billingaccounts" in lowered:
        return "BillingAccountQuery.json"
    if "resourcegroups" in lowered:
        return "ResourceGroupQuery.json"
    return "SubscriptionQuery.json"


def _arm_error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


class _Handler(BaseHTTPRequestHandler):
    server_state: CostApiServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:  # keep test output quiet
        return

    # -- plumbing --------------------------------------------------------------------------------------------
    def _send(self, status: int, body: dict[str, Any] | bytes | None = None,
              headers: dict[str, str] | None = None) -> None:
        self.server_state.log.statuses.append(status)
        payload = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else b"")
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if not isinstance(body, bytes):
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("x-ms-request-id", "loopback")
        self.end_headers()
        self.wfile.write(payload)

    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        return json.loads(raw) if raw else {}

    def _authorised(self) -> bool:
        header = self.headers.get("Authorization", "")
        self.server_state.log.authorisations.append(header)
        if header != f"Bearer {TOKEN}":
            self._send(401, _arm_error("AuthenticationFailed", "The access token is missing or invalid."),
                       {"WWW-Authenticate": 'Bearer authorization_uri="https://login.microsoftonline.com/"'})
            return False
        return True

    # -- routes ----------------------------------------------------------------------------------------------
    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        if url.path == "/msi/token":
            self._token(query)
        elif "/costDetailsOperationResults/" in url.path:
            self._operation_result(url.path)
        elif url.path.startswith("/blobs/"):
            self._blob()
        else:
            self._send(404, _arm_error("NotFound", f"no route for GET {url.path}"))

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        state = self.server_state
        body = self._body()
        if query.get("api-version", [""])[0] not in API_VERSIONS:
            self._send(400, _arm_error("InvalidApiVersion", "unsupported api-version"))
            return
        if not self._authorised():
            return
        fault = state.take_fault(url.path)
        if fault is not None:
            self._send(fault.status, fault.body or _arm_error("Scripted", f"scripted {fault.status}"), fault.headers)
            return
        scope = url.path.split("/providers/Microsoft.CostManagement/")[0].strip("/")
        if url.path.endswith("/providers/Microsoft.CostManagement/query"):
            self._query(scope, body, query.get("$skiptoken", [None])[0])
        elif url.path.endswith("/providers/Microsoft.CostManagement/generateCostDetailsReport"):
            self._details(scope)
        else:
            self._send(404, _arm_error("NotFound", f"no route for POST {url.path}"))

    def _token(self, query: dict[str, list[str]]) -> None:
        state = self.server_state
        if self.headers.get("X-IDENTITY-HEADER") != IDENTITY_HEADER:
            self._send(401, {"error": "invalid identity header"})
            return
        state.log.token_requests += 1
        resource = query.get("resource", [""])[0]
        self._send(200, {"access_token": TOKEN, "expires_on": str(int(time.time()) + 3600), "resource": resource,
                         "token_type": "Bearer", "client_id": "00000000-0000-0000-0000-000000000000"})

    def _query(self, scope: str, body: dict[str, Any], skiptoken: str | None) -> None:
        state = self.server_state
        dataset = body.get("dataset") or {}
        if len(dataset.get("grouping") or []) > 2:
            self._send(400, _arm_error("BadRequest", "Invalid query definition: more than 2 groupings."))
            return
        period = body.get("timePeriod")
        if period and (date.fromisoformat(period["to"][:10]) - date.fromisoformat(period["from"][:10])).days > 366:
            self._send(400, _arm_error("BadRequest", "Invalid query definition: time period over one year."))
            return
        wait = state.throttle_wait(scope)
        if wait > 0:
            self._send(429, _arm_error("429", "Too many requests. Please retry."),
                       {QPU_RETRY_HEADER: f"{wait:.0f}" if wait >= 1 else "1",
                        "x-ms-ratelimit-microsoft.costmanagement-entity-retry-after": f"{max(wait, 1):.0f}"})
            return
        with state._lock:
            state.log.queries.append({"scope": scope, "body": body, "skiptoken": skiptoken})
            if state.kill_after_queries is not None and len(state.log.queries) > state.kill_after_queries:
                state.log.queries.pop()
                self._send(503, _arm_error("ServiceUnavailable", "stand-in stopped answering"))
                return
        self._send(200, state.query_response(scope, body, skiptoken))

    def _details(self, scope: str) -> None:
        operation = f"/{scope}/providers/Microsoft.CostManagement/costDetailsOperationResults/" \
                    "00000000-0000-0000-0000-000000000000?api-version=2025-03-01"
        self._send(202, None, {"Location": f"{self.server_state.endpoint}{operation}", "Retry-After": "1"})

    def _operation_result(self, path: str) -> None:
        state = self.server_state
        if not self._authorised():
            return
        state._polls[path] += 1
        if state._polls[path] <= state.poll_202_times:
            self._send(202, None, {"Location": f"{state.endpoint}{self.path}", "Retry-After": "1"})
            return
        document = example(state.data_dir, "CostDetailsOperationResultsBySubscriptionScope.json")
        body = json.loads(json.dumps(document["responses"]["200"]["body"]))
        blob = body["manifest"]["blobs"][0]
        blob["blobLink"] = f"{state.endpoint}/blobs/armreports/report-0.csv?sv=2020-05-31&sr=b&sig=loopback"
        blob["byteCount"] = len(state.blob_bytes or b"")
        body["manifest"]["byteCount"] = blob["byteCount"]
        self._send(200, body)

    def _blob(self) -> None:
        """Enough of Blob Storage's GET Blob for the real BlobClient to download a report."""
        data = self.server_state.blob_bytes or b""
        headers = {"x-ms-blob-type": "BlockBlob", "ETag": '"0x1"', "Last-Modified": "Mon, 23 Nov 2026 00:00:00 GMT",
                   "x-ms-version": "2025-01-05", "Accept-Ranges": "bytes", "Content-Type": "text/csv"}
        requested = self.headers.get("x-ms-range") or self.headers.get("Range")
        if requested and data:
            start_text, _, end_text = requested.removeprefix("bytes=").partition("-")
            start = int(start_text)
            end = min(int(end_text) if end_text else len(data) - 1, len(data) - 1)
            headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
            self._send(206, data[start:end + 1], headers)
        else:
            self._send(200, data, headers)
