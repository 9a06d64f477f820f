"""Helpers for the cost-store tests: store checksums, totals read back through DuckDB, export folders."""

from __future__ import annotations

import gzip
import hashlib
import json
from decimal import Decimal
from pathlib import Path

from tests.conftest import run_cli


def store_checksums(store: Path) -> dict[str, str]:
    """sha256 of every file under the store (hidden staging files included), keyed by relative path."""
    if not store.exists():
        return {}
    return {p.relative_to(store).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(store.rglob("*")) if p.is_file()}


def summary(store: Path, by: str = "month") -> dict:
    """`estate cost summary --format json` as a dict (asserting it succeeded)."""
    result = run_cli("cost", "summary", "--store", store, "--by", by, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def totals_by(store: Path, *columns: str) -> dict[tuple, Decimal]:
    """sum(BilledCost) by the given columns, read straight from the store's Parquet through DuckDB."""
    from costing.actuals.store import relation

    keys = ", ".join(columns)
    rows = relation(store).aggregate(f"{keys}, sum(BilledCost)").fetchall()
    return {tuple(row[:-1]): row[-1] for row in rows}


def load(source: Path | str, store: Path, *extra: str):
    return run_cli("cost", "load", source, "--store", store, *extra)


def write_focus_export(folder: Path, name: str, period: str, run_id: str, submitted: str, parts: list[str],
                       header: str) -> Path:
    """Write a Cost Management-style FOCUS export run: gzip CSV parts and a manifest.json listing them."""
    start, end = period.split("..")
    run_dir = folder / name / f"{start.replace('-', '')}-{end.replace('-', '')}" / run_id
    run_dir.mkdir(parents=True)
    blobs = []
    for index, body in enumerate(parts):
        part = run_dir / f"part_0_{index + 1:04d}.csv.gz"
        part.write_bytes(gzip.compress((header + "\n" + body).encode()))
        blobs.append({"blobName": f"exports/{name}/{run_dir.parent.name}/{run_id}/{part.name}",
                      "byteCount": part.stat().st_size, "dataRowCount": body.count("\n")})
    manifest = {
        "manifestVersion": "2024-04-01", "blobCount": len(blobs), "dataRowCount": sum(b["dataRowCount"] for b in blobs),
        "exportConfig": {"exportName": name, "type": "FocusCost", "dataVersion": "1.0r2", "timeFrame": "MonthToDate"},
        "deliveryConfig": {"partitionData": True, "fileFormat": "Csv", "compressionMode": "gzip"},
        "runInfo": {"executionType": "Scheduled", "submittedTime": submitted, "runId": run_id,
                    "startDate": f"{start}T00:00:00", "endDate": f"{end}T00:00:00"},
        "blobs": blobs,
    }
    (run_dir / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return run_dir


FOCUS_HEADER = ("BilledCost,EffectiveCost,BillingCurrency,BillingPeriodStart,BillingPeriodEnd,ChargeCategory,"
                "ChargePeriodStart,ChargePeriodEnd,RegionId,ResourceId,ServiceName,SubAccountId,Tags,x_ResourceGroupName")


def focus_row(cost: str, day: str, *, currency: str = "GBP", region: str = "UK South", line: str = "azure-run",
              service: str = "Virtual Machines", resource: str = "vm-01") -> str:
    """One FOCUS 1.0 CSV row (with a trailing newline) for a day's charge."""
    month = day[:7]
    tags = json.dumps({"business-case-line": line, "wave": "one"}).replace('"', '""')
    return (f"{cost},{cost},{currency},{month}-01T00:00:00Z,,Usage,{day}T00:00:00Z,{day}T23:59:59Z,{region},"
            f"/subscriptions/s1/resourcegroups/rg/providers/microsoft.compute/virtualmachines/{resource},{service},"
            f"/subscriptions/s1,\"{tags}\",rg\n")


def as_the_previous_version_wrote_it(store: Path, legacy_name: str) -> None:
    """Rewrite a local store's manifest as estate wrote it before export runs were named by their location: the
    one run named `legacy_name ... at LOCATION` recorded under `legacy_name` (its export and period) alone, with
    no `location` field. Files, fingerprints, origins and blob ETags are what that version wrote too; only the
    x_SourceName lineage inside the Parquet files keeps the new name, and no reader matches it to the manifest."""
    path = store / "manifest.json"
    manifest = json.loads(path.read_text())
    (name,) = [name for name in manifest["sources"] if name.startswith(legacy_name + " at ")]
    entry = manifest["sources"].pop(name)
    del entry["location"]
    manifest["sources"][legacy_name] = entry
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
