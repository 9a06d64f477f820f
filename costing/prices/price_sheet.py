"""An EA or MCA price sheet (negotiated prices), as Cost Management's price sheet download writes it (CSV).

Price sheets name meters by `MeterId` and billing categories, not by the retail `productName`/`skuName`
a cost model asks for, so a price sheet replaces the price of a meter found in a retail source with the same
meter id: `--prices snapshot.json --prices pricesheet.csv` prices at the negotiated rate wherever there is one.
Columns are matched by name, whatever their case or spacing (EA `MeterId`, `UnitPrice`, `BillingCurrency`;
MCA `meterId`, `unitPrice`, `currency`).
"""

from __future__ import annotations

import csv
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from costing.prices.catalogue import Catalogue, PriceSource
from estate.foundation.errors import InputError, PriceError
from estate.foundation.reference import normalise_region

COLUMNS = {
    "meterId": ("meterid",),
    "meterName": ("metername",),
    "serviceName": ("metercategory",),
    "meterSubCategory": ("metersubcategory",),
    "meterRegion": ("meterregion",),
    "unitOfMeasure": ("unitofmeasure",),
    "unitPrice": ("unitprice", "effectiveunitprice"),
    "currencyCode": ("currencycode", "currency", "billingcurrency", "billingcurrencycode"),
    "type": ("pricetype",),
    "term": ("term", "reservationterm"),
    "tierMinimumUnits": ("tierminimumunits",),
    "effectiveStartDate": ("effectivestartdate",),
    "effectiveEndDate": ("effectiveenddate",),
    "skuId": ("skuid",),
}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})")
REQUIRED = ("meterId", "unitOfMeasure", "unitPrice", "currencyCode")
TERMS = {"p1y": "1 Year", "p3y": "3 Years", "p5y": "5 Years", "1 year": "1 Year", "3 years": "3 Years",
         "12": "1 Year", "36": "3 Years"}


def _key(name: str) -> str:
    return "".join(name.lower().split()).replace("_", "")


def load_price_sheet(path: str | Path) -> Catalogue:
    """Read an EA/MCA price sheet CSV; every row becomes an item keyed by its meter id."""
    source = str(path)
    try:
        with Path(path).open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = {_key(name): name for name in reader.fieldnames or []}
            columns = {ours: next((header[a] for a in aliases if a in header), None)
                       for ours, aliases in COLUMNS.items()}
            missing = [ours for ours in REQUIRED if columns[ours] is None]
            if missing:
                raise PriceError(f"{source}:1: not an EA/MCA price sheet: no column for {', '.join(missing)}; "
                                 "download the price sheet from Cost Management (CSV) and give it as it is",
                                 file=source)
            items = [_item(row, columns, source, number) for number, row in enumerate(reader, start=2)]
    except FileNotFoundError:
        raise PriceError(f"{source}: no such price sheet", file=source) from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise PriceError(f"{source}: cannot be read as CSV ({exc})", file=source) from exc
    found = {item["currencyCode"] for item in items}
    if len(found) > 1:
        raise PriceError(f"{source}: prices in several currencies ({', '.join(sorted(found))}); give one price "
                         "sheet per billing currency", file=source)
    currency = found.pop() if found else "?"
    return Catalogue(PriceSource("price sheet", source, f"file dated {_modified(path)}", currency), items)


def _item(row: dict[str, str], columns: dict[str, str | None], source: str, number: int) -> dict[str, object]:
    def cell(ours: str) -> str:
        name = columns[ours]
        return (row.get(name) or "").strip() if name else ""

    try:
        price = Decimal(cell("unitPrice"))
    except InvalidOperation:
        raise PriceError(f"{source}:{number}: unit price {cell('unitPrice')!r} is not a number", file=source) from None
    term = TERMS.get(cell("term").lower()) if cell("term") else None
    price_type = cell("type") or "Consumption"
    if price_type.lower() in ("reservedinstance", "reservation"):
        price_type = "Reservation"
    item: dict[str, object] = {
        "meterId": cell("meterId").lower(), "meterName": cell("meterName"), "serviceName": cell("serviceName"),
        "armRegionName": normalise_region(cell("meterRegion")) if cell("meterRegion") else None,
        "unitOfMeasure": cell("unitOfMeasure"), "retailPrice": price, "currencyCode": cell("currencyCode"),
        "type": price_type, "tierMinimumUnits": cell("tierMinimumUnits") or "0", "skuId": cell("skuId"),
        "effectiveStartDate": _iso_date(cell("effectiveStartDate"), source, number),
        "effectiveEndDate": _iso_date(cell("effectiveEndDate"), source, number),
        "x_source": f"price sheet {source} row {number}",
    }
    if term:
        item["reservationTerm"] = term
    return item


def _iso_date(text: str, source: str, number: int) -> str:
    """ISO (`2024-05-01`, `2024-05-01T00:00:00Z`) as it is; EA's `05/01/2024` (month first) made ISO."""
    if not text or ISO_DATE.match(text):
        return text
    match = US_DATE.match(text)
    if not match:
        raise PriceError(f"{source}:{number}: date {text!r} is neither YYYY-MM-DD nor MM/DD/YYYY", file=source)
    month, day, year = match.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}"


def _modified(path: str | Path) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(Path(path).stat().st_mtime, UTC).date().isoformat()
