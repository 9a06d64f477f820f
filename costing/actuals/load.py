"""`estate cost load`: read every export under a source, normalise it, and commit it to the store in one go.

All sources found are staged first and committed together, so one broken file anywhere leaves the store exactly
as it was. A source whose files are byte-identical to one already loaded is skipped (loading twice adds nothing);
a source loaded before with different content (a newer run of the same export) replaces its earlier rows.
"""

from __future__ import annotations

import os
from collections import Counter, deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from costing.actuals.cost_details import COST_TYPES, normalise_cost_details
from costing.actuals.formats import ExportFormat, detect_format
from costing.actuals.normalise import Lineage, normalise_focus
from costing.actuals.reading import ExportFile, iter_batches, read_header
from costing.actuals.sources.local import ExportSource
from costing.actuals.store import PartitionStager, SourceChange, commit, now_utc, read_manifest
from estate.errors import InputError

STAGING_THREADS = max(1, min(4, os.cpu_count() or 1))


@dataclass
class SourceResult:
    """What happened to one source: loaded (rows by month) or unchanged (already in the store)."""

    name: str
    status: str  # loaded | unchanged
    data_format: str = ""
    rows_read: int = 0
    rows_stored: int = 0
    months: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {"source": self.name, "status": self.status, "format": self.data_format, "rows_read": self.rows_read,
                "rows_stored": self.rows_stored, "months": self.months, "notes": self.notes}


@dataclass(frozen=True)
class LoadOptions:
    """Choices the user makes on the command line."""

    currency: str | None = None  # for files with no BillingCurrency column
    cost_type: str | None = None  # actual | amortized, for legacy cost details without a manifest
    fx_table: bytes | None = None


def load_sources(sources: list[ExportSource], store_dir: Path, options: LoadOptions) -> list[SourceResult]:
    """Stage every new source, then commit them together; return what happened to each."""
    manifest = read_manifest(store_dir)
    loaded = {entry.get("fingerprint"): name for name, entry in manifest["sources"].items()}
    results: list[SourceResult] = []
    stagers: list[PartitionStager] = []
    changes: list[SourceChange] = []
    try:
        for source in sources:
            fingerprint = source.fingerprint()
            if fingerprint in loaded:
                results.append(SourceResult(source.name, "unchanged",
                                            notes=[f"already in the store as {loaded[fingerprint]!r}"]))
                continue
            stager = PartitionStager(store_dir)
            stagers.append(stager)
            result = _stage_source(source, stager, options)
            record = {"kind": "export", "origin": source.origin, "format": result.data_format,
                      "fingerprint": fingerprint, "loaded_at": now_utc(), "notes": result.notes}
            changes.append(SourceChange(source.name, record, stager.finish()))
            loaded[fingerprint] = source.name
            results.append(result)
        if changes or options.fx_table is not None:
            commit(store_dir, changes, fx_table=options.fx_table)
    finally:
        for stager in reversed(stagers):
            stager.abort()
    return results


def _stage_source(source: ExportSource, stager: PartitionStager, options: LoadOptions) -> SourceResult:
    result = SourceResult(source.name, "loaded", notes=list(source.notes))
    for export in source.files:
        header = read_header(export)
        export_format = detect_format(header, export.display_name, has_currency_option=options.currency is not None)
        result.data_format = _label(export_format, source, options)
        if export_format.ignored_columns:
            result.notes.append(f"{export.display_name}: columns not in the FOCUS catalogue, not stored: "
                                f"{', '.join(export_format.ignored_columns)}")
        read, stored = _stage_file(export, header, export_format, source, stager, options, result.data_format,
                                   result.notes)
        expected = source.expected_rows.get(export.path)
        if expected is not None and expected != read:
            raise InputError(f"{export.display_name}: {read} data rows, but the export manifest says {expected}; "
                             "the file is incomplete: re-run the export", file=export.display_name)
        result.rows_read += read
        result.rows_stored += stored
    if result.rows_read == 0:
        raise InputError(f"{source.origin}: the export has a header but no rows; nothing to load (check the "
                         "export's scope and dates, or remove the file)", file=source.origin)
    if result.rows_stored == 0:
        raise InputError(f"{source.origin}: none of its {result.rows_read} rows are Microsoft (ProviderName) "
                         "charges; estate loads Azure spend only", file=source.origin)
    if result.rows_stored < result.rows_read:
        result.notes.append(f"kept {result.rows_stored} Microsoft rows of {result.rows_read}; other providers' "
                            "rows are not Azure spend")
    result.months = {month: part.rows for month, part in sorted(stager.partitions.items())}
    return result


def _label(export_format: ExportFormat, source: ExportSource, options: LoadOptions) -> str:
    if export_format.name == "focus":
        return export_format.label
    return f"{export_format.label}/{_cost_type(source, options)}"


def _cost_type(source: ExportSource, options: LoadOptions) -> str:
    if options.cost_type:
        return options.cost_type
    if source.cost_type:
        return source.cost_type
    # A loose cost-details file does not say its dataset; Cost Management names amortised exports so.
    names = " ".join(export.path.name.lower() for export in source.files)
    return "amortized" if "amorti" in names else "actual"


def _stage_file(export: ExportFile, header: list[str], export_format: ExportFormat, source: ExportSource,
                stager: PartitionStager, options: LoadOptions, source_type: str, notes: list[str]) -> tuple[int, int]:
    """Read one file batch by batch; normalise and stage the batches on a few threads (Arrow releases the GIL)."""
    read = stored = 0
    rounded: Counter[str] = Counter()
    pending: deque[Future] = deque()
    with ThreadPoolExecutor(STAGING_THREADS, thread_name_prefix="estate-stage") as pool:
        try:
            for batch in iter_batches(export, header, export_format.null_values):
                lineage = Lineage(source.name, source_type, export.display_name, read + 1, Counter())
                pending.append(pool.submit(_stage_batch, batch, export_format, lineage, stager, options))
                read += batch.num_rows
                # Waiting in order keeps memory bounded and reports the first bad row of the file first.
                while len(pending) > STAGING_THREADS:
                    stored += _collect(pending.popleft(), rounded)
            while pending:
                stored += _collect(pending.popleft(), rounded)
        finally:
            for future in pending:
                future.cancel()
    for column, count in sorted(rounded.items()):
        if count:
            notes.append(f"{export.display_name}: {column}: {count} value(s) had more than 24 decimal places and "
                         "were rounded half-even to 24")
    return read, stored


def _collect(future: Future, rounded: Counter[str]) -> int:
    stored, batch_rounded = future.result()
    rounded.update(batch_rounded)
    return stored


def _stage_batch(batch, export_format: ExportFormat, lineage: Lineage, stager: PartitionStager,
                 options: LoadOptions) -> tuple[int, Counter[str]]:
    if export_format.name == "focus":
        normalised = normalise_focus(batch, export_format, lineage, options.currency)
    else:
        cost_type = lineage.source_type.rsplit("/", 1)[1]
        normalised = normalise_cost_details(batch, export_format, lineage, options.currency, cost_type)
    stager.add(normalised)
    return normalised.num_rows, lineage.rounded


def check_cost_type(cost_type: str | None) -> None:
    if cost_type is not None and cost_type not in COST_TYPES:
        raise InputError(f"--cost-type {cost_type!r} is not one of {', '.join(COST_TYPES)}")
