"""The Retail Prices API client against a loopback server replaying recorded pages (127.0.0.1 only)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from costing.prices.retail_api import RetailApiError, RetailPricesClient, refresh_snapshot
from costing.prices.snapshot import load_price_file
from tests.conftest import run_cli

pytestmark = pytest.mark.integration
PAGE_SIZE = 100
NOW = datetime(2026, 8, 22, 6, 0, tzinfo=UTC)


class RecordedPages:
    """The bundled snapshot (the API's first 10 pages) served back as pages, with scripted failures."""

    def __init__(self, items: list[dict]) -> None:
        self.items = items
        self.failures: dict[int, list[int]] = {}  # page number -> statuses to answer before the page
        self.malformed_page: int | None = None
        self.requests: list[str] = []


def _handler(recorded: RecordedPages):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output clean
            return

        def do_GET(self) -> None:
            recorded.requests.append(self.path)
            query = parse_qs(urlparse(self.path).query)
            skip = int(query.get("$skip", ["0"])[0])
            number = skip // PAGE_SIZE + 1
            pending = recorded.failures.get(number)
            if pending:
                status = pending.pop(0)
                self._send(status, b'{"error": "throttled"}', {"Retry-After": "2"} if status == 429 else {})
                return
            if recorded.malformed_page == number:
                self._send(200, b'{"Items": [{"retailPrice": 1.0}, ', {})
                return
            page = recorded.items[skip:skip + PAGE_SIZE]
            more = skip + PAGE_SIZE < len(recorded.items)
            host = f"http://127.0.0.1:{self.server.server_address[1]}"
            body = {"BillingCurrency": "USD", "CustomerEntityId": "Default", "CustomerEntityType": "Retail",
                    "Items": page, "Count": len(page),
                    "NextPageLink": f"{host}/api/retail/prices?$skip={skip + PAGE_SIZE}" if more else None}
            self._send(200, json.dumps(body).encode(), {})

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

    return Handler


@pytest.fixture
def recorded(third_party: Path) -> Iterator[tuple[RecordedPages, str]]:
    items = json.loads((third_party / "azure-prices-snapshot" / "azure_prices.json").read_text())
    pages = RecordedPages(items)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(pages))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield pages, f"http://127.0.0.1:{server.server_address[1]}/api/retail/prices"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def client(base_url: str) -> tuple[RetailPricesClient, list[float]]:
    waits: list[float] = []
    return RetailPricesClient(base_url=base_url, backoff_seconds=0.01, timeout_seconds=5, sleep=waits.append), waits


def test_follows_next_page_links_and_writes_every_item(recorded, tmp_path: Path) -> None:
    pages, url = recorded
    api, _ = client(url)
    path, count = refresh_snapshot(api, tmp_path, regions=["uksouth"], currency="USD", now=NOW)
    assert (path.name, count, len(pages.requests)) == ("azure-retail-prices-USD-2026-08-22.json", 1000, 10)
    assert "currencyCode=%27USD%27" in pages.requests[0] and "armRegionName+eq+%27uksouth%27" in pages.requests[0]
    catalogue = load_price_file(path)
    assert len(catalogue) == 1000 and catalogue.source.currency == "USD"
    assert catalogue.items[0] == pages.items[0] and catalogue.items[-1] == pages.items[-1]


def test_throttled_page_is_retried_after_429(recorded, tmp_path: Path) -> None:
    pages, url = recorded
    pages.failures[3] = [429]
    api, waits = client(url)
    _, count = refresh_snapshot(api, tmp_path, regions=["uksouth"], currency="USD", now=NOW)
    assert count == 1000 and len(pages.requests) == 11 and waits == [2.0]


def test_unavailable_page_is_retried_with_backoff_after_503(recorded, tmp_path: Path) -> None:
    pages, url = recorded
    pages.failures[1] = [503, 503]
    api, waits = client(url)
    _, count = refresh_snapshot(api, tmp_path, regions=["uksouth"], currency="USD", now=NOW)
    assert count == 1000 and waits == [0.01, 0.02]


def test_malformed_page_is_a_clear_error_and_leaves_no_snapshot(recorded, tmp_path: Path) -> None:
    pages, url = recorded
    pages.malformed_page = 4
    api, _ = client(url)
    with pytest.raises(RetailApiError, match=r"page 4 .* not JSON; nothing was written"):
        refresh_snapshot(api, tmp_path, regions=["uksouth"], currency="USD", now=NOW)
    assert list(tmp_path.iterdir()) == []


def test_persistent_failure_gives_up_after_the_last_attempt(recorded, tmp_path: Path) -> None:
    pages, url = recorded
    pages.failures[2] = [503] * 6
    api, waits = client(url)
    with pytest.raises(RetailApiError, match="after 6 attempts"):
        refresh_snapshot(api, tmp_path, regions=["uksouth"], currency="USD", now=NOW)
    assert len(waits) == 5 and list(tmp_path.iterdir()) == []


def test_prices_refresh_command_writes_a_dated_snapshot(recorded, tmp_path: Path) -> None:
    _, url = recorded
    result = run_cli("prices", "refresh", "--region", "UK South", "--currency", "USD", "--out-dir", tmp_path,
                     "--base-url", url)
    assert result.exit_code == 0, result.output
    written = list(tmp_path.glob("azure-retail-prices-USD-*.json"))
    assert len(written) == 1 and "1000 prices (USD) for uksouth" in result.stdout


def test_prices_refresh_malformed_page_exits_2_without_traceback(recorded, tmp_path: Path) -> None:
    pages, url = recorded
    pages.malformed_page = 1
    result = run_cli("prices", "refresh", "--region", "uksouth", "--currency", "USD", "--out-dir", tmp_path,
                     "--base-url", url)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "not JSON" in result.stderr and list(tmp_path.iterdir()) == []
