"""The cost store: normalised cost rows as Parquet, one partition per (source, month), and a manifest.

Layout under the store directory (default `out/cost-store`)::

    manifest.json                                   what is in the store (the commit point, see below)
    fx-rates.csv                                    optional FX table (`estate cost load --fx-table`)
    actuals/source=<slug>/month=YYYY-MM/<id>.parquet the partition's file(s): columns of `schema.normalised_schema()`

A *source* is one dataset that is replaced as a whole when it is loaded again: an export and its billing period
(`ExportName/2025-06-01..2025-06-30`), a loose file, or (for `estate cost pull`) a scope and metric. The *month* is
the month of `ChargePeriodStart`, so a correction billed in June for May usage lands in May.

Writing is atomic: partitions are staged under `.staging-*` inside the store, moved to new unique file names,
and only then is `manifest.json` replaced (temp file + rename). Readers use only the files the manifest lists, so a
crash at any point leaves the previous store readable, and a failed load leaves it byte-identical. Loads may run
at once: staging is private to each, and `commit` is one compare-and-swap step under the store's exclusive lock
(`.lock`, see `costing.actuals.store_lock` and docs/cost-store.md), so parallel loads serialise their commits and
none loses another's sources. Leftovers of a killed load are removed by the next commit.

Manifest shape (`store_format` 2; format 1 stored Tags as a map)::

    {"store_format": 2, "schema": "estate-focus/2", "updated_at": "...Z", "currencies": ["GBP"],
     "fx_table": null | "fx-rates.csv",
     "sources": {"<name>": {"kind": "export" | "query", "origin": "path or URL", "format": "focus-1.0",
                            "fingerprint": "sha256:...", "loaded_at": "...Z", "rows": 12,
                            "notes": ["..."], "blobs": {"https://...blob URL": "ETag"} (read from Blob),
                            "partitions": {"2025-05": {"files": ["actuals/..."], "rows": 12, "written_at": "...Z",
                                                       "totals": {"GBP": {"billed_cost": "1.50",
                                                                          "effective_cost": "1.50"}}}}}}}

A partition file holds the core columns (`schema.CORE_COLUMNS`) and those its source carries, not all ~110 of the
schema: the readers here (`relation`, `open_dataset`) give every column back, nulls where a file has none.

API for other stages: `PartitionStager` + `commit` (many months at once), `write_partition` (one
(source, month) table), `read_manifest`, `store_files`, `open_dataset` (pyarrow) and `relation` (DuckDB).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from costing.actuals.convert import to_text_dictionary
from costing.actuals.schema import TEXT_DICTIONARY, normalised_schema, storage_schema, stored_names
from costing.actuals.store_lock import (
    StagingClaim,
    check_manifest_paths,
    leftover_staging,
    remove_leftovers,
    store_lock,
    unlisted_files,
)
from estate.foundation.errors import InputError
from estate.foundation.files import write_atomic

DEFAULT_STORE = Path("out/cost-store")
MANIFEST = "manifest.json"
FX_TABLE = "fx-rates.csv"
STORE_FORMAT = 2
SCHEMA_NAME = "estate-focus/2"
# Text columns repeat (services, regions, resource ids) and shrink with dictionaries; costs do not.
DICTIONARY_COLUMNS = [f.name for f in normalised_schema() if pa.types.is_string(f.type)]
# Min/max statistics only where queries filter (months, currency, scope); computing them everywhere costs time.
STATISTICS_COLUMNS = ["ChargePeriodStart", "ChargePeriodEnd", "BillingPeriodStart", "BillingCurrency",
                      "SubAccountId", "ServiceName", "RegionId", "x_SourceName"]


def now_utc() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_manifest(store_dir: Path) -> dict[str, Any]:
    """The store's manifest, or an empty one when the store does not exist yet."""
    path = Path(store_dir) / MANIFEST
    if not path.exists():
        return {"store_format": STORE_FORMAT, "schema": SCHEMA_NAME, "updated_at": None, "currencies": [],
                "fx_table": None, "sources": {}}
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not a readable cost-store manifest ({exc}); point --store at a cost store",
                         file=str(path)) from None
    if manifest.get("store_format") != STORE_FORMAT:
        raise InputError(f"{path}: cost-store format {manifest.get('store_format')!r} is not {STORE_FORMAT}; "
                         "load the data into a new store", file=str(path))
    check_manifest_paths(Path(store_dir), manifest, path, FX_TABLE)
    return manifest


