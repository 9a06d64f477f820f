"""Benchmark: where one machine stops. `estate cost reconcile` on DuckDB vs Spark (local) over 10 M rows, side by
side, and DuckDB alone over a 100 M-row store within bounded memory (issue 19).

The stores are written by the cost store's own writer (`PartitionStager` + `commit`), the rows built vectorised
with pyarrow (the generator of `test_bench_reconcile`: 18 monthly partitions, 5,000 resources, 5 % untagged) in
chunks of `CHUNK` rows, so generation needs no more memory at 100 M rows than at 10 M. Each figure is one fresh
process (`python -m estate cost reconcile ... --format json`): wall time and peak RSS of the process tree it
waited for (for Spark that is the Python driver; the JVM's own RSS is sampled separately while it runs).

Sizes: ESTATE_BENCH_SPARK_ROWS (default 10 M), ESTATE_BENCH_BIG_ROWS (default 100 M; 0 skips). Run only this file:
`.venv/bin/python -m pytest tests/bench/test_bench_scale_out.py -p no:cacheprovider -s -o addopts="" -q`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyarrow as pa
import pytest

from tests.bench.test_bench_reconcile import CASE, MONTHS, _month_table

SPARK_ROWS = int(os.environ.get("ESTATE_BENCH_SPARK_ROWS", 10_000_000))
BIG_ROWS = int(os.environ.get("ESTATE_BENCH_BIG_ROWS", 100_000_000))
CHUNK = 2_000_000
BIG_RSS_LIMIT = 1024 * 1024 * 1024  # DuckDB's memory_limit is 256 MB; the whole process stays under 1 GB
ROOT = Path(__file__).resolve().parents[2]


def write_store(store: Path, rows: int) -> tuple[float, int]:
    """`rows` synthetic cost rows into a new store at `store`; (seconds, bytes on disk)."""
    from costing.actuals.schema import empty_column, normalised_schema, stored_names
    from costing.actuals.store import PartitionStager, SourceChange, commit, now_utc

    started = time.perf_counter()
    schema = normalised_schema()
    stager = PartitionStager(store)
    try:
        per_month = rows // MONTHS
        for index in range(MONTHS):
            length = per_month if index < MONTHS - 1 else rows - per_month * (MONTHS - 1)
            for offset in range(0, length, CHUNK):
                size = min(CHUNK, length - offset)
                table = _month_table(index, index * per_month + offset, size)
                names = stored_names(table.column_names)
                columns = [table.column(name) if name in table.column_names else empty_column(name, size)
                           for name in names]
                chunk = pa.Table.from_arrays(columns, names=list(names)).cast(
                    pa.schema([schema.field(name) for name in names]))
                for batch in chunk.to_batches(max_chunksize=256_000):
                    stager.add(batch)
        record = {"kind": "export", "origin": "benchmark", "format": "focus-1.0", "fingerprint": None,
                  "loaded_at": now_utc(), "notes": []}
        commit(store, [SourceChange("bench", record, stager.finish())])
    finally:
        stager.abort()
    size = sum(path.stat().st_size for path in store.rglob("*.parquet"))
    return time.perf_counter() - started, size


MEASURE = """
import resource, subprocess, sys, time
started = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
"""


def _java_rss(stop: threading.Event, peak: list[int]) -> None:
    """Sample the largest RSS of any java process started by this benchmark's Spark run (the driver JVM)."""
    before = set(_java_pids())
    while not stop.wait(0.5):
        for pid in set(_java_pids()) - before:
            try:
                with open(f"/proc/{pid}/status") as status:
                    for line in status:
                        if line.startswith("VmRSS:"):
                            peak[0] = max(peak[0], int(line.split()[1]) * 1024)
            except OSError:
                continue


def _java_pids() -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as comm:
                    if comm.read().strip() == "java":
                        pids.append(int(entry))
            except OSError:
                continue
    return pids


