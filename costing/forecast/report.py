"""Rendering a forecast: JSON (the interface later stages read), CSV, and text tables for people.

Amounts are decimal strings in JSON and CSV (exact to 6 places); text rounds to pence/cents for display and
always shows the currency.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from costing.forecast.pricing import Forecast, ForecastLine, Unpriced
from estate.foundation.safe_text import csv_row

GROUPINGS = ("resource", "wave", "business-case-line", "service")
LINE_FIELDS = ("urn", "type", "component", "quantity", "unit", "unit_price", "monthly", "price_source")
EXTRA_FIELDS = ("resource", "stack", "wave", "business_case_line", "service", "region")
SIX_PLACES = Decimal("0.000001")


@lru_cache(maxsize=65536)
def amount(value: Decimal) -> str:
    """An exact-enough decimal string: at most 6 places, at least 2 (`9.00`, `14.9903`, `44.527778`)."""
    text = format(value.quantize(SIX_PLACES, rounding=ROUND_HALF_UP).normalize(), "f")
    whole, _, fraction = text.partition(".")
    return f"{whole}.{fraction.ljust(2, '0')}"


def quantity_text(value: Decimal) -> str:
    text = format(value.quantize(SIX_PLACES, rounding=ROUND_HALF_UP).normalize(), "f")
    return text


def group_key(item: ForecastLine | Unpriced, by: str) -> str:
    if by == "resource":
        return item.urn
    if by == "wave":
        return item.wave or f"({item.stack})"
    if by == "business-case-line":
        return item.business_case_line or "(untagged)"
    return item.service


def groups(forecast: Forecast, by: str) -> list[dict[str, Any]]:
    """Monthly and annual totals per group, with how many lines and unpriced items each holds."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    counts: dict[str, int] = defaultdict(int)
    missing: dict[str, int] = defaultdict(int)
    for line in forecast.lines:
        totals[group_key(line, by)] += line.monthly
        counts[group_key(line, by)] += 1
    for item in forecast.unpriced:
        missing[group_key(item, by)] += 1
    keys = sorted(set(totals) | set(missing))
    return [{"key": key, "monthly": amount(totals[key]), "annual": amount(totals[key] * 12), "lines": counts[key],
             "unpriced": missing[key]} for key in keys]


def line_json(line: ForecastLine) -> dict[str, str]:
    return {
        "urn": line.urn, "type": line.type, "component": line.component, "quantity": quantity_text(line.quantity),
        "unit": line.unit, "unit_price": amount(line.unit_price), "monthly": amount(line.monthly),
        "price_source": line.price_source, "annual": amount(line.monthly * 12),
        **{name: getattr(line, name) for name in EXTRA_FIELDS},
    }


def unpriced_json(item: Unpriced) -> dict[str, str]:
    return {"urn": item.urn, "type": item.type, "component": item.component, "reason": item.reason,
            "resource": item.resource, "stack": item.stack, "wave": item.wave,
            "business_case_line": item.business_case_line, "service": item.service}


def to_json(forecast: Forecast, by: str) -> dict[str, Any]:
    return {
        "currency": forecast.currency,
        "monthly_total": amount(forecast.monthly_total),
        "annual_total": amount(forecast.annual_total),
        "lines": [line_json(line) for line in forecast.lines],
        "unpriced": [unpriced_json(item) for item in forecast.unpriced],
        "by": by,
        "groups": groups(forecast, by),
        "plans": forecast.plans,
        "price_sources": forecast.sources,
        "fx": forecast.fx,
        "free_resources": len(forecast.free),
    }


def to_csv(forecast: Forecast) -> str:
    """One row per line, then one per unpriced component (monthly empty), with the currency on every row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["currency", *LINE_FIELDS, "annual", *EXTRA_FIELDS, "unpriced_reason"])
    for line in forecast.lines:
        row = line_json(line)
        writer.writerow(csv_row([forecast.currency, *(row[name] for name in LINE_FIELDS), row["annual"],
                                 *(row[name] for name in EXTRA_FIELDS), ""]))
    for item in forecast.unpriced:
        writer.writerow(csv_row([forecast.currency, item.urn, item.type, item.component, "", "", "", "", "", "",
                                 item.resource, item.stack, item.wave, item.business_case_line, item.service, "",
                                 item.reason]))
    return out.getvalue()
