"""Hostile HTTP answers: Cost Management and the Retail Prices API, against loopback stand-ins, bounded in time."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from tests.conftest import run_cli
from tests.hostile_helpers import assert_refused
from tests.support.cost_api_server import QPU_RETRY_HEADER, CostApiServer, Fault

pytestmark = pytest.mark.timeout(120)
SUBSCRIPTION = "/subscriptions/00000000-0000-0000-0000-000000000001"
COLUMNS = [{"name": "Cost", "type": "Number"}, {"name": "ResourceId", "type": "String"},
           {"name": "UsageDate", "type": "Number"}, {"name": "Currency", "type": "String"}]


@pytest.fixture
def server(third_party, monkeypatch):
    with CostApiServer(third_party, mode="synthetic", rows_per_page=250, synthetic_resources=2) as stand_in:
        for key, value in stand_in.identity_env.items():
            monkeypatch.setenv(key, value)
        yield stand_in


def pull(server, store, *extra, first="2024-01", last="2024-01"):
    return run_cli("cost", "pull", "--scope", SUBSCRIPTION, "--from", first, "--to", last, "--store", store,
                   "--endpoint", server.endpoint, "--as-of", "2024-03", *extra)


def answer(properties):
    return Fault(200, body={"id": "q", "name": "q", "type": "Microsoft.CostManagement/query",
                            "properties": {"nextLink": None, **properties}})


@pytest.mark.parametrize("properties, said", [
    ({"columns": "Cost,ResourceId", "rows": []}, "2024-01"),
    ({"columns": COLUMNS, "rows": [[float("nan"), "/r", 20240105, "GBP"]]}, "not a finite number"),
    ({"columns": COLUMNS, "rows": [["1e30x", "/r", 20240105, "GBP"]]}, "not a finite number"),
    ({"columns": COLUMNS, "rows": [[1.5, "/r", 20240705, "GBP"]]}, "outside the month 2024-01"),
    ({"columns": COLUMNS, "rows": [[1.5, "/r", {"x": 1}, "GBP"]]}, "UsageDate"),
    ({"columns": COLUMNS, "rows": [7]}, "cannot read"),
])
def test_hostile_query_answers_are_refused_with_the_month(server, tmp_path, properties, said):
    server.faults.append(answer(properties))
    result = pull(server, tmp_path / "store")
    assert_refused(result, "2024-01", said)


def test_a_huge_retry_after_stops_the_pull_instead_of_sleeping(server, tmp_path):
    server.faults.append(Fault(429, headers={"Retry-After": "86400", QPU_RETRY_HEADER: "86400"}))
    result = pull(server, tmp_path / "store")
    assert_refused(result, "86400 s", "ESTATE_MAX_RETRY_AFTER_SECONDS")


@pytest.mark.parametrize("value", ["nan", "-5", "inf", "soon"])
def test_an_unusable_retry_after_is_treated_as_absent(server, tmp_path, value):
    server.faults.append(Fault(429, headers={"Retry-After": value, QPU_RETRY_HEADER: value}))
    result = pull(server, tmp_path / "store", "--format", "json")
    assert result.exit_code == 0, result.output
    assert server.log.count(429) == 1


@pytest.mark.parametrize("first, last, said", [("0001-01", "0001-02", "between 2000-01 and 2100-12"),
                                               ("2000-01", "9999-12", "between 2000-01 and 2100-12"),
                                               ("2000-01", "2099-12", "more than 120")])
def test_the_month_range_is_bounded(server, tmp_path, first, last, said):
    result = pull(server, tmp_path / "store", first=first, last=last)
    assert_refused(result, said)
    assert server.log.queries == []


class _Scripted(BaseHTTPRequestHandler):
    """Answers every GET with the test's script: (status, headers, body chunks, seconds between chunks)."""

    script: ClassVar[dict] = {}

    def log_message(self, *args: object) -> None:
        return

    def do_GET(self) -> None:
        self.script.setdefault("requests", []).append(self.path)
        status, headers, chunks, pause = self.script["answer"](self)
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(sum(len(chunk) for chunk in chunks)))
        self.end_headers()
        try:
            for chunk in chunks:
                self.wfile.write(chunk)
                self.wfile.flush()
                time.sleep(pause)
        except (BrokenPipeError, ConnectionResetError):
            return


