"""A client for the Azure Retail Prices API (public, no credentials) that writes dated price snapshots.

`GET {base_url}?currencyCode='GBP'&$filter=...` answers one page of `Items` and a `NextPageLink`. We follow
the links, retry 429 and 5xx answers with exponential backoff (honouring `Retry-After`), and stream each page
into the snapshot file as it arrives; the file is renamed into place only when every page is in, so a failure
never leaves half a snapshot.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from costing.http_bounds import BodyLimitError, headers_within, mount_header_deadlines, read_body_bounded
from costing.prices.snapshot import RETAIL_API_URL, SnapshotWriter
from estate.foundation.errors import EstateError, ServiceError
from estate.foundation.files import write_atomic_with
from estate.foundation.limits import COMMAND_SECONDS, PAGES, REQUEST_SECONDS, RetryAfterTooLong, retry_after_seconds

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class RetailApiError(ServiceError):
    """The Retail Prices API could not be read, or answered something that is not a price page (exit 2)."""


def odata_filter(region: str, service: str | None = None) -> str:
    """The OData `$filter` for one region (and optionally one `serviceName`)."""
    text = f"armRegionName eq '{_quote(region)}'"
    if service:
        text += f" and serviceName eq '{_quote(service)}'"
    return text


def _quote(value: str) -> str:
    return value.replace("'", "''")


@dataclass
class RetailPricesClient:
    """Reads the Retail Prices API at `base_url` (tests point it at a loopback server)."""

    base_url: str = RETAIL_API_URL
    max_attempts: int = 6
    backoff_seconds: float = 1.0
    timeout_seconds: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    session: Any = field(default=None, repr=False)
    _started: float | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.session is None:
            import requests

            # Status line and headers within the per-request deadline too (a trickling server stops there).
            self.session = mount_header_deadlines(requests.Session())
            self.session.headers["User-Agent"] = "estate-prices/0.1"

    def pages(self, odata: str, currency: str) -> Iterator[list[dict[str, Any]]]:
        """Every page of items for one `$filter`, following `NextPageLink` to the end."""
        url: str | None = self.base_url
        params: dict[str, str] | None = {"currencyCode": f"'{currency}'", "$filter": odata}
        number = 0
        seen: set[str] = set()
        max_pages = PAGES.value()
        while url:
            number += 1
            if number > max_pages:
                raise RetailApiError(f"the Retail Prices API gave more than {max_pages} pages for {odata!r}; "
                                     f"nothing was written ({PAGES.how_to_raise()})")
            document = self._get(url, params, number)
            items = document.get("Items")
            next_link = document.get("NextPageLink")
            if not isinstance(items, list) or not all(isinstance(item, dict) for item in items) or not (
                next_link is None or isinstance(next_link, str)
            ):
                raise RetailApiError(f"retail prices page {number} ({url}) is not a price page (no `Items` list of "
                                     "objects or a bad `NextPageLink`); nothing was written, try again later")
            yield items
            if next_link and next_link in seen | {url if params is None else ""}:
                raise RetailApiError(f"retail prices page {number} links back to a page already read "
                                     f"({next_link[:200]}); the paging loops, nothing was written")
            if next_link:
                seen.add(next_link)
            url, params = next_link or None, None

    def _get(self, url: str, params: dict[str, str] | None, number: int) -> dict[str, Any]:
        import requests

        last = ""
        for attempt in range(1, self.max_attempts + 1):
            self._check_command_deadline(url)
            try:
                with headers_within(time.monotonic() + REQUEST_SECONDS.value()) as watch:
                    response = self.session.get(url, params=params, timeout=(10, min(self.timeout_seconds, 60)),
                                                stream=True)
                if watch.cut:  # cut part-way through the headers, which http.client may take as their end
                    response.close()
                    raise _headers_too_slow(url)
                body = _read_bounded(response, url) if response.status_code == 200 else b""
            except requests.RequestException as exc:
                if watch.cut:
                    raise _headers_too_slow(url) from exc
                last = f"{type(exc).__name__}: {exc}"
                wait = self.backoff_seconds * 2 ** (attempt - 1)
            else:
                if response.status_code == 200:
                    try:
                        document = json.loads(body, parse_constant=_no_constant)
                    except ValueError:
                        raise RetailApiError(f"retail prices page {number} ({response.url}) is not JSON; nothing "
                                             "was written, try again later") from None
                    if not isinstance(document, dict):
                        raise RetailApiError(f"retail prices page {number} ({response.url}) is not a JSON object; "
                                             "nothing was written") from None
                    return document
                if response.status_code not in RETRY_STATUSES:
                    raise RetailApiError(f"the Retail Prices API answered HTTP {response.status_code} for "
                                         f"{response.url}: {response.text[:200]}; check the --region/--service/"
                                         "--currency values")
                last = f"HTTP {response.status_code}"
                response.close()
                try:
                    after = retry_after_seconds(response.headers.get("Retry-After"))
                except RetryAfterTooLong as exc:
                    raise RetailApiError(f"the Retail Prices API at {url}: {exc.message}; nothing was "
                                         "written") from exc
                wait = after if after is not None else self.backoff_seconds * 2 ** (attempt - 1)
            if attempt < self.max_attempts:
                self.sleep(wait)
        raise RetailApiError(f"the Retail Prices API still failed after {self.max_attempts} attempts ({last}) "
                             f"at {url}; nothing was written, try again later")


    def _check_command_deadline(self, url: str) -> None:
        if self._started is None:
            self._started = time.monotonic()
        elif time.monotonic() - self._started > COMMAND_SECONDS.value():
            raise RetailApiError(f"the Retail Prices API took more than {COMMAND_SECONDS.value()} s in all; stopped "
                                 f"before {url}, nothing was written ({COMMAND_SECONDS.how_to_raise()})")


def _no_constant(text: str) -> Any:
    raise ValueError(f"{text} is not a price")


def _headers_too_slow(url: str) -> RetailApiError:
    return RetailApiError(f"the Retail Prices API answer for {url[:200]}: its headers took more than "
                          f"{REQUEST_SECONDS.value()} s; nothing was written, try again later "
                          f"({REQUEST_SECONDS.how_to_raise()})")


def _read_bounded(response: Any, url: str) -> bytes:
    try:
        return read_body_bounded(response, f"the Retail Prices API answer for {url[:200]}")
    except BodyLimitError as exc:
        raise RetailApiError(exc.message) from exc


def refresh_snapshot(client: RetailPricesClient, out_dir: str | Path, *, regions: Sequence[str], currency: str,
                     services: Sequence[str] = (), now: datetime | None = None) -> tuple[Path, int]:
    """Download every price for `regions` (and `services`) into `out_dir/azure-retail-prices-<CCY>-<date>.json`."""
    now = now or datetime.now(UTC)
    filters = [odata_filter(region, service) for region in regions for service in (services or [None])]
    path = Path(out_dir) / f"azure-retail-prices-{currency}-{now.date().isoformat()}.json"
    counted: list[int] = []

    def write(handle: Any) -> None:
        writer = SnapshotWriter(handle, source=client.base_url, retrieved=now.isoformat(timespec="seconds"),
                                currency=currency, filters=filters)
        for odata in filters:
            for items in client.pages(odata, currency):
                wrong = {item.get("currencyCode") for item in items} - {currency}
                if wrong:
                    raise RetailApiError(f"the Retail Prices API answered prices in {', '.join(map(str, wrong))} "
                                         f"when {currency} was asked; nothing was written")
                writer.add(items)
        writer.close()
        counted.append(writer.count)

    write_atomic_with(path, write)
    return path, counted[0]