@dataclass
class StagedPartition:
    """One month of one source written to staging files (one per writer thread), with rows and totals."""

    month: str
    paths: list[Path] = field(default_factory=list)
    rows: int = 0
    totals: dict[str, dict[str, Decimal]] = field(default_factory=dict)

    def add_totals(self, rows: int, totals: list[tuple[str | None, Decimal | None, Decimal | None]]) -> None:
        self.rows += rows
        for currency, billed, effective in totals:
            entry = self.totals.setdefault(currency or "", {"billed_cost": Decimal(0), "effective_cost": Decimal(0)})
            entry["billed_cost"] += billed or Decimal(0)
            entry["effective_cost"] += effective or Decimal(0)


class PartitionStager:
    """Stages normalised batches of one source into per-month Parquet files inside the store directory.

    `add` may be called from several threads at once: each thread writes its own file per month, so a partition
    is one or more files.
    """

    def __init__(self, store_dir: Path) -> None:
        self.store_dir = Path(store_dir)
        self.created_store = not self.store_dir.exists()
        # Claimed (locked) while this load lives: commits remove only staging folders nobody holds.
        self._claim = StagingClaim(self.store_dir, uuid.uuid4().hex[:12])
        self.staging_dir = self._claim.folder
        self.partitions: dict[str, StagedPartition] = {}
        self._writers: dict[tuple[str, int], pq.ParquetWriter] = {}
        self._lock = threading.Lock()

    def add(self, batch: pa.RecordBatch) -> None:
        """Route a normalised batch's rows to their charge month's staging file."""
        if batch.num_rows == 0:
            return
        batch = _in_storage_types(batch)
        start = batch.column("ChargePeriodStart")
        if start.null_count:
            index = pc.index(pc.is_null(start), True).as_py()
            row = batch.column("x_SourceRow")[index].as_py()
            raise InputError(f"{batch.column('x_SourceFile')[index].as_py()}: data row {row}: ChargePeriodStart is "
                             "empty; every cost row needs the start of its charge period")
        first, last = (value.as_py() for value in pc.min_max(start).values())
        if (first.year, first.month) == (last.year, last.month):  # the usual case: no per-row month needed
            self._write(f"{first.year:04d}-{first.month:02d}", batch)
            return
        # year * 100 + month: integer keys are ten times cheaper than formatting every timestamp.
        keys = pc.add(pc.multiply(pc.year(start), 100), pc.month(start))
        unique = pc.unique(keys).to_pylist()
        for key in unique:
            part = batch if len(unique) == 1 else batch.filter(pc.equal(keys, key))
            self._write(f"{key // 100:04d}-{key % 100:02d}", part)

    def _write(self, month: str, batch: pa.RecordBatch) -> None:
        writer = self._writer(month, batch.schema)
        writer.write_batch(batch)
        totals = _currency_totals(batch)
        with self._lock:
            self.partitions[month].add_totals(batch.num_rows, totals)

    def _writer(self, month: str, schema: pa.Schema) -> pq.ParquetWriter:
        # One file per month, writer thread and set of columns (files of one export share their columns).
        key = (month, threading.get_ident(), tuple(schema.names))
        with self._lock:
            if key not in self._writers:
                staged = self.partitions.setdefault(month, StagedPartition(month))
                path = self.staging_dir / f"{month}-{len(staged.paths)}.parquet"
                staged.paths.append(path)
                # The file's own schema is the plain one (strings, not dictionaries): store_schema=False.
                self._writers[key] = pq.ParquetWriter(
                    path, schema, compression=_compression(schema), store_schema=False,
                    use_dictionary=[name for name in DICTIONARY_COLUMNS if name in schema.names],
                    write_statistics=[name for name in STATISTICS_COLUMNS if name in schema.names])
            return self._writers[key]

    def finish(self) -> dict[str, StagedPartition]:
        """Close the staging files and return the staged partitions by month."""
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()
        return self.partitions

    def abort(self) -> None:
        """Remove everything staged; a store created for this load is removed too."""
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()
        shutil.rmtree(self.staging_dir, ignore_errors=True)
        self._claim.release()
        if self.created_store and self.store_dir.exists() and not any(self.store_dir.iterdir()):
            self.store_dir.rmdir()


def _compression(schema: pa.Schema) -> dict[str, str]:
    """Snappy for everything but exact decimals: those are 16-byte values that snappy shrinks by a quarter at
    most, and compressing them was a third of the time spent writing (measured on a 10-million-row load)."""
    return {f.name: "none" if pa.types.is_decimal(f.type) else "snappy" for f in schema}


def _currency_totals(batch: pa.RecordBatch) -> list[tuple[str | None, Decimal | None, Decimal | None]]:
    """(currency, billed, effective) sums of a batch: one sum per column when the batch has one currency."""
    currency = batch.column("BillingCurrency")
    billed, effective = batch.column("BilledCost"), batch.column("EffectiveCost")
    if currency.null_count == 0 and len(currency.dictionary) == 1:
        return [(currency.dictionary[0].as_py(), pc.sum(billed).as_py(), pc.sum(effective).as_py())]
    grouped = pa.table(batch).group_by("BillingCurrency").aggregate([("BilledCost", "sum"), ("EffectiveCost", "sum")])
    return list(zip(*(grouped.column(name).to_pylist() for name in ("BillingCurrency", "BilledCost_sum",
                                                                   "EffectiveCost_sum")), strict=True))


