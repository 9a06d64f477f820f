"""Ledgers in the cost store: one checked CSV per ledger file under `ledger/`, listed in the manifest.

Layout (beside the Azure partitions of `costing.actuals.store`)::

    ledger/<slug>-<id>.csv      the entries as loaded: period (YYYY-MM), line, amount (exact), currency,
                                supplier, reference, classification, row (the row in the file loaded)
    manifest.json               "ledgers": {"<resolved path of the file>": {"origin", "file", "fingerprint",
                                "rows", "loaded_at", "months": {"YYYY-MM": rows}, "totals": {"GBP": "..."}}}

A ledger is named by the file it was loaded from: loading the same bytes again adds nothing; loading the same
file with new content replaces its entries. An invoice (supplier + reference) already in another ledger is
refused. `commit_ledger` is the one place that changes the store (write the new file under a new name, then
replace the manifest atomically, then remove the superseded file), so a store lock can wrap it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from costing.ledger.read import LedgerEntry, read_ledger_file
from estate.foundation.errors import CostDataError
from estate.foundation.files import write_atomic
from estate.foundation.periods import Month

LEDGER_DIR = "ledger"
MANIFEST = "manifest.json"
STORED_HEADER = ("period", "line", "amount", "currency", "supplier", "reference", "classification", "row")


@dataclass
class LedgerResult:
    """What happened to one ledger file: loaded (rows by month) or unchanged (already in the store)."""

    name: str
    status: str  # loaded | replaced | unchanged
    rows: int = 0
    months: dict[str, int] = field(default_factory=dict)
    totals: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {"ledger": self.name, "status": self.status, "rows": self.rows, "months": self.months,
                "totals": self.totals, "notes": self.notes}


@dataclass(frozen=True)
class StoredLedger:
    """A ledger as the store holds it."""

    name: str
    origin: str
    entries: list[LedgerEntry]


def _manifest(store_dir: Path) -> dict[str, Any]:
    from costing.actuals.manifest import read_manifest

    return read_manifest(store_dir)


def _entries_csv(entries: list[LedgerEntry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(STORED_HEADER)
    for entry in entries:
        writer.writerow([str(entry.period), entry.line, str(entry.amount), entry.currency, entry.supplier,
                         entry.reference, entry.classification, entry.row])
    return out.getvalue()


def _read_stored(path: Path, origin: str) -> list[LedgerEntry]:
    try:
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
        return [LedgerEntry(Month(int(row["period"][:4]), int(row["period"][5:7])), row["line"],
                            Decimal(row["amount"]), row["currency"], row["supplier"], row["reference"],
                            row["classification"], int(row["row"])) for row in rows]
    except (OSError, KeyError, ValueError, ArithmeticError) as exc:
        raise CostDataError(f"{path}: the stored ledger (loaded from {origin}) cannot be read ({exc}); load the ledger "
                            "again with `estate actuals load`", file=str(path)) from exc


def stored_ledgers(store_dir: Path, manifest: dict[str, Any] | None = None) -> list[StoredLedger]:
    """Every ledger in the store (none for a store without a manifest or without ledgers). Ledgers live in a
    local store (`estate actuals load --store DIR`); a store in Azure Storage holds none."""
    from costing.actuals.manifest import read_manifest
    from costing.actuals.storage import open_storage

    root = open_storage(store_dir).local_root
    if root is None:
        return []
    store_dir = root
    if manifest is None:
        if not (store_dir / MANIFEST).is_file():
            return []
        manifest = read_manifest(store_dir)  # the store's one manifest reader
    ledgers = manifest.get("ledgers") or {}
    return [StoredLedger(name, record.get("origin", name), _read_stored(store_dir / record["file"],
                                                                        record.get("origin", name)))
            for name, record in sorted(ledgers.items())]


def commit_ledger(store_dir: Path, name: str, record: dict[str, Any], entries: list[LedgerEntry]) -> None:
    """Write a ledger's entries under a new file name and record it in one manifest replacement.

    All or nothing: the new file is written atomically, then the manifest (temp file + rename); if the manifest
    cannot be written the new file is removed. Only after the manifest names the new file is a replaced
    ledger's old file removed.
    """
    from costing.actuals.store_lock import store_lock

    store_dir = Path(store_dir)
    store_dir.mkdir(parents=True, exist_ok=True)
    # The store's lock, as a cost load's commit takes it: the manifest is read and replaced as one step, so a
    # ledger and a load committing at once never lose each other's entries.
    with store_lock(store_dir):
        _commit_ledger_locked(store_dir, name, record, entries)


def _commit_ledger_locked(store_dir: Path, name: str, record: dict[str, Any], entries: list[LedgerEntry]) -> None:
    from costing.actuals.store import now_utc, source_slug

    manifest = _manifest(store_dir)
    ledgers = manifest.setdefault("ledgers", {})
    previous = ledgers.get(name, {}).get("file")
    relative = f"{LEDGER_DIR}/{source_slug(Path(name).name)}-{uuid.uuid4().hex[:12]}.csv"
    store_dir.mkdir(parents=True, exist_ok=True)
    created = not (store_dir / LEDGER_DIR).exists()
    (store_dir / LEDGER_DIR).mkdir(exist_ok=True)
    target = store_dir / relative
    try:
        write_atomic(target, _entries_csv(entries))
        ledgers[name] = dict(record, file=relative, loaded_at=now_utc())
        manifest["ledgers"] = dict(sorted(ledgers.items()))
        manifest["updated_at"] = now_utc()
        write_atomic(store_dir / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    except BaseException:
        target.unlink(missing_ok=True)
        if created and not any((store_dir / LEDGER_DIR).iterdir()):
            (store_dir / LEDGER_DIR).rmdir()
        raise
    if previous and previous != relative:
        (store_dir / previous).unlink(missing_ok=True)


def load_ledger(path: Path, store_dir: Path, case_lines: dict[str, str] | None = None,
                case_file: str | None = None) -> LedgerResult:
    """Check a ledger file and add it to the store (nothing is written when anything is wrong).

    `case_lines` (line id -> kind), when given, refuses rows on lines the case lacks or on baseline lines.
    """
    data, entries = read_ledger_file(path)
    name = str(Path(path).resolve())
    fingerprint = "sha256:" + hashlib.sha256(data).hexdigest()
    manifest = _manifest(store_dir)
    ledgers = manifest.get("ledgers") or {}
    for other, record in ledgers.items():
        if record.get("fingerprint") == fingerprint:
            return LedgerResult(str(path), "unchanged", notes=[f"already in the store as {other!r}"])
    if case_lines is not None:
        check_lines(entries, case_lines, str(path), case_file or "the business case")
    _check_not_loaded_elsewhere(entries, stored_ledgers(store_dir, manifest), name, str(path))
    months: dict[str, int] = {}
    totals: dict[str, Decimal] = {}
    for entry in entries:
        months[str(entry.period)] = months.get(str(entry.period), 0) + 1
        totals[entry.currency] = totals.get(entry.currency, Decimal(0)) + entry.amount
    record = {"origin": str(path), "fingerprint": fingerprint, "rows": len(entries),
              "months": dict(sorted(months.items())), "totals": {c: str(t) for c, t in sorted(totals.items())}}
    commit_ledger(store_dir, name, record, entries)
    return LedgerResult(str(path), "replaced" if name in ledgers else "loaded", len(entries),
                        record["months"], record["totals"])


def check_lines(entries: list[LedgerEntry], case_lines: dict[str, str], file: str, case_file: str) -> None:
    """Every entry's line is a line of the case, and not its baseline (what would have been spent anyway)."""
    for entry in entries:
        kind = case_lines.get(entry.line)
        if kind is None:
            raise CostDataError(f"{file}: row {entry.row}, column 'line': {entry.line!r} is not a line of {case_file} "
                                f"(its lines are {', '.join(case_lines)}); correct the line id, or add the line to the "
                                "case", file=file)
        if kind == "baseline":
            raise CostDataError(f"{file}: row {entry.row}, column 'line': {entry.line!r} is the case's baseline, what "
                                "the old arrangement would have cost; it has no actuals. Book the spend to the line it "
                                "belongs to", file=file)


def _check_not_loaded_elsewhere(entries: list[LedgerEntry], ledgers: list[StoredLedger], name: str,
                                file: str) -> None:
    known = {entry.invoice: (ledger, entry) for ledger in ledgers if ledger.name != name for entry in ledger.entries}
    for entry in entries:
        if entry.invoice in known:
            ledger, earlier = known[entry.invoice]
            raise CostDataError(f"{file}: row {entry.row}, column 'reference': invoice {entry.reference!r} of "
                                f"{entry.supplier!r} is already in the store, from {ledger.origin} row {earlier.row}; "
                                "an invoice is loaded once (load a corrected ledger from the same file to replace it)",
                             file=file)


