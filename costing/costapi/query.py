"""One month of cost from the Query API: build the query, follow its pages, and normalise the rows to FOCUS.

The API's contract (which we keep even where the live service is laxer): at most two group-by clauses per
query, at most one year per query. The default pull is daily cost grouped by `ResourceId` and the
`business-case-line` tag; a TagKey grouping comes back as two columns, `TagKey` and `TagValue`.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from estate.foundation.errors import UsageError
from estate.foundation.limits import check_month_range
from estate.foundation.reference import normalise_region
from estate.foundation.tags import LINE_TAG

MAX_GROUPINGS = 2
DEFAULT_TAG = LINE_TAG
METRICS = ("ActualCost", "AmortizedCost")
# FOCUS names for Cost Management dimensions; other dimensions keep their name behind the `x_` prefix.
DIMENSION_COLUMNS = {
    "ResourceId": "ResourceId",
    "ResourceGroup": "x_ResourceGroupName",
    "ResourceGroupName": "x_ResourceGroupName",
    "ResourceLocation": "RegionId",
    "ServiceName": "ServiceName",
    "ResourceType": "ResourceType",
    "SubscriptionId": "SubAccountId",
    "SubscriptionName": "SubAccountName",
    "MeterCategory": "x_SkuMeterCategory",
    "ChargeType": "ChargeCategory",
}
_SUBSCRIPTION = re.compile(r"/subscriptions/([^/]+)", re.IGNORECASE)
_RESOURCE_GROUP = re.compile(r"/resourcegroups/([^/]+)", re.IGNORECASE)


@dataclass(frozen=True)
class Grouping:
    """One group-by clause: a dimension (`ResourceId`) or a tag key (`TagKey:business-case-line`)."""

    kind: str
    name: str

    @classmethod
    def parse(cls, text: str) -> Grouping:
        kind, _, name = text.partition(":")
        if name and kind in ("TagKey", "tag"):
            return cls("TagKey", name)
        if not name and text:
            return cls("Dimension", text)
        raise UsageError(f"--group-by {text!r}: give a dimension (e.g. ResourceId, ServiceName) or tag:<key>")

    def as_api(self) -> dict[str, str]:
        return {"type": self.kind, "name": self.name}


DEFAULT_GROUPINGS = (Grouping("Dimension", "ResourceId"), Grouping("TagKey", DEFAULT_TAG))


def check_groupings(groupings: tuple[Grouping, ...]) -> tuple[Grouping, ...]:
    if not groupings:
        raise UsageError("a query needs at least one grouping (the default is ResourceId and the "
                         f"{DEFAULT_TAG} tag)")
    if len(groupings) > MAX_GROUPINGS:
        raise UsageError(f"the Query API allows at most {MAX_GROUPINGS} group-by clauses per query; "
                         f"got {len(groupings)}: pull other groupings as separate queries")
    return groupings


def month_bounds(month: str) -> tuple[date, date]:
    """'2024-04' -> (2024-04-01, 2024-04-30)."""
    year, number = (int(part) for part in month.split("-"))
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def months_between(first: str, last: str) -> list[str]:
    """Every month from `first` to `last` inclusive, as YYYY-MM."""
    for text, name in ((first, "--from"), (last, "--to")):
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
            raise UsageError(f"{name} {text!r}: give a month as YYYY-MM, e.g. 2024-04")
    if first > last:
        raise UsageError(f"--from {first} is after --to {last}; give the earlier month first")
    check_month_range(first, last)
    months, (year, number) = [], (int(part) for part in first.split("-"))
    while f"{year:04d}-{number:02d}" <= last:
        months.append(f"{year:04d}-{number:02d}")
        year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    return months


def month_query(metric: str, month: str, groupings: tuple[Grouping, ...]) -> dict[str, Any]:
    """The Query API request body for daily cost of one month."""
    if metric not in METRICS:
        raise UsageError(f"--metric {metric!r}: choose ActualCost or AmortizedCost")
    start, end = month_bounds(month)
    return {
        "type": metric,
        "timeframe": "Custom",
        "timePeriod": {"from": f"{start.isoformat()}T00:00:00+00:00", "to": f"{end.isoformat()}T23:59:59+00:00"},
        "dataset": {
            "granularity": "Daily",
            "aggregation": {"totalCost": {"name": "Cost", "function": "Sum"}},
            "grouping": [grouping.as_api() for grouping in check_groupings(groupings)],
        },
    }


def query_pages(client: Any, scope: str, body: dict[str, Any]) -> Iterator[tuple[list[str], list[list[Any]]]]:
    """Each page of the query's result as (column names, rows), following `nextLink` until it is empty."""
    from azure.mgmt.costmanagement.models import QueryDefinition

    definition = QueryDefinition(body)
    skiptoken: str | None = None
    seen: set[str] = set()
    while True:
        params = {"$skiptoken": skiptoken} if skiptoken else {}
        result = client.query.usage(scope, definition, params=params)
        if result is None:  # 204: nothing for this period
            return
        raw_columns = result.columns or []
        if not isinstance(raw_columns, list) or not all(isinstance(getattr(c, "name", None), str) for c in raw_columns):
            raise ValueError("`columns` is not a list of named columns")
        columns = [column.name for column in raw_columns]
        yield columns, list(result.rows or [])
        skiptoken = _skiptoken(result.next_link)
        if not skiptoken or skiptoken in seen:
            return
        seen.add(skiptoken)


