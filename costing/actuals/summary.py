"""`estate cost summary`: totals from the cost store by month, business-case line and/or service, via DuckDB.

Amounts are exact decimals: BilledCost (what was invoiced, actual cost) and EffectiveCost (amortised). A store
with one billing currency is summed as is; a store with an FX table is converted month by month into the table's
reporting currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from costing.actuals.engines import DuckDBEngine, QueryEngine, run_query
from costing.actuals.fx import FxTable, parse_fx_table
from costing.actuals.store import MANIFEST, Storage, open_storage, read_manifest, store_files
from estate.foundation.errors import InputError

GROUPINGS = {
    "month": "strftime(ChargePeriodStart, '%Y-%m')",
    "business-case-line": "coalesce(Tags->>'$.business-case-line', '(untagged)')",
    "service": "coalesce(ServiceName, '(unknown)')",
}


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


def summarise(store_dir: Path, by: tuple[str, ...], engine: QueryEngine | None = None) -> CostSummary:
    """Totals of BilledCost and EffectiveCost by the groupings asked for, run on `engine` (DuckDB by default).

    The query is one SQL text in DuckDB's dialect that Spark runs transpiled (`costing.actuals.engines`)."""
    storage = open_storage(store_dir)
    if storage.read_manifest()[0] is None:
        raise InputError(f"{store_dir}: no cost store here (no {MANIFEST}); run `estate cost load SOURCE "
                         f"--store {store_dir}` first")
    manifest = read_manifest(storage)
    fx = _fx_table(storage, manifest)
    groups = ", ".join(f"{GROUPINGS[name]} AS \"{name}\"" for name in by)
    query = (f"SELECT {groups}, BillingCurrency AS currency, strftime(ChargePeriodStart, '%Y-%m') AS charge_month, "
             "sum(BilledCost), sum(EffectiveCost), count(*) FROM costs GROUP BY ALL")
    engine = engine or DuckDBEngine()
    files = store_files(storage, engine.name)
    # Months are UTC calendar months, whatever the machine's time zone (both engines run in UTC).
    records = run_query(engine, query, files, str(store_dir), storage.filesystem()) if files else []
    totals: dict[tuple[str, ...], list] = {}
    currencies = set()
    for record in records:
        keys, (currency, month, billed, effective, count) = tuple(record[:len(by)]), record[len(by):]
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


def _fx_table(storage: Storage, manifest: dict) -> FxTable | None:
    if not manifest.get("fx_table"):
        return None
    data = storage.read_bytes(manifest["fx_table"])
    if data is None:
        raise InputError(f"{storage}/{manifest['fx_table']}: the store's FX table is missing; load it again with "
                         "`estate cost load --fx-table`")
    return parse_fx_table(data, f"{storage}/{manifest['fx_table']}")