@pytest.fixture
def retail():
    script: ClassVar[dict] = {}
    handler = type("Handler", (_Scripted,), {"script": script})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    script["url"] = f"http://127.0.0.1:{httpd.server_address[1]}/api/retail/prices"
    try:
        yield script
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def refresh(script, tmp_path):
    return run_cli("prices", "refresh", "--region", "uksouth", "--base-url", script["url"], "--out-dir", tmp_path)


def page(items, next_link=None):
    return json.dumps({"BillingCurrency": "GBP", "Items": items, "NextPageLink": next_link}).encode()


def test_a_slow_loris_server_does_not_hang_prices_refresh(retail, tmp_path, monkeypatch):
    monkeypatch.setenv("ESTATE_HTTP_REQUEST_SECONDS", "3")
    body = page([{"currencyCode": "GBP", "retailPrice": 1.0}] * 50)
    retail["answer"] = lambda _h: (200, {"Content-Type": "application/json"}, [bytes([b]) for b in body], 0.5)
    started = time.monotonic()
    result = refresh(retail, tmp_path)
    assert time.monotonic() - started < 30
    assert_refused(result, "took more than 3 s", "ESTATE_HTTP_REQUEST_SECONDS")
    assert list(tmp_path.iterdir()) == []


def test_a_page_linking_to_itself_is_a_loop_not_an_endless_download(retail, tmp_path):
    retail["answer"] = lambda _h: (200, {}, [page([{"currencyCode": "GBP"}], retail["url"] + "?$skip=100")], 0)
    result = refresh(retail, tmp_path)
    assert_refused(result, "links back to a page already read")
    assert len(retail["requests"]) <= 3


def test_pages_are_capped(retail, tmp_path, monkeypatch):
    monkeypatch.setenv("ESTATE_HTTP_MAX_PAGES", "5")
    retail["answer"] = lambda handler: (200, {}, [page([{"currencyCode": "GBP"}], retail["url"] + "?$skip=" +
                                                       str(len(retail["requests"])))], 0)
    assert_refused(refresh(retail, tmp_path), "more than 5 pages", "ESTATE_HTTP_MAX_PAGES")


def test_a_response_above_the_size_cap_is_refused(retail, tmp_path, monkeypatch):
    monkeypatch.setenv("ESTATE_HTTP_MAX_RESPONSE_MIB", "1")
    retail["answer"] = lambda _h: (200, {}, [page([{"currencyCode": "GBP", "x": "y" * 1000}] * 2000)], 0)
    assert_refused(refresh(retail, tmp_path), "larger than 1 MiB", "ESTATE_HTTP_MAX_RESPONSE_MIB")


def test_prices_refresh_refuses_a_huge_retry_after(retail, tmp_path):
    retail["answer"] = lambda _h: (429, {"Retry-After": "86400"}, [b"{}"], 0)
    assert_refused(refresh(retail, tmp_path), "86400 s", "ESTATE_MAX_RETRY_AFTER_SECONDS")


@pytest.mark.parametrize("value", ["nan", "-1"])
def test_prices_refresh_treats_a_nan_or_negative_retry_after_as_absent(retail, tmp_path, value):
    def answer(_handler):
        if len(retail["requests"]) == 1:
            return 429, {"Retry-After": value}, [b"{}"], 0
        return 200, {}, [page([{"currencyCode": "GBP", "retailPrice": 1.0}])], 0

    retail["answer"] = answer
    result = refresh(retail, tmp_path)
    assert result.exit_code == 0, result.output
    assert len(retail["requests"]) == 2


class _TrickleQuery(_Scripted):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.do_GET()