def _in_storage_types(batch: pa.RecordBatch) -> pa.RecordBatch:
    """A batch of normalised columns in the storage schema's types: every text column dictionary-encoded (one
    read from a parquet export already is, and passes through untouched)."""
    schema = storage_schema(tuple(batch.schema.names))
    if batch.schema.equals(schema):
        return batch
    arrays = [to_text_dictionary(column) if field.type == TEXT_DICTIONARY else column
              for field, column in zip(schema, batch.columns, strict=True)]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def source_slug(name: str) -> str:
    """A directory-safe, collision-free name for a source."""
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_")[:60] or "source"
    return f"{readable}-{hashlib.sha256(name.encode()).hexdigest()[:8]}"


def check_currencies(manifest: dict[str, Any], fx_configured: bool) -> list[str]:
    """The store's currencies; more than one is an error unless an FX table is configured."""
    currencies = sorted({currency for source in manifest["sources"].values()
                         for part in source["partitions"].values() for currency in part["totals"]})
    if len(currencies) > 1 and not fx_configured:
        raise InputError(
            f"the cost store would hold more than one billing currency ({', '.join(c or '(none)' for c in currencies)})"
            "; totals across currencies mean nothing without exchange rates: pass --fx-table FILE (CSV with "
            "from_currency,to_currency,month,rate) or load each currency into its own --store")
    return currencies


@dataclass
class SourceChange:
    """A source to (re)write: its manifest record, its staged partitions, and which months it replaces."""

    name: str
    record: dict[str, Any]
    staged: dict[str, StagedPartition]
    replace_months: set[str] | None = None  # None: the whole source is replaced


def commit(store_dir: Path, changes: list[SourceChange], *, fx_table: bytes | None = None) -> dict[str, Any]:
    """Record `changes` in the store, all or nothing, and return the manifest written.

    The contract (kept by any other store back end, e.g. a blob with a conditional ETag write): under exclusive
    ownership of the store, read the *current* manifest (not the one the load started from), apply the changes
    to it (other sources untouched, a change replaces its own source's months), make the staged files live, and
    replace the manifest in one step; then remove what no manifest lists. A change whose export fingerprint is
    already recorded under another source (the same export committed meanwhile) is dropped, so nothing doubles.
    """
    store_dir = Path(store_dir)
    with store_lock(store_dir):
        manifest = _commit_locked(store_dir, changes, fx_table)
        remove_leftovers(store_dir, manifest)
    return manifest


def tidy(store_dir: Path) -> None:
    """Under the store's lock, remove what killed loads left (staging folders, data files no manifest lists)."""
    store_dir = Path(store_dir)
    if not (store_dir / MANIFEST).is_file():
        return
    if leftover_staging(store_dir) or unlisted_files(store_dir, read_manifest(store_dir)):
        with store_lock(store_dir):
            remove_leftovers(store_dir, read_manifest(store_dir))


