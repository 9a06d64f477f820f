"""Benchmark: importing a 5,000-VM RVTools workbook and planning its waves take no more than 10 seconds together."""

from __future__ import annotations

import csv
import random
import time

from ruamel.yaml import YAML

from tests.conftest import run_cli
from tests.inventory_workbooks import Vm, write_rvtools

VMS = 5_000
TARGET_SECONDS = 10.0
SYSTEMS = ["Microsoft Windows Server 2019 (64-bit)", "Microsoft Windows Server 2022 (64-bit)",
           "Red Hat Enterprise Linux 8 (64-bit)", "Red Hat Enterprise Linux 9 (64-bit)",
           "Microsoft Windows Server 2003 Standard (32-bit)"]
SHAPES = [(1, 2), (2, 4), (2, 8), (4, 16), (8, 32), (8, 64), (16, 64)]


def test_import_and_wave_plan_of_5000_vms_take_at_most_10_seconds(tmp_path):
    rng = random.Random(18)
    vms = []
    for index in range(VMS):
        cpus, memory = SHAPES[index % len(SHAPES)]
        disks = [61440] + [rng.choice([102400, 512000]) for _ in range(index % 3)]
        folder = "/Databases" if index % 25 == 0 else f"/Apps/app-{index // 20:03d}"
        vms.append(Vm(f"srv{index:05d}", cpus, memory * 1024, SYSTEMS[index % len(SYSTEMS)], disks_mib=disks,
                      folder=folder, power="poweredOff" if index % 50 == 0 else "poweredOn"))
    workbook = write_rvtools(tmp_path / "rvtools.xlsx", vms)
    deps = tmp_path / "deps.csv"
    with deps.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["source", "destination", "port"])
        for index in range(0, VMS, 2):  # application-sized clusters: each server talks to a neighbour or two
            writer.writerow([f"srv{index:05d}", f"srv{(index + 1) % VMS:05d}", 443])
            if index % 10 == 0:
                writer.writerow([f"srv{index:05d}", f"srv{(index + 5) % VMS:05d}", 1433])
    estate = tmp_path / "estate.yaml"

    started = time.perf_counter()
    imported = run_cli("import", "rvtools", workbook, "--out", estate, "--planned-month", "2026-12")
    import_s = time.perf_counter() - started
    assert imported.exit_code == 0, imported.output
    started = time.perf_counter()
    planned = run_cli("waves", "plan", "--estate", estate, "--dependencies", deps, "--max-servers-per-wave", "100",
                      "--first-wave-month", "2026-12", "--months-between-waves", "0")
    waves_s = time.perf_counter() - started
    assert planned.exit_code == 0, planned.output

    document = YAML(typ="safe").load(estate.read_text())
    servers = sum(len(wave["vms"]) for wave in document["waves"])
    retained = sum(group["count"] for group in document["retained"])
    assert servers + retained == VMS - VMS // 50
    assert all(len(wave["vms"]) <= 100 for wave in document["waves"])
    total = import_s + waves_s
    print(f"\nimport of {VMS:,} VMs: {import_s:.2f} s; waves plan: {waves_s:.2f} s; together {total:.2f} s "
          f"(target <= {TARGET_SECONDS:.0f} s); {servers:,} servers in {len(document['waves'])} waves, "
          f"{retained:,} retained")
    assert total <= TARGET_SECONDS
