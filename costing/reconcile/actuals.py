"""Actual spend from the cost store, summed by month and by the columns that decide its business-case line.

One DuckDB pass over the store's Parquet files (the ones its manifest lists): a GROUP BY charge day (folded
into months here), billing currency, `business-case-line` tag, service, resource group, and subscription id
and name. Those groups are few (thousands) however many rows the store holds, so everything after this runs
in Python on exact `Decimal`s without holding the rows in memory.

The store layout is the cost store's (`costing.actuals.store`): `manifest.json` lists every live partition
file under `sources.<name>.partitions.<YYYY-MM>.files`, and `fx_table` names an optional CSV
`from_currency,to_currency,month,rate` beside it. (Read here from the documented manifest so that this
module does not depend on the store's writer.)
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Literal

from costing.business_case.periods import Month
from estate.errors import InputError

CostColumn = Literal["EffectiveCost", "BilledCost"]
COST_COLUMNS: dict[str, str] = {
    "EffectiveCost": "amortised cost (EffectiveCost): reservation and savings-plan purchases spread over the "
                     "months they cover",
    "BilledCost": "billed cost (BilledCost): what was invoiced, purchases in the month they were bought",
}
MANIFEST = "manifest.json"
# Working memory for DuckDB: the GROUP BY keeps only a few hundred groups, so this is ample.
DUCKDB_MEMORY_LIMIT = "256MB"
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
    fx: FxRates | None
    sources: list[str]


@dataclass(frozen=True)
class FxRates:
    """Monthly rates into one reporting currency: units of `reporting_currency` per one `from_currency`."""

    source: str
    reporting_currency: str
    rates: dict[tuple[str, str], Decimal]

    def rate(self, currency: str, month: Month) -> Decimal:
        if currency == self.reporting_currency:
            return Decimal(1)
        found = self.rates.get((currency, str(month)))
        if found is None:
            raise InputError(f"{self.source}: no {currency}->{self.reporting_currency} rate for {month}; add the "
                             f"row '{currency},{self.reporting_currency},{month},RATE' and load the table again")
        return found


def store_files(store_dir: Path) -> tuple[list[str], list[str]]:
    """The live Parquet files the store's manifest lists (absolute paths), and its sources' names and origins."""
    manifest_path = Path(store_dir) / MANIFEST
    if not manifest_path.is_file():
        raise InputError(f"{store_dir}: no cost store here (no {MANIFEST}); load spend into it first with "
                         f"`estate cost load EXPORT --store {store_dir}`", file=str(manifest_path))
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        parts = [file for source in manifest["sources"].values() for part in source["partitions"].values()
                 for file in part.get("files", [part.get("file")]) if file]
        sources = [f"{name} ({source.get('origin', '')})" for name, source in sorted(manifest["sources"].items())]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(f"{manifest_path}: not a readable cost-store manifest ({exc}); point --store at a "
                         "directory written by `estate cost load`", file=str(manifest_path)) from None
    return [str((Path(store_dir) / part).resolve()) for part in parts], sources


def read_fx_rates(store_dir: Path) -> FxRates | None:
    """The store's FX table, if its manifest names one."""
    manifest = json.loads((Path(store_dir) / MANIFEST).read_text(encoding="utf-8"))
    if not manifest.get("fx_table"):
        return None
    path = Path(store_dir) / manifest["fx_table"]
    return parse_fx_rates(path.read_text(encoding="utf-8-sig"), str(path))


def parse_fx_rates(text: str, source: str) -> FxRates:
    """Read `from_currency,to_currency,month,rate` rows; one reporting currency, positive rates."""
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows or not {"from_currency", "to_currency", "month", "rate"} <= set(rows[0]):
        raise InputError(f"{source}: an FX table needs the header from_currency,to_currency,month,rate")
    targets = {row["to_currency"].strip() for row in rows}
    if len(targets) != 1:
        raise InputError(f"{source}: every row must convert into one currency; found {', '.join(sorted(targets))}")
    rates = {}
    for number, row in enumerate(rows, start=2):
        try:
            rate = Decimal(row["rate"].strip())
        except (InvalidOperation, AttributeError):
            rate = Decimal(0)
        if not rate.is_finite() or rate <= 0:
            raise InputError(f"{source}:{number}: rate {row['rate']!r} is not a positive number")
        rates[(row["from_currency"].strip(), row["month"].strip())] = rate
    return FxRates(source, targets.pop(), rates)


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def spend_query(files: list[str], cost_column: CostColumn) -> str:
    """The one GROUP BY the reconciliation runs over the store.

    It groups by the UTC day number of ChargePeriodStart (integer arithmetic on the stored microseconds) rather
    than computing a calendar month on every row: time-zone-aware year()/month() cost more than the rest of the
    query, and a month has at most 31 days, which Python folds into months afterwards.
    """
    file_list = ", ".join(_sql_text(name) for name in files)
    # Tag keys arrive as written ("Business-Case-Line" too); the exact key is the cheap common case.
    line_tag = ("coalesce(Tags['business-case-line'], CASE WHEN cardinality(Tags) > 0 THEN "
                "list_filter(map_entries(Tags), lambda e: lower(e.key) = 'business-case-line')[1].value END)")
    resource_group = "nullif(regexp_extract(ResourceId, '/resourcegroups/([^/]+)', 1, 'i'), '')"
    return (f"SELECT epoch_us(ChargePeriodStart) // {MICROSECONDS_A_DAY} AS day, BillingCurrency, {line_tag}, "
            f"ServiceName, {resource_group}, SubAccountId, SubAccountName, sum({cost_column}), count(*) "
            f"FROM read_parquet([{file_list}]) GROUP BY ALL")


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
    files, sources = store_files(store_dir)
    fx = read_fx_rates(store_dir)
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
