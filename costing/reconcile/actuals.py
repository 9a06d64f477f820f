"""Actual spend from the cost store, summed by month and by the columns that decide its business-case line.

One DuckDB pass over the store's Parquet files (the ones its manifest lists): a GROUP BY charge day (folded
into months here), billing currency, `business-case-line` tag, service, resource group, and subscription id
and name. Those groups are few (thousands) however many rows the store holds, so everything after this runs
in Python on exact `Decimal`s without holding the rows in memory.

The files come from the store's manifest (`costing.actuals.store` documents it: `sources.<name>.partitions.
<YYYY-MM>.files`), read here with `json` rather than through `costing.actuals.store`, whose pyarrow import
alone costs a tenth of a reconciliation's time; the FX table is parsed by `costing.actuals.fx`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Literal

from costing.actuals.fx import FxTable, parse_fx_table
from costing.actuals.line_tag import line_tag_sql
from estate.foundation.errors import InputError
from estate.foundation.periods import Month

CostColumn = Literal["EffectiveCost", "BilledCost"]
COST_COLUMNS: dict[str, str] = {
    "EffectiveCost": "amortised cost (EffectiveCost): reservation and savings-plan purchases spread over the "
                     "months they cover",
    "BilledCost": "billed cost (BilledCost): what was invoiced, purchases in the month they were bought",
}
# Working memory for DuckDB: the GROUP BY keeps only a few hundred groups, so this is ample.
DUCKDB_MEMORY_LIMIT = "256MB"
MANIFEST = "manifest.json"
STORE_FORMAT = 2  # costing.actuals.store.STORE_FORMAT, not imported (see above); a test keeps them equal
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


def _store_contents(store_dir: Path) -> tuple[list[str], list[str], FxTable | None]:
    """The live Parquet files, the sources' names and origins, and the FX table of a store."""
    path = Path(store_dir) / MANIFEST
    if not path.is_file():
        raise InputError(f"{store_dir}: no cost store here (no {MANIFEST}); load spend into it first with "
                         f"`estate cost load EXPORT --store {store_dir}`", file=str(store_dir))
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if manifest.get("store_format") != STORE_FORMAT:
            raise ValueError(f"store format {manifest.get('store_format')!r} is not {STORE_FORMAT}")
        files = [str((Path(store_dir) / name).resolve()) for source in manifest["sources"].values()
                 for part in source["partitions"].values() for name in part["files"]]
        sources = [f"{name} ({source.get('origin', '')})" for name, source in sorted(manifest["sources"].items())]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(f"{path}: not a readable cost-store manifest ({exc}); point --store at a store written by "
                         "`estate cost load`", file=str(path)) from None
    fx = None
    if manifest.get("fx_table"):
        fx_path = Path(store_dir) / manifest["fx_table"]
        fx = parse_fx_table(fx_path.read_bytes(), str(fx_path))
    return files, sources, fx


def spend_query(files: list[str], cost_column: CostColumn) -> str:
    """The one GROUP BY the reconciliation runs over the store.

    Partition files hold different subsets of the schema's columns, all of them the ones read here
    (`costing.actuals.schema.CORE_COLUMNS`), so the files are read by name.

    It groups by the UTC day number of ChargePeriodStart (integer arithmetic on the stored microseconds) rather
    than computing a calendar month on every row: time-zone-aware year()/month() cost more than the rest of the
    query, and a month has at most 31 days, which Python folds into months afterwards.
    """
    file_list = ", ".join(_sql_text(name) for name in files)
    line_tag = line_tag_sql()  # the tag key in any case, as `estate cost summary` reads it
    resource_group = "nullif(regexp_extract(ResourceId, '/resourcegroups/([^/]+)', 1, 'i'), '')"
    return (f"SELECT epoch_us(ChargePeriodStart) // {MICROSECONDS_A_DAY} AS day, BillingCurrency, {line_tag}, "
            f"ServiceName, {resource_group}, SubAccountId, SubAccountName, sum({cost_column}), count(*) "
            f"FROM read_parquet([{file_list}], union_by_name = true) GROUP BY ALL")


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def month_of_day(day_number: int) -> Month:
    """The UTC calendar month of a day counted from 1970-01-01."""
    return Month.of(EPOCH + timedelta(days=day_number))


def fold_days_into_months(records: list[tuple]) -> list[SpendGroup]:
    """(day, keys..., amount, rows) records -> one SpendGroup per month and keys, amounts summed exactly."""
    months: dict[int, Month] = {}
    folded: dict[tuple, list] = {}
    for day, currency, *keys, amount, count in records:
        month = months.get(day)
        if month is None:
            month = months[day] = month_of_day(day)
        entry = folded.setdefault((month, currency or "", *keys), [Decimal(0), 0])
        entry[0] += amount or Decimal(0)
        entry[1] += count
    return [SpendGroup(*key, amount=amount, rows=count) for key, (amount, count) in folded.items()]


def read_store_spend(store_dir: Path, cost_column: CostColumn) -> StoreSpend:
    """Spend grouped by month and mapping columns, from every live file of the store."""
    import duckdb

    if cost_column not in COST_COLUMNS:
        raise InputError(f"--cost-column {cost_column!r}: choose EffectiveCost or BilledCost")
    files, sources, fx = _store_contents(store_dir)
    if not files:
        return StoreSpend(str(store_dir), [], [], fx, sources)
    connection = duckdb.connect(config={"memory_limit": DUCKDB_MEMORY_LIMIT})
    try:
        # Charge months are UTC calendar months whatever the machine's time zone.
        connection.execute("SET TimeZone = 'UTC'")
        records = connection.execute(spend_query(files, cost_column)).fetchall()
    except duckdb.Error as exc:
        raise InputError(f"{store_dir}: cannot read the cost store's files ({exc}); reload the store with "
                         "`estate cost load`") from None
    finally:
        connection.close()
    if any(record[0] is None for record in records):
        raise InputError(f"{store_dir}: some cost rows have no ChargePeriodStart, so no month; reload the store "
                         "with `estate cost load`, which refuses such rows")
    return StoreSpend(str(store_dir), files, fold_days_into_months(records), fx, sources)