def _skiptoken(next_link: str | None) -> str | None:
    # The nextLink names the service's own host; the token is passed back through the client so a pull
    # against a sovereign cloud or a local stand-in stays on its endpoint.
    if not next_link:
        return None
    from urllib.parse import parse_qs, urlsplit

    values = parse_qs(urlsplit(next_link).query).get("$skiptoken")
    return values[0] if values else None


def normalise_rows(columns: list[str], rows: list[list[Any]], *, metric: str, scope: str,
                   month: str) -> list[dict[str, Any]]:
    """Query API rows as FOCUS-named records (exact Decimal cost, tags as a map, lineage columns)."""
    # As `estate cost load` does for an actual-cost export, an ActualCost pull fills both cost columns (the
    # Query API's actual cost carries no amortisation); an AmortizedCost pull fills EffectiveCost only.
    cost_columns = ("BilledCost", "EffectiveCost") if metric == "ActualCost" else ("EffectiveCost",)
    if not isinstance(columns, list) or not all(isinstance(name, str) for name in columns):
        raise ValueError("`columns` is not a list of named columns")
    if not isinstance(rows, list):
        raise ValueError("`rows` is not a list")
    index = {name: position for position, name in enumerate(columns)}
    cost_at = next((index[name] for name in ("Cost", "PreTaxCost", "CostUSD", "PreTaxCostUSD", "totalCost")
                    if name in index), None)
    if cost_at is None:
        raise ValueError(f"no cost column in the Query API result (columns: {', '.join(columns)})")
    records = []
    first, last = month_bounds(month)
    for number, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != len(columns):
            raise ValueError(f"row {number} is not a list of {len(columns)} values")
        try:
            record = _base_record(row, index, month)
        except (TypeError, ValueError, OverflowError):
            raise ValueError(f"row {number} has UsageDate {row[index['UsageDate']]!r}, not a date YYYYMMDD") from None
        if not first <= record["ChargePeriodStart"].date() <= last:
            raise ValueError(f"row {number} is dated {record['ChargePeriodStart'].date()}, outside the month "
                             f"{month} that was asked for")
        cost = row[cost_at]
        try:
            amount = Decimal(str(cost)) if isinstance(cost, int | float | str) and not isinstance(cost, bool) else None
        except ArithmeticError:
            amount = None
        if amount is None or not amount.is_finite():
            raise ValueError(f"row {number} has cost {cost!r}, not a finite number")
        for column in cost_columns:
            record[column] = amount
        record["ProviderName"] = record["InvoiceIssuerName"] = record["PublisherName"] = "Microsoft"
        _add_dimensions(record, row, index, scope)
        records.append(record)
    return records


def _base_record(row: list[Any], index: dict[str, int], month: str) -> dict[str, Any]:
    if "UsageDate" in index:
        day = datetime.strptime(str(int(row[index["UsageDate"]])), "%Y%m%d").replace(tzinfo=UTC)
        start, end = day, day + timedelta(days=1)
    else:  # granularity None: the whole month
        first, last = month_bounds(month)
        start = datetime(first.year, first.month, first.day, tzinfo=UTC)
        end = datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=1)
    currency = row[index["Currency"]] if "Currency" in index else None
    return {"ChargePeriodStart": start, "ChargePeriodEnd": end, "BillingCurrency": currency, "Tags": {}}


def _add_dimensions(record: dict[str, Any], row: list[Any], index: dict[str, int], scope: str) -> None:
    skip = {"Cost", "PreTaxCost", "CostUSD", "PreTaxCostUSD", "totalCost", "UsageDate", "Currency"}
    for name, position in index.items():
        if name in skip or name in ("TagKey", "TagValue"):
            continue
        value = row[position]
        column = DIMENSION_COLUMNS.get(name, f"x_{name}")
        if column == "RegionId" and value:
            value = normalise_region(str(value)) or str(value).lower()
        record[column] = value
    if "TagKey" in index and row[index["TagKey"]] and row[index.get("TagValue", index["TagKey"])]:
        record["Tags"] = {str(row[index["TagKey"]]): str(row[index["TagValue"]])}
    resource_id = str(record.get("ResourceId") or "")
    where = resource_id or "/" + scope.strip("/")
    if "x_ResourceGroupName" not in record and (group := _RESOURCE_GROUP.search(where)):
        record["x_ResourceGroupName"] = group.group(1).lower()
    elif record.get("x_ResourceGroupName"):
        record["x_ResourceGroupName"] = str(record["x_ResourceGroupName"]).lower()
    if "SubAccountId" not in record and (subscription := _SUBSCRIPTION.search(where)):
        record["SubAccountId"] = subscription.group(1).lower()
