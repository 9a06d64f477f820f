"""`estate cost summary`: totals from the cost store by month, business-case line and/or service, via DuckDB.

Amounts are exact decimals: BilledCost (what was invoiced, actual cost) and EffectiveCost (amortised). A store
with one billing currency is summed as is; a store with an FX table is converted month by month into the table's
reporting currency.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from costing.actuals.fx import FxTable, parse_fx_table
from costing.actuals.line_tag import line_tag_sql
from costing.actuals.store import MANIFEST, read_manifest, relation
from estate.foundation.errors import InputError

GROUPINGS = {
    "month": "strftime(ChargePeriodStart, '%Y-%m')",
    "business-case-line": f"coalesce({line_tag_sql()}, '(untagged)')",
    "service": "coalesce(ServiceName, '(unknown)')",
}
UNALLOCATED = "(unallocated)"
# With a business case, rows are placed on lines as the reconciliation places them (tag, then the case's rules).
MAPPING_COLUMNS = (f"{line_tag_sql()}", "ServiceName",
                   "nullif(regexp_extract(ResourceId, '/resourcegroups/([^/]+)', 1, 'i'), '')", "SubAccountId",
                   "SubAccountName")


@dataclass(frozen=True)
class SummaryRow:
    keys: tuple[str, ...]
    billed_cost: Decimal
    effective_cost: Decimal
    rows: int


@dataclass(frozen=True)
class CostSummary:
    store: str
    currency: str
    by: tuple[str, ...]
    rows: list[SummaryRow]

    @property
    def total(self) -> SummaryRow:
        return SummaryRow((), sum((r.billed_cost for r in self.rows), Decimal(0)),
                          sum((r.effective_cost for r in self.rows), Decimal(0)), sum(r.rows for r in self.rows))

    def as_json(self) -> dict[str, object]:
        def amounts(row: SummaryRow) -> dict[str, object]:
            return {"billed_cost": exact(row.billed_cost), "effective_cost": exact(row.effective_cost),
                    "rows": row.rows}

        return {"store": self.store, "currency": self.currency, "by": list(self.by),
                "rows": [dict(zip(self.by, row.keys, strict=True), **amounts(row)) for row in self.rows],
                "total": amounts(self.total)}


def exact(amount: Decimal) -> str:
    """A decimal as plain text without trailing zeros (`1200`, `0.0000008`)."""
    text = format(amount, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def parse_by(text: str) -> tuple[str, ...]:
    """`month,service` -> ("month", "service"); unknown names are an InputError listing the choices."""
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in GROUPINGS]
    if unknown or not names:
        raise InputError(f"--by {text!r}: choose one or more of {', '.join(GROUPINGS)}, comma-separated")
    return names


# Places spend on a business-case line from (line tag, service, resource group, subscription id, subscription
# name); None for spend no tag or rule places. The store knows no business case: the caller brings the rule.
LinePlacer = Callable[[str | None, str | None, str | None, str | None, str | None], str | None]


def summarise(store_dir: Path, by: tuple[str, ...], place: LinePlacer | None = None) -> CostSummary:
    """Totals of BilledCost and EffectiveCost by the groupings asked for.

    With `place` (the reconciliation's allocation, `costing.business_case.mapping.line_of` bound to a case),
    `business-case-line` is the line it gives each row, `(unallocated)` for none; without it, the tag's value,
    `(untagged)` for none.
    """
    if not (Path(store_dir) / MANIFEST).exists():
        raise InputError(f"{store_dir}: no cost store here (no {MANIFEST}); run `estate cost load SOURCE "
                         f"--store {store_dir}` first")
    manifest = read_manifest(store_dir)
    fx = _fx_table(store_dir, manifest)
    mapped = place is not None and "business-case-line" in by
    groups = ", ".join(f"{GROUPINGS[name]} AS \"{name}\"" if not (mapped and name == "business-case-line")
                       else f"{', '.join(MAPPING_COLUMNS)}" for name in by)
    query = (f"SELECT {groups}, BillingCurrency AS currency, strftime(ChargePeriodStart, '%Y-%m') AS charge_month, "
             "sum(BilledCost), sum(EffectiveCost), count(*) FROM costs GROUP BY ALL")
    import duckdb

    connection = duckdb.connect()
    # Months are UTC calendar months, whatever the machine's time zone.
    connection.execute("SET TimeZone = 'UTC'")
    connection.register("costs", relation(store_dir, connection))
    totals: dict[tuple[str, ...], list] = {}
    currencies = set()
    width = len(by) + (len(MAPPING_COLUMNS) - 1 if mapped else 0)
    for record in connection.execute(query).fetchall():
        keys, (currency, month, billed, effective, count) = tuple(record[:width]), record[width:]
        if mapped:
            keys = _placed(place, by, keys)
        currencies.add(currency)
        if fx is not None:
            billed, effective = fx.convert(billed, currency, month), fx.convert(effective, currency, month)
        entry = totals.setdefault(keys, [Decimal(0), Decimal(0), 0])
        entry[0] += billed
        entry[1] += effective
        entry[2] += count
    if fx is None and len(currencies) > 1:
        raise InputError(f"{store_dir}: holds {', '.join(sorted(currencies))} and no FX table; load one with "
                         "--fx-table")
    currency = fx.reporting_currency if fx else (currencies.pop() if currencies else "")
    rows = [SummaryRow(tuple(str(k) for k in keys), *values) for keys, values in sorted(totals.items())]
    return CostSummary(str(store_dir), currency, by, rows)


def _placed(place: LinePlacer, by: tuple[str, ...], keys: tuple) -> tuple:
    """The grouping keys with the mapping columns replaced by the line they place the spend on."""
    at = by.index("business-case-line")
    line = place(*keys[at:at + len(MAPPING_COLUMNS)])
    return (*keys[:at], line or UNALLOCATED, *keys[at + len(MAPPING_COLUMNS):])


def _fx_table(store_dir: Path, manifest: dict) -> FxTable | None:
    if not manifest.get("fx_table"):
        return None
    path = Path(store_dir) / manifest["fx_table"]
    return parse_fx_table(path.read_bytes(), str(path))
