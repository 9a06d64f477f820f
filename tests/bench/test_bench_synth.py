"""Benchmark of `estate synth`: the bundled example against its target, and stock runtime vs ours at scale.

Run with `make bench` (prints a table). Targets: the bundled example (all stacks) in <= 3 s as a whole process
(interpreter start, imports, synthesis and writing, best of three: the machine is shared), a 3,000-VM estate in
<= 20 s and at least 20x faster per resource than the stock mock runtime in the same run, with both recording the
same plan. Each estate is also synthesised with `jobs=1` (the speed levers without the workers), for the table.
"""

from __future__ import annotations

import gc
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from estate.definition.loader import load_estate
from estate.synth.synthesis import synthesise
from tests.conftest import EXAMPLE_ESTATE, MINIMAL_ESTATE, ROOT

VM_COUNTS = (300, 1000, 3000)
EXAMPLE_TARGET_S = 3.0
SCALE_TARGET_S = 20.0
SPEEDUP_TARGET = 20.0
VMS_PER_WAVE = 500


def synthetic_estate(vm_count: int) -> str:
    """An estate of `vm_count` servers in waves of up to 500 (half Windows with Hybrid Benefit, half Ubuntu)."""
    waves = (vm_count + VMS_PER_WAVE - 1) // VMS_PER_WAVE
    subnets = "\n".join(f"      - {{name: apps-{w}, prefix: 10.1.{w + 1}.0/24}}" for w in range(waves))
    wave_blocks = []
    for w in range(waves):
        size = min(VMS_PER_WAVE, vm_count - w * VMS_PER_WAVE)
        windows, linux = (size + 1) // 2, size // 2
        vms = [f"      - {{count: {windows}, name_pattern: 'w{w}-win-{{n:04}}', size: Standard_D4s_v5, "
               "os: windows-server, os_version: '2022', hybrid_benefit: true, reservation: 3y, "
               "application: app, business_case_line: azure-run, data_disks: [{size_gb: 256}]}"]
        if linux:
            vms.append(f"      - {{count: {linux}, name_pattern: 'w{w}-lnx-{{n:04}}', size: Standard_D2s_v5, "
                       "os: ubuntu, os_version: '22.04', application: web, business_case_line: azure-run}")
        wave_blocks.append(f"  - name: w{w}\n    planned_month: 2026-01\n    subnet: apps-{w}\n    vms:\n"
                           + "\n".join(vms))
    return textwrap.dedent("""\
        organisation: {name: Bench Council, short_name: bench, cost_centre: IT}
        landing_zone:
          business_case_line: platform
          hub:
            address_space: [10.1.0.0/16]
            subnets:
              - {name: GatewaySubnet, prefix: 10.1.0.0/27}
        """) + subnets + "\n" + textwrap.dedent("""\
        connectivity:
          expressroute: {service_provider: Jisc, peering_location: London, bandwidth_mbps: 1000,
                         on_premises_prefixes: [192.168.0.0/16],
                         private_peering: {peer_asn: 65010, primary_prefix: 172.31.255.0/30,
                                           secondary_prefix: 172.31.255.4/30, vlan_id: 100}}
        waves:
        """) + "\n".join(wave_blocks) + "\n"


def _timed(estate_file: Path, *, fast: bool, jobs: int | None = None) -> tuple[float, int, dict]:
    estate = load_estate(estate_file)
    gc.collect()  # each run starts from a clean heap, whatever the previous run left
    started = time.perf_counter()
    run = synthesise(estate, estate_file, estate_file.parent, estate.stacks(), fast=fast, jobs=jobs)
    seconds = time.perf_counter() - started
    resources = sum(plan.resource_count for plan in run.plans)
    return seconds, resources, {plan.stack: plan.document for plan in run.plans}


def _example_in_a_fresh_process(out: Path) -> tuple[float, float, int]:
    """`estate synth --all` on the bundled example as a user runs it: (command's own seconds, wall seconds, count)."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "estate", "synth", "--all", "--out", str(out), "--estate",
                             str(EXAMPLE_ESTATE)], cwd=ROOT, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    match = re.search(r"(\d+) stacks, (\d+) resources in ([\d.]+) s", result.stdout)
    assert match, result.stdout
    return float(match.group(3)), wall, int(match.group(2))


@pytest.mark.timeout(3600)
def test_bench_synth(tmp_path):
    warm_up = tmp_path / "warm-up.yaml"
    warm_up.write_text(MINIMAL_ESTATE, encoding="utf-8")
    _timed(warm_up, fast=True)

    # Best of three fresh processes: the machine is shared, and the best run is the least disturbed one.
    runs = [_example_in_a_fresh_process(tmp_path / f"example-{attempt}") for attempt in range(3)]
    command_s = min(run[0] for run in runs)
    wall_s = min(run[1] for run in runs)
    example_resources = runs[0][2]
    print(f"\nbundled example, all stacks, fresh process: {example_resources} resources; `estate synth --all` "
          f"reports {', '.join(f'{run[0]:.2f}' for run in runs)} s (best {command_s:.2f} s); whole process "
          f"{', '.join(f'{run[1]:.2f}' for run in runs)} s (best {wall_s:.2f} s); target <= {EXAMPLE_TARGET_S:.0f} s "
          "whole process")

    # "ours" is `estate synth` as a user runs it (the stacks after the platform in one worker per core); "one
    # process" is the same with --jobs 1, to show what the levers alone give. The stock runtime runs one process.
    print(f"\n{'VMs':>6} {'resources':>10} | {'stock s':>8} {'ms/res':>7} | {'ours s':>7} {'ms/res':>7} "
          f"{'speed-up':>8} | {'1 proc s':>8} {'speed-up':>8} | same plan")
    results = {}
    for vm_count in VM_COUNTS:
        estate_file = tmp_path / f"estate-{vm_count}.yaml"
        estate_file.write_text(synthetic_estate(vm_count), encoding="utf-8")
        ours_s, resources, ours = _timed(estate_file, fast=True)
        one_s, _, one = _timed(estate_file, fast=True, jobs=1)
        stock_s, stock_resources, stock = _timed(estate_file, fast=False)
        same = stock == ours == one
        del ours, one, stock
        results[vm_count] = (ours_s, stock_s, same)
        print(f"{vm_count:>6} {resources:>10} | {stock_s:>8.2f} {1000 * stock_s / resources:>7.2f} | "
              f"{ours_s:>7.2f} {1000 * ours_s / resources:>7.2f} {stock_s / ours_s:>7.1f}x | "
              f"{one_s:>8.2f} {stock_s / one_s:>7.1f}x | {same}", flush=True)
        assert stock_resources == resources

    assert example_resources >= 1000
    assert wall_s <= EXAMPLE_TARGET_S
    assert all(same for _, _, same in results.values())
    ours_s, stock_s, _ = results[3000]
    assert ours_s <= SCALE_TARGET_S
    assert stock_s / ours_s >= SPEEDUP_TARGET
