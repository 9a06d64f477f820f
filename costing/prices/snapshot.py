"""Price snapshot files: what `estate prices refresh` writes, and the other retail-shaped files we read.

A snapshot is one JSON object written in a stream (pages go to disk as they arrive, and the file is renamed
into place only when the last page is in):

    {"format": "estate-price-snapshot/1", "source": URL, "retrieved": ISO time, "currency": "GBP",
     "filters": [OData $filter, ...], "items": [Retail Prices API items...], "item_count": N}

Also read: a bare JSON array of items (as the snapshot in tests/data/third_party/azure-prices-snapshot is), and one Retail
Prices API page (`{"BillingCurrency", "Items": [...], "NextPageLink"}`, as the ACE fixtures record).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any

from costing.prices.catalogue import Catalogue, PriceSource, currencies
from estate.foundation.errors import InputError, PriceError
from estate.foundation.jsonfile import read_json

SNAPSHOT_FORMAT = "estate-price-snapshot/1"
RETAIL_API_URL = "https://prices.azure.com/api/retail/prices"


class SnapshotWriter:
    """Writes a snapshot to an open binary handle, item by item, without holding the items in memory."""

    def __init__(self, handle: IO[bytes], *, source: str, retrieved: str, currency: str,
                 filters: Iterable[str]) -> None:
        self.handle = handle
        self.count = 0
        header = {"format": SNAPSHOT_FORMAT, "source": source, "retrieved": retrieved, "currency": currency,
                  "filters": list(filters)}
        self.handle.write(json.dumps(header, indent=1)[:-2].encode() + b',\n "items": [')

    def add(self, items: Iterable[Mapping[str, Any]]) -> None:
        for item in items:
            self.handle.write((b",\n  " if self.count else b"\n  ") + json.dumps(item, sort_keys=True).encode())
            self.count += 1

    def close(self) -> None:
        self.handle.write(f"\n ],\n \"item_count\": {self.count}\n}}\n".encode())


def load_price_file(path: str | Path) -> Catalogue:
    """Read a snapshot, a bare item array or one API page into a catalogue, with its provenance."""
    path = Path(path)
    source = str(path)
    if not path.exists() and not path.is_symlink():
        raise PriceError(f"{source}: no such price file; run `estate prices refresh` or give a rate card",
                         file=source)
    document = read_json(path, what="price", fix="the price file is damaged, refresh it with `estate prices refresh`")
    items, currency, retrieved, kind = _items_of(document, source)
    bad = next((index for index, item in enumerate(items) if not isinstance(item, dict)), None)
    if bad is not None:
        raise PriceError(f"{source}: item {bad} is not a JSON object; the price file is damaged", file=source)
    found = currencies(items)
    if len(found) > 1:
        raise PriceError(f"{source}: prices in several currencies ({', '.join(sorted(found))}); keep one "
                         "currency per price file", file=source)
    currency = currency or (found.pop() if found else "")
    if not currency:
        raise PriceError(f"{source}: no currency: the items carry no `currencyCode`", file=source)
    dated = f"retrieved {retrieved}" if retrieved else f"file dated {_modified(path)}"
    return Catalogue(PriceSource(kind, source, dated, currency), items)


def _items_of(document: Any, source: str) -> tuple[list[Any], str, str, str]:
    if isinstance(document, list):
        return document, "", "", "retail price items"
    if isinstance(document, dict) and document.get("format") == SNAPSHOT_FORMAT:
        items = document.get("items")
        if not isinstance(items, list) or document.get("item_count") != len(items):
            raise PriceError(f"{source}: the snapshot is incomplete (item_count does not match its items); "
                             "refresh it", file=source)
        return items, str(document.get("currency") or ""), str(document.get("retrieved") or ""), "price snapshot"
    if isinstance(document, dict) and isinstance(document.get("Items"), list):
        return document["Items"], str(document.get("BillingCurrency") or ""), "", "retail API page"
    raise PriceError(f"{source}: not a price file: expected a snapshot from `estate prices refresh`, a JSON "
                     "array of Retail Prices API items, or one API page with `Items`", file=source)


def _modified(path: Path) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(path.stat().st_mtime, UTC).date().isoformat()
