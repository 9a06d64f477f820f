"""Actual spend from the cost store, summed by month and by the columns that decide its business-case line.

One DuckDB pass over the store's Parquet files (the ones its manifest lists): a GROUP BY charge day (folded
into months here), billing currency, `business-case-line` tag, service, resource group, and subscription id
and name. Those groups are few (thousands) however many rows the store holds, so everything after this runs
in Python on exact `Decimal`s without holding the rows in memory.

The files come from the store's manifest (`costing.actuals.store` documents it: `sources.<name>.partitions.
<YYYY-MM>.files`), read here with `json` through `costing.actuals.storage` (a local directory or Azure Storage)
rather than through `costing.actuals.store`, whose pyarrow import alone costs a tenth of a reconciliation's time;
the FX table is parsed by `costing.actuals.fx`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from costing.actuals.fx import FxTable, parse_fx_table
from costing.actuals.line_tag import EXACT_SQL, OTHER_SPELLING_SQL
from costing.actuals.line_tag import line_tag as line_tag_value
from costing.actuals.manifest import existing_manifest, readable_files
from costing.actuals.storage import MANIFEST, BlobStorage, LocalStorage, open_storage
from estate.foundation.errors import InputError
from estate.foundation.periods import Month

if TYPE_CHECKING:
    from costing.actuals.engines import QueryEngine

CostColumn = Literal["EffectiveCost", "BilledCost"]
COST_COLUMNS: dict[str, str] = {
    "EffectiveCost": "amortised cost (EffectiveCost): reservation and savings-plan purchases spread over the "
                     "months they cover",
    "BilledCost": "billed cost (BilledCost): what was invoiced, purchases in the month they were bought",
}
Storage = LocalStorage | BlobStorage
MICROSECONDS_A_DAY = 86_400_000_000
EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class SpendGroup:
    """Actual spend of one charge month sharing every column that decides its business-case line."""

    month: Month
    currency: str
    line_tag: str | None
    service: str | None
    resource_group: str | None
    subscription_id: str | None
    subscription_name: str | None
    amount: Decimal
    rows: int


@dataclass(frozen=True)
class StoreSpend:
    """Every spend group of a store, the files read, and the FX table it carries (if any)."""

    store: str
    files: list[str]
    groups: list[SpendGroup]
    fx: FxTable | None
    sources: list[str]


def _store_contents(store_dir: Path | str | Storage, engine: str) -> tuple[list[str], list[str], FxTable | None]:
    """The live Parquet files (as `engine` reads them), the sources' names and origins, and the FX table: through
    the store's one manifest reader (`costing.actuals.manifest`)."""
    storage = open_storage(store_dir)
    manifest = existing_manifest(storage)
    if manifest is None:
        raise InputError(f"{store_dir}: no cost store here (no {MANIFEST}); load spend into it first with "
                         f"`estate cost load EXPORT --store {store_dir}`", file=str(store_dir))
    files = readable_files(storage, engine, manifest)
    sources = [f"{name} ({source.get('origin', '')})" for name, source in sorted(manifest["sources"].items())]
    fx = None
    if manifest.get("fx_table"):
        fx_data = storage.read_bytes(manifest["fx_table"])
        if fx_data is None:
            raise InputError(f"{storage}/{manifest['fx_table']}: the store's FX table is missing; load it again "
                             "with `estate cost load --fx-table`")
        fx = parse_fx_table(fx_data, f"{storage}/{manifest['fx_table']}")
    return files, sources, fx


def spend_query(cost_column: CostColumn) -> str:
    """The one GROUP BY the reconciliation runs over the store (table `costs`), on either engine.

    DuckDB's dialect; Spark runs sqlglot's transpilation of it (`costing.actuals.engines`), so it keeps to what both
    engines have: JSON access by path, `instr`, `lower`, a `(?i)` regular expression, integer division.

    It groups by the UTC day number of ChargePeriodStart (integer arithmetic on the stored microseconds) rather
    than computing a calendar month on every row: time-zone-aware year()/month() cost more than the rest of the
    query, and a month has at most 31 days, which Python folds into months afterwards.
    """
    # Tags are JSON object text and keys arrive as written: the exact key is the cheap common case; a row whose
    # text holds another spelling ("Business-Case-Line") is grouped by its whole Tags text, which Python reads.
    exact, other_spelling = EXACT_SQL, OTHER_SPELLING_SQL
    resource_group = "nullif(regexp_extract(ResourceId, '(?i)/resourcegroups/([^/]+)', 1), '')"
    return (f"SELECT epoch_us(ChargePeriodStart) // {MICROSECONDS_A_DAY} AS day, BillingCurrency AS currency, "
            f"{exact} AS line_tag, {other_spelling} AS other_tags, ServiceName AS service, "
            f"{resource_group} AS resource_group, SubAccountId AS subscription_id, "
            f"SubAccountName AS subscription_name, sum({cost_column}) AS amount, count(*) AS cost_rows "
            f"FROM costs GROUP BY ALL")


def month_of_day(day_number: int) -> Month:
    """The UTC calendar month of a day counted from 1970-01-01."""
    return Month.of(EPOCH + timedelta(days=day_number))


def fold_days_into_months(records: list[tuple]) -> list[SpendGroup]:
    """(day, keys..., amount, rows) records -> one SpendGroup per month and keys, amounts summed exactly."""
    months: dict[int, Month] = {}
    folded: dict[tuple, list] = {}
    for day, currency, line_tag, other_tags, *keys, amount, count in records:
        keys = [line_tag_value(line_tag, other_tags), *keys]
        month = months.get(day)
        if month is None:
            month = months[day] = month_of_day(day)
        entry = folded.setdefault((month, currency or "", *keys), [Decimal(0), 0])
        entry[0] += amount or Decimal(0)
        entry[1] += count
    return [SpendGroup(*key, amount=amount, rows=count) for key, (amount, count) in folded.items()]


def read_store_spend(store_dir: Path | str | Storage, cost_column: CostColumn,
                     engine: QueryEngine | None = None) -> StoreSpend:
    """Spend grouped by month and mapping columns, from every live file of the store, on `engine` (DuckDB)."""
    from costing.actuals.engines import DuckDBEngine, run_query

    if cost_column not in COST_COLUMNS:
        raise InputError(f"--cost-column {cost_column!r}: choose EffectiveCost or BilledCost")
    engine = engine or DuckDBEngine()
    files, sources, fx = _store_contents(store_dir, engine.name)
    if not files:
        return StoreSpend(str(store_dir), [], [], fx, sources)
    records = run_query(engine, spend_query(cost_column), files, str(store_dir), open_storage(store_dir).filesystem())
    if any(record[0] is None for record in records):
        raise InputError(f"{store_dir}: some cost rows have no ChargePeriodStart, so no month; reload the store "
                         "with `estate cost load`, which refuses such rows")
    # Engines return groups in no particular order; sorted, every later step sees the same sequence.
    records.sort(key=lambda record: tuple((value is not None, value) for value in record[:-2]))
    return StoreSpend(str(store_dir), files, fold_days_into_months(records), fx, sources)
