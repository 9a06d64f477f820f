"""Benchmark: `estate check` over a 10,000-resource plan must take no more than 2 seconds."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from tests.conftest import EXAMPLE_ESTATE, ROOT, run_cli
from tests.guardrail_plans import nic, plan_text, platform_plan_steps, resource_group, vm

RESOURCES = 10_000
TARGET_SECONDS = 2.0
NON_UK_EVERY = 100  # one resource group in a hundred is in West Europe: the rules must find every one


def _big_plan(path):
    steps = platform_plan_steps()
    index = 0
    while len(steps) < RESOURCES:
        steps.append(vm(f"vm-lcc-app-{index:05}"))
        steps.append(nic(f"nic-lcc-app-{index:05}"))
        location = "westeurope" if index % NON_UK_EVERY == 0 else "uksouth"
        steps.append(resource_group(f"rg-lcc-app-{index:05}", location=location))
        index += 1
    path.write_text(plan_text(*steps[:RESOURCES]))
    return sum(1 for each in steps[:RESOURCES] if each["newState"]["inputs"].get("location") == "westeurope")


def test_checking_a_10000_resource_plan_takes_at_most_2_seconds(tmp_path):
    plan = tmp_path / "big.json"
    expected = _big_plan(plan)
    size_mb = plan.stat().st_size / 1e6

    started = time.perf_counter()
    result = run_cli("check", plan, "--estate", EXAMPLE_ESTATE, "--format", "json")
    in_process_s = time.perf_counter() - started

    started = time.perf_counter()
    process = subprocess.run([sys.executable, "-m", "estate", "check", str(plan), "--estate", str(EXAMPLE_ESTATE),
                              "--format", "json"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    end_to_end_s = time.perf_counter() - started

    document = json.loads(result.stdout)
    print(f"\nestate check: {RESOURCES:,} resources ({size_mb:.1f} MB plan): {in_process_s:.2f} s in process, "
          f"{end_to_end_s:.2f} s as a fresh `python -m estate check` (interpreter start and imports included); "
          f"{len(document['violations'])} violations")
    assert result.exit_code == 1 and process.returncode == 1
    assert document["resources_checked"] == RESOURCES - 1  # the component resource is not a cloud resource
    assert len(document["violations"]) == expected
    assert in_process_s <= TARGET_SECONDS