def _reconcile(store: Path, case: Path, out: Path, *extra: str) -> tuple[float, int, int]:
    """(seconds, peak RSS of the process tree, peak JVM RSS) of one fresh `estate cost reconcile`."""
    stop, java_peak = threading.Event(), [0]
    sampler = threading.Thread(target=_java_rss, args=(stop, java_peak), daemon=True)
    sampler.start()
    try:
        output = subprocess.run(
            [sys.executable, "-c", MEASURE, sys.executable, "-m", "estate", "cost", "reconcile", "--case", str(case),
             "--store", str(store), "--format", "json", "--out", str(out), *extra],
            check=True, capture_output=True, text=True, cwd=ROOT).stdout.split()
    finally:
        stop.set()
        sampler.join()
    return float(output[0]), int(output[1]), java_peak[0]


@pytest.mark.timeout(1800)
def test_spark_local_vs_duckdb_side_by_side(tmp_path):
    seconds, size = write_store(tmp_path / "store", SPARK_ROWS)
    print(f"\nwrote {SPARK_ROWS:,} rows in {seconds:.1f}s ({size / 1e6:.0f} MB of Parquet)")
    case = tmp_path / "case.yaml"
    case.write_text(CASE)
    duck_s, duck_rss, _ = _reconcile(tmp_path / "store", case, tmp_path / "duckdb.json")
    spark_s, spark_rss, jvm_rss = _reconcile(tmp_path / "store", case, tmp_path / "spark.json", "--engine", "spark")
    print(f"{'engine':<14}{'wall s':>8}{'peak RSS MB':>13}")
    print(f"{'duckdb':<14}{duck_s:>8.1f}{duck_rss / 2**20:>13.0f}")
    print(f"{'spark local':<14}{spark_s:>8.1f}{spark_rss / 2**20:>13.0f}  (Python driver; JVM peak "
          f"{jvm_rss / 2**20:.0f} MB; includes the JVM's start)")
    assert (tmp_path / "spark.json").read_bytes() == (tmp_path / "duckdb.json").read_bytes()
    assert json.loads((tmp_path / "duckdb.json").read_text())["provenance"]["rows"] == SPARK_ROWS
    warm = subprocess.run([sys.executable, "-c", WARM, str(tmp_path / "store")], check=True, capture_output=True,
                          text=True, cwd=ROOT).stdout.strip().splitlines()[-1].split()  # Spark may print above it
    print(f"the GROUP BY alone, warm session / connection (best of 3): spark local[*] {float(warm[0]):.1f}s, "
          f"duckdb {float(warm[1]):.1f}s")


# The store query alone, the JVM already started: what a notebook's session pays per reconciliation.
WARM = """
import sys, time
from costing.actuals.engines import DuckDBEngine, SparkEngine
from costing.actuals.store import store_files
from costing.reconcile.actuals import spend_query
files, sql = store_files(sys.argv[1]), spend_query("EffectiveCost")
spark = SparkEngine()
spark.fetch(sql, files)
timings = []
for engine in (spark, DuckDBEngine()):
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        engine.fetch(sql, files)
        runs.append(time.perf_counter() - started)
    timings.append(min(runs))
print()
print(*timings)
"""


@pytest.mark.timeout(3600)
def test_duckdb_reconciles_100m_rows_in_bounded_memory(tmp_path):
    if BIG_ROWS <= 0:
        return
    seconds, size = write_store(tmp_path / "store", BIG_ROWS)
    print(f"\nwrote {BIG_ROWS:,} rows in {seconds:.1f}s ({size / 1e9:.2f} GB of Parquet)")
    case = tmp_path / "case.yaml"
    case.write_text(CASE)
    duck_s, duck_rss, _ = _reconcile(tmp_path / "store", case, tmp_path / "duckdb.json")
    print(f"duckdb: {BIG_ROWS:,} rows reconciled in {duck_s:.1f}s, peak RSS {duck_rss / 2**20:.0f} MB "
          f"({BIG_ROWS / duck_s / 1e6:.1f} M rows/s)")
    assert json.loads((tmp_path / "duckdb.json").read_text())["provenance"]["rows"] == BIG_ROWS
    assert duck_rss <= BIG_RSS_LIMIT