def test_a_slow_loris_cost_management_does_not_hang_a_pull(monkeypatch):
    from azure.core.credentials import AccessToken

    from costing.costapi.client import cost_client
    from costing.costapi.pull import PullError, PullPlan, pull_queries
    from costing.costapi.query import DEFAULT_GROUPINGS

    class Static:
        def get_token(self, *_scopes, **_kwargs):
            return AccessToken("loopback", int(time.time()) + 3600)

    monkeypatch.setenv("ESTATE_HTTP_REQUEST_SECONDS", "3")
    body = json.dumps({"properties": {"columns": COLUMNS, "rows": [], "nextLink": None}}).encode()
    script = {"answer": lambda _h: (200, {"Content-Type": "application/json"}, [bytes([b]) for b in body], 0.5)}
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), type("Handler", (_TrickleQuery,), {"script": script}))
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        client = cost_client(f"http://127.0.0.1:{httpd.server_address[1]}", Static())
        plan = PullPlan(scopes=[SUBSCRIPTION.strip("/")], months=["2024-01"], metric="ActualCost",
                        groupings=DEFAULT_GROUPINGS, refresh=True)
        started = time.monotonic()
        with pytest.raises(PullError, match="took more than 3 s"):
            pull_queries(client, store=None, plan=plan, today=date(2024, 3, 1))
        assert time.monotonic() - started < 30
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_pull_stops_at_the_command_deadline_between_months(server, tmp_path, monkeypatch):
    import costing.costapi.pull as pull_module

    clock = iter([0.0, 0.0])  # started, first month; then 10 s later
    monkeypatch.setattr(pull_module, "_clock", lambda: next(clock, 10.0))
    monkeypatch.setenv("ESTATE_HTTP_COMMAND_SECONDS", "5")
    result = pull(server, tmp_path / "store", first="2024-01", last="2024-03")
    assert_refused(result, "more than 5 s", "stopped before", "rerun the same command to resume")
    months = {q["body"]["timePeriod"]["from"][:7] for q in server.log.queries}
    assert months == {"2024-01"}


class _TrickledHeaders:
    """A loopback server that answers every request with a status line, then one header byte every 0.2 s."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> _TrickledHeaders:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)
        self.listener.close()

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                connection, _ = self.listener.accept()
            except OSError:
                continue
            threading.Thread(target=self._trickle, args=(connection,), daemon=True).start()

    def _trickle(self, connection: socket.socket) -> None:
        with contextlib.suppress(OSError), connection:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\n")
            for byte in b"X-Slow: " + b"a" * 10_000:
                if self.stopping.is_set():
                    return
                connection.sendall(bytes([byte]))
                time.sleep(0.2)


def test_a_server_trickling_its_headers_does_not_hang_prices_refresh(tmp_path, monkeypatch):
    monkeypatch.setenv("ESTATE_HTTP_REQUEST_SECONDS", "2")
    with _TrickledHeaders() as server:
        started = time.monotonic()
        result = run_cli("prices", "refresh", "--region", "uksouth", "--base-url",
                         f"http://127.0.0.1:{server.port}/api/retail/prices", "--out-dir", tmp_path)
        assert time.monotonic() - started < 15
    assert_refused(result, "headers took more than 2 s", "ESTATE_HTTP_REQUEST_SECONDS")
    assert list(tmp_path.iterdir()) == []


def test_a_storage_endpoint_trickling_its_headers_does_not_hang_cost_load(tmp_path, monkeypatch):
    monkeypatch.setenv("ESTATE_HTTP_REQUEST_SECONDS", "2")
    with _TrickledHeaders() as server:
        account = f"http://127.0.0.1:{server.port}/devstoreaccount1"
        connection = ("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey="
                      "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
                      f"BlobEndpoint={account};")
        started = time.monotonic()
        result = run_cli("cost", "load", f"{account}/exports/focus", "--store", tmp_path / "store",
                         "--connection-string", connection)
        assert time.monotonic() - started < 15
    assert_refused(result, "took more than 2 s", "ESTATE_HTTP_REQUEST_SECONDS")
    assert not (tmp_path / "store").exists()