def _commit_locked(store_dir: Path, changes: list[SourceChange], fx_table: bytes | None) -> dict[str, Any]:
    manifest = read_manifest(store_dir)
    recorded = {entry.get("fingerprint"): name for name, entry in manifest["sources"].items()
                if entry.get("kind") == "export" and entry.get("fingerprint")}
    changes = [change for change in changes if change.record.get("kind") != "export"
               or recorded.get(change.record.get("fingerprint"), change.name) == change.name]
    superseded: list[str] = []
    moves: list[tuple[Path, Path]] = []
    for change in changes:
        previous = manifest["sources"].get(change.name, {"partitions": {}})
        partitions = {} if change.replace_months is None else {
            month: part for month, part in previous["partitions"].items() if month not in change.replace_months}
        for month, part in sorted(change.staged.items()):
            folder = Path("actuals") / f"source={source_slug(change.name)}" / f"month={month}"
            files = [(folder / f"{uuid.uuid4().hex}.parquet") for _ in part.paths]
            moves += [(staged, store_dir / relative) for staged, relative in zip(part.paths, files, strict=True)]
            partitions[month] = {"files": [f.as_posix() for f in files], "rows": part.rows, "written_at": now_utc(),
                                 "totals": {c: {k: str(v) for k, v in t.items()} for c, t in part.totals.items()}}
        live = {f for p in partitions.values() for f in p["files"]}
        superseded += [f for p in previous["partitions"].values() for f in p["files"] if f not in live]
        manifest["sources"][change.name] = dict(change.record, partitions=dict(sorted(partitions.items())),
                                                rows=sum(p["rows"] for p in partitions.values()))
    if fx_table is not None:
        manifest["fx_table"] = FX_TABLE
    # Checked before anything moves, so a refused load leaves the store as it was.
    manifest["currencies"] = check_currencies(manifest, manifest.get("fx_table") is not None)
    manifest["updated_at"] = now_utc()
    done: list[Path] = []
    try:
        for staged_path, final_path in moves:
            final_path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged_path, final_path)
            done.append(final_path)
        if fx_table is not None:
            write_atomic(store_dir / FX_TABLE, fx_table)
        write_atomic(store_dir / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    except BaseException:
        for path in done:
            _remove_file_and_empty_parents(store_dir, path)
        raise
    for relative in superseded:
        _remove_file_and_empty_parents(store_dir, store_dir / relative)
    return manifest


def _remove_file_and_empty_parents(store_dir: Path, path: Path) -> None:
    path.unlink(missing_ok=True)
    for parent in path.parents:
        if parent == store_dir or not parent.is_relative_to(store_dir):
            break
        if parent.exists() and not any(parent.iterdir()):
            parent.rmdir()


def write_partition(store_dir: Path, source: str, month: str, table: pa.Table, *, kind: str, origin: str,
                    data_format: str, fingerprint: str | None = None) -> dict[str, Any]:
    """Write one (source, month) partition of normalised rows atomically and record it in the manifest.

    `table` must have `schema.normalised_schema()` and only rows whose ChargePeriodStart falls in `month`
    (YYYY-MM). Other months of the same source are kept, so a puller can write month by month.
    """
    table = table.select(normalised_schema().names).cast(normalised_schema())
    carried = [name for name in table.column_names if table.column(name).null_count < table.num_rows]
    table = table.select(list(stored_names(carried)))
    months = set(pc.unique(pc.strftime(table.column("ChargePeriodStart"), format="%Y-%m")).to_pylist())
    if months - {month}:
        raise ValueError(f"rows for {sorted(months - {month})} given for partition {month}")
    stager = PartitionStager(store_dir)
    try:
        for batch in table.to_batches():
            stager.add(batch)
        staged = stager.finish()
        record = {"kind": kind, "origin": origin, "format": data_format, "fingerprint": fingerprint,
                  "loaded_at": now_utc(), "notes": []}
        manifest = commit(store_dir, [SourceChange(source, record, staged, replace_months={month})])
        return manifest["sources"][source]
    finally:
        stager.abort()


def store_files(store_dir: Path) -> list[str]:
    """Absolute paths of the live partition files the manifest lists."""
    manifest = read_manifest(store_dir)
    return [str(Path(store_dir).resolve() / file) for source in manifest["sources"].values()
            for part in source["partitions"].values() for file in part["files"]]


def open_dataset(store_dir: Path):
    """The store as a pyarrow dataset (lazy; scan it with filters and column projections)."""
    import pyarrow.dataset as ds

    return ds.dataset(_readable_files(store_dir), schema=normalised_schema(), format="parquet")


def _readable_files(store_dir: Path) -> list[str]:
    """The listed files, every one present: a store whose manifest names a missing file is damaged (exit 2)."""
    files = store_files(store_dir)
    missing = next((file for file in files if not Path(file).is_file()), None)
    if missing is not None:
        raise InputError(f"{store_dir}: the cost store is damaged: its manifest lists {missing}, which is missing; "
                         "load the source again with `estate cost load` (or restore the store from a backup)",
                         file=str(store_dir))
    return files


def relation(store_dir: Path, connection=None):
    """The store as a DuckDB relation (lazy) with every column of the schema, in order.

    Partition files hold different subsets of the columns, so they are read by name and the columns no file
    has come back as typed nulls; an empty store gives an empty relation with the same columns.
    """
    import duckdb

    if connection is None:
        connection = duckdb.connect()
        connection.execute("SET TimeZone = 'UTC'")
    files = _readable_files(store_dir)
    if not files:
        return connection.from_arrow(normalised_schema().empty_table())
    stored = connection.read_parquet(files, union_by_name=True)
    present = set(stored.columns)
    return stored.project(", ".join(
        _sql_name(f.name) if f.name in present else f"CAST(NULL AS {_duckdb_type(f.type)}) AS {_sql_name(f.name)}"
        for f in normalised_schema()))


def _sql_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _duckdb_type(data_type: pa.DataType) -> str:
    if pa.types.is_decimal(data_type):
        return f"DECIMAL({data_type.precision}, {data_type.scale})"
    if pa.types.is_timestamp(data_type):
        return "TIMESTAMPTZ" if data_type.tz else "TIMESTAMP"
    if pa.types.is_boolean(data_type):
        return "BOOLEAN"
    if pa.types.is_int64(data_type):
        return "BIGINT"
    return "VARCHAR"
