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

from costing.actuals.engines import DuckDBEngine, QueryEngine, run_query
from costing.actuals.fx import FxTable, parse_fx_table
from costing.actuals.line_tag import EXACT_SQL, OTHER_SPELLING_SQL, line_tag
from costing.actuals.manifest import existing_manifest
from costing.actuals.store import MANIFEST, Storage, open_storage, readable_files
from estate.foundation.errors import CostDataError

GROUPINGS = {
    "month": "strftime(ChargePeriodStart, '%Y-%m')",
    "business-case-line": f"{EXACT_SQL}, {OTHER_SPELLING_SQL}",  # two columns: the tag read in any case (line_tag)
    "service": "coalesce(ServiceName, '(unknown)')",
}
UNTAGGED = "(untagged)"
UNALLOCATED = "(unallocated)"
# With a business case, rows are placed on lines as the reconciliation places them (tag, then the case's rules):
# these columns follow the tag's two.
MAPPING_COLUMNS = ("ServiceName", "nullif(regexp_extract(ResourceId, '(?i)/resourcegroups/([^/]+)', 1), '')",
                   "SubAccountId", "SubAccountName")
# Places spend on a business-case line from (line tag, service, resource group, subscription id, subscription
# name); None for spend no tag or rule places. The store knows no business case: the caller brings the rule.
LinePlacer = Callable[[str | None, str | None, str | None, str | None, str | None], str | None]


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
        raise CostDataError(f"--by {text!r}: choose one or more of {', '.join(GROUPINGS)}, comma-separated")
    return names


def summarise(store_dir: Path, by: tuple[str, ...], place: LinePlacer | None = None,
              engine: QueryEngine | None = None) -> CostSummary:
    """Totals of BilledCost and EffectiveCost by the groupings asked for, run on `engine` (DuckDB by default).

    The query is one SQL text in DuckDB's dialect that Spark runs transpiled (`costing.actuals.engines`). The
    `business-case-line` grouping is the tag's value (key in any case), `(untagged)` for none; with `place` (the
    reconciliation's allocation, `costing.business_case.mapping.line_of` bound to a case) it is the line `place`
    gives each row, `(unallocated)` for none."""
    storage = open_storage(store_dir)
    manifest = existing_manifest(storage)
    if manifest is None:
        raise CostDataError(f"{store_dir}: no cost store here (no {MANIFEST}); run `estate cost load SOURCE "
                            f"--store {store_dir}` first")
    fx = _fx_table(storage, manifest)
    mapped = place is not None and "business-case-line" in by
    columns = [GROUPINGS[name] + (f", {', '.join(MAPPING_COLUMNS)}" if mapped and name == "business-case-line" else "")
               for name in by]
    groups = ", ".join(columns)
    query = (f"SELECT {groups}, BillingCurrency AS currency, strftime(ChargePeriodStart, '%Y-%m') AS charge_month, "
             "sum(BilledCost), sum(EffectiveCost), count(*) FROM costs GROUP BY ALL")
    engine = engine or DuckDBEngine()
    files = readable_files(storage, engine.name, manifest)
    # Months are UTC calendar months, whatever the machine's time zone (both engines run in UTC).
    records = run_query(engine, query, files, str(store_dir), storage.filesystem()) if files else []
    totals: dict[tuple[str, ...], list] = {}
    currencies = set()
    # The line grouping is two columns (the exact tag, other spellings), and with a case its mapping columns too.
    width = len(by) + ("business-case-line" in by) + (len(MAPPING_COLUMNS) if mapped else 0)
    for record in records:
        keys, (currency, month, billed, effective, count) = _keys(by, tuple(record[:width]), place), record[width:]
        currencies.add(currency)
        if fx is not None:
            billed, effective = fx.convert(billed, currency, month), fx.convert(effective, currency, month)
        entry = totals.setdefault(keys, [Decimal(0), Decimal(0), 0])
        entry[0] += billed
        entry[1] += effective
        entry[2] += count
    if fx is None and len(currencies) > 1:
        raise CostDataError(f"{store_dir}: holds {', '.join(sorted(currencies))} and no FX table; load one with "
                            "--fx-table")
    currency = fx.reporting_currency if fx else (currencies.pop() if currencies else "")
    rows = [SummaryRow(tuple(str(k) for k in keys), *values) for keys, values in sorted(totals.items())]
    return CostSummary(str(store_dir), currency, by, rows)


def _keys(by: tuple[str, ...], values: tuple, place: LinePlacer | None) -> tuple:
    """The grouping keys of a result row: the tag's two columns (and the mapping columns) become the line."""
    if "business-case-line" not in by:
        return values
    at = by.index("business-case-line")
    tag = line_tag(values[at], values[at + 1])
    if place is None:
        return (*values[:at], tag if tag is not None else UNTAGGED, *values[at + 2:])
    rest = values[at + 2:at + 2 + len(MAPPING_COLUMNS)]
    placed = place(tag, *rest)
    return (*values[:at], placed or UNALLOCATED, *values[at + 2 + len(MAPPING_COLUMNS):])


def _fx_table(storage: Storage, manifest: dict) -> FxTable | None:
    if not manifest.get("fx_table"):
        return None
    data = storage.read_bytes(manifest["fx_table"])
    if data is None:
        raise CostDataError(f"{storage}/{manifest['fx_table']}: the store's FX table is missing; load it again with "
                            "`estate cost load --fx-table`")
    return parse_fx_table(data, f"{storage}/{manifest['fx_table']}")
