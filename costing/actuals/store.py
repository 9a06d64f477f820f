"""The cost store: normalised cost rows as Parquet, one partition per (source, month), and a manifest.

Layout under the store directory (default `out/cost-store`)::

    manifest.json                                   what is in the store (the commit point, see below)
    fx-rates.csv                                    optional FX table (`estate cost load --fx-table`)
    actuals/source=<slug>/month=YYYY-MM/<id>.parquet the partition's file(s): columns of `schema.normalised_schema()`

A *source* is one dataset that is replaced as a whole when it is loaded again: an export run's export, billing
period and location (`ExportName/2025-06-01..2025-06-30 at LOCATION`), a loose file (its full path or URL), or
(for `estate cost pull`) a scope and metric. The *month* is
the month of `ChargePeriodStart`, so a correction billed in June for May usage lands in May.

Writing is atomic: partitions are staged under `.staging-*` inside the store, moved to new unique file names,
and only then is `manifest.json` replaced (temp file + rename). Readers use only the files the manifest lists, so a
crash at any point leaves the previous store readable, and a failed load leaves it byte-identical. All file
access goes through `costing.actuals.storage`. Loads may run at once: staging is private to each, and `commit` is
one compare-and-swap step: in a local directory under the store's exclusive lock (`.lock`, see
`costing.actuals.store_lock` and docs/cost-store.md), which also removes what killed loads left behind; in Azure
Storage (`az://CONTAINER/PATH`) by a manifest replacement conditional on its ETag, re-read and retried when another
writer committed first (docs/scale-out.md). Either way no load loses another's sources.

Manifest shape (`store_format` 2; format 1 stored Tags as a map)::

    {"store_format": 2, "schema": "estate-focus/2", "updated_at": "...Z", "currencies": ["GBP"],
     "fx_table": null | "fx-rates.csv",
     "sources": {"<name>": {"kind": "export" | "query", "origin": "path or URL", "format": "focus-1.0",
                            "location": "path or URL" (an export run: the folder holding its run folder),
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

import copy
import hashlib
import json
import re
import shutil
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from costing.actuals.convert import to_text_dictionary
from costing.actuals.manifest import (  # the store's API re-exports the one manifest reader
    SCHEMA_NAME,  # noqa: F401
    STORE_FORMAT,  # noqa: F401
    read_manifest,
    read_manifest_versioned,
    readable_files,
    store_files,  # noqa: F401
)
from costing.actuals.schema import TEXT_DICTIONARY, normalised_schema, storage_schema, stored_names
from costing.actuals.storage import (
    FX_TABLE,
    MANIFEST,
    ConcurrentCommit,
    Storage,
    open_storage,
)
from costing.actuals.store_lock import (
    PARTITION_FILE,
    StagingClaim,
    leftover_staging,
    listed_files,
    remove_leftovers,
    store_lock,
    unlisted_files,
)
from estate.foundation.errors import CostDataError

DEFAULT_STORE = Path("out/cost-store")
# Text columns repeat (services, regions, resource ids) and shrink with dictionaries; costs do not.
DICTIONARY_COLUMNS = [f.name for f in normalised_schema() if pa.types.is_string(f.type)]
# Min/max statistics only where queries filter (months, currency, scope); computing them everywhere costs time.
STATISTICS_COLUMNS = ["ChargePeriodStart", "ChargePeriodEnd", "BillingPeriodStart", "BillingCurrency",
                      "SubAccountId", "ServiceName", "RegionId", "x_SourceName"]


def now_utc() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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

    def __init__(self, store_dir: Path | str | Storage) -> None:
        storage = open_storage(store_dir)
        # A local store stages inside itself (files are then renamed in); a remote one in a local temp folder.
        self.store_dir = storage.local_root
        self.created_store = self.store_dir is not None and not self.store_dir.exists()
        self._claim: StagingClaim | None = None
        if self.store_dir is not None:
            # Claimed (locked) while this load lives: commits remove only staging folders nobody holds.
            self._claim = StagingClaim(self.store_dir, uuid.uuid4().hex[:12])
            self.staging_dir = self._claim.folder
        else:
            self.staging_dir = storage.staging_dir()
            self.staging_dir.mkdir(parents=True)
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
            raise CostDataError(f"{batch.column('x_SourceFile')[index].as_py()}: data row {row}: ChargePeriodStart is "
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
        if self._claim is not None:
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
        raise CostDataError(
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
    # (name, entry) -> whether a source recorded under another name is this one (a store written before the
    # source's name changed) and is replaced by it too; asked of the manifest as it is when committing.
    supersedes: Callable[[str, dict[str, Any]], bool] | None = None


# How often a commit re-reads the manifest and tries again when another writer committed in between.
COMMIT_ATTEMPTS = 5


def commit(store_dir: Path | str | Storage, changes: list[SourceChange], *, fx_table: bytes | None = None
           ) -> dict[str, Any]:
    """Record `changes` in the store, all or nothing, and return the manifest written.

    The contract, whatever the back end: under exclusive ownership of the store (a local directory's lock, or a
    manifest write conditional on the version read), read the *current* manifest (not the one the load started
    from), apply the changes to it (other sources untouched, a change replaces its own source's months), make the
    staged files live and replace the manifest in one step; then remove what no manifest lists. A change whose
    export fingerprint is already recorded (the same export committed meanwhile) is dropped, so nothing doubles.
    """
    storage = open_storage(store_dir)
    root = storage.local_root
    if root is None:
        manifest = _commit(storage, changes, fx_table)
        storage.remove_leftovers(set(listed_files(manifest)), PARTITION_FILE.fullmatch)
        return manifest
    with store_lock(root):
        manifest = _commit(storage, changes, fx_table)
        remove_leftovers(root, manifest)
    return manifest


def tidy(store_dir: Path) -> None:
    """Under a local store's lock, remove what killed loads left (staging folders, data files no manifest lists)."""
    root = open_storage(store_dir).local_root
    if root is None or not (root / MANIFEST).is_file():
        return
    if leftover_staging(root) or unlisted_files(root, read_manifest(root)):
        with store_lock(root):
            remove_leftovers(root, read_manifest(root))


def _commit(storage: Storage, changes: list[SourceChange], fx_table: bytes | None) -> dict[str, Any]:
    """Data files go first, under new unique names; the manifest last, conditional on the version read. If another
    writer committed in between, the manifest is read again and the changes applied to it again (a source the other
    writer loaded with the same content is dropped); after `COMMIT_ATTEMPTS` the load stops with the store as the
    other writers left it."""
    manifest, token = read_manifest_versioned(storage)
    recorded = {entry.get("fingerprint"): name for name, entry in manifest["sources"].items()
                if entry.get("kind") == "export" and entry.get("fingerprint")}
    changes = [change for change in changes if change.record.get("kind") != "export"
               or recorded.get(change.record.get("fingerprint"), change.name) == change.name]
    placed = {(change.name, month): [_partition_file(change.name, month) for _ in part.paths]
              for change in changes for month, part in change.staged.items()}
    # Checked before anything is written, so a refused load leaves the store as it was.
    _apply(copy.deepcopy(manifest), changes, placed, FX_TABLE if fx_table is not None else None)
    done: list[str] = []
    try:
        for change in changes:
            for month, part in change.staged.items():
                for staged_path, name in zip(part.paths, placed[(change.name, month)], strict=True):
                    storage.put_file(staged_path, name)
                    done.append(name)
        fx_name = storage.put_fx_table(fx_table) if fx_table is not None else None
        if fx_name is not None:
            done.append(fx_name)
        kept = changes
        for attempt in range(COMMIT_ATTEMPTS):
            if attempt:
                manifest, token = read_manifest_versioned(storage)
                kept = [change for change in changes if not _loaded_meanwhile(manifest, change)]
            previous_fx = manifest.get("fx_table")
            superseded = _apply(manifest, kept, placed, fx_name)
            if fx_name is not None and previous_fx and previous_fx != fx_name:
                superseded.append(previous_fx)
            try:
                storage.commit_manifest(json.dumps(manifest, indent=2, sort_keys=True) + "\n", token)
                break
            except ConcurrentCommit:
                continue
        else:
            raise CostDataError(f"{storage}: other loads kept committing to this store ({COMMIT_ATTEMPTS} attempts); "
                                "nothing of this load was recorded: run it again")
    except BaseException:
        for name in done:
            if name != FX_TABLE:  # a local FX table is replaced in place, as before
                storage.remove(name)
        raise
    kept_names = {change.name for change in kept}
    unused = [name for (source, _), names in placed.items() if source not in kept_names for name in names]
    for name in superseded + unused:
        storage.remove(name)
    return manifest


def _partition_file(source: str, month: str) -> str:
    return f"actuals/source={source_slug(source)}/month={month}/{uuid.uuid4().hex}.parquet"


def _apply(manifest: dict[str, Any], changes: list[SourceChange], placed: dict[tuple[str, str], list[str]],
           fx_name: str | None) -> list[str]:
    """Record `changes` (their files named in `placed`) in `manifest`; return the files no longer listed."""
    superseded: list[str] = []
    for change in changes:
        if change.supersedes is not None:
            for name in [name for name, entry in manifest["sources"].items()
                         if name != change.name and change.supersedes(name, entry)]:
                superseded += [f for p in manifest["sources"].pop(name)["partitions"].values() for f in p["files"]]
        previous = manifest["sources"].get(change.name, {"partitions": {}})
        partitions = {} if change.replace_months is None else {
            month: part for month, part in previous["partitions"].items() if month not in change.replace_months}
        for month, part in sorted(change.staged.items()):
            partitions[month] = {"files": placed[(change.name, month)], "rows": part.rows, "written_at": now_utc(),
                                 "totals": {c: {k: str(v) for k, v in t.items()} for c, t in part.totals.items()}}
        live = {f for p in partitions.values() for f in p["files"]}
        superseded += [f for p in previous["partitions"].values() for f in p["files"] if f not in live]
        manifest["sources"][change.name] = dict(change.record, partitions=dict(sorted(partitions.items())),
                                                rows=sum(p["rows"] for p in partitions.values()))
    if fx_name is not None:
        manifest["fx_table"] = fx_name
    manifest["currencies"] = check_currencies(manifest, manifest.get("fx_table") is not None)
    manifest["updated_at"] = now_utc()
    return superseded


def _loaded_meanwhile(manifest: dict[str, Any], change: SourceChange) -> bool:
    """Whether another writer has committed this very content (same fingerprint) since our manifest was read."""
    fingerprint = change.record.get("fingerprint")
    return fingerprint is not None and any(entry.get("fingerprint") == fingerprint
                                           for entry in manifest["sources"].values())


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


def open_dataset(store_dir: Path):
    """The store as a pyarrow dataset (lazy; scan it with filters and column projections)."""
    import pyarrow.dataset as ds

    return ds.dataset(readable_files(store_dir), schema=normalised_schema(), format="parquet")


def relation(store_dir: Path, connection=None):
    """The store as a DuckDB relation (lazy) with every column of the schema, in order.

    Partition files hold different subsets of the columns, so they are read by name and the columns no file
    has come back as typed nulls; an empty store gives an empty relation with the same columns.
    """
    import duckdb

    if connection is None:
        connection = duckdb.connect()
        connection.execute("SET TimeZone = 'UTC'")
    storage = open_storage(store_dir)
    if storage.filesystem() is not None:
        connection.register_filesystem(storage.filesystem())
    files = readable_files(storage)
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
