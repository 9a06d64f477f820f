"""Inventory -> estate in two commands, then everything else: validate, synth, check, forecast (and case init)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from tests.conftest import ROOT, run_cli
from tests.inventory_workbooks import write_rvtools
from tests.test_import_rvtools import estate_vms
from tests.test_waves_cli import DEPENDENCY_HEADER, LINKS


def test_import_plan_validate_synth_check_forecast(tmp_path: Path) -> None:
    workbook = write_rvtools(tmp_path / "rvtools.xlsx", estate_vms())
    deps = tmp_path / "deps.csv"
    deps.write_text(",".join(DEPENDENCY_HEADER) + "\n" + "".join(
        f"0-6,{s},10.0.0.1,,a.exe,{d},10.0.0.2,,b.exe,{p}\n" for s, d, p in LINKS))
    estate = tmp_path / "estate.yaml"
    # December 2026 go-live: Windows Server 2016 (support ends 2027-01-12) can still move; 2008 R2 and 2012 R2
    # cannot and are retained by the import
    imported = run_cli("import", "rvtools", workbook, "--out", estate, "--planned-month", "2026-12")
    assert imported.exit_code == 0, imported.output
    planned = run_cli("waves", "plan", "--estate", estate, "--dependencies", deps, "--max-servers-per-wave", "12",
                      "--first-wave-month", "2026-12", "--months-between-waves", "0")
    assert planned.exit_code == 0, planned.output
    assert "warning:" not in planned.stdout
    validated = run_cli("validate", estate)
    assert validated.exit_code == 0, validated.output
    plans = tmp_path / "plans"
    synth = run_cli("synth", "--all", "--estate", estate, "--out", plans)
    assert synth.exit_code == 0, synth.output
    files = sorted(plans.glob("*.json"))
    stacks = {path.stem for path in files}
    assert {"platform", "retained", "wave-pilot", "wave-01"} <= stacks
    checked = run_cli("check", *files, "--estate", estate)
    assert checked.exit_code == 0, checked.output
    estate_check = run_cli("check", "--estate", estate)
    assert estate_check.exit_code == 0, estate_check.output
    forecast = run_cli("forecast", *files, "--estate", estate, "--prices", ROOT / "stacks" / "rates.yaml",
                       "--usage", ROOT / "stacks" / "usage.yaml", "--format", "json", "--as-of", "2026-12-01")
    assert forecast.exit_code == 0, forecast.output
    document = json.loads(forecast.stdout)
    lines = {line["business_case_line"] for line in document["lines"]}
    assert {"azure-run", "azure-platform", "on-premises-retained"} <= lines
    # every imported VM is priced or listed as unpriced (the example rate card has no VM compute prices)
    # (wave resources are named by server alone, `vm-<server>`, so a server can move between waves)
    vms = {entry["resource"].removeprefix("vm-") for entry in document["lines"] + document["unpriced"]
           if entry["type"] == "azure-native:compute:VirtualMachine"}
    assert {"sqldb01", "app00", "oradb01", "finance-app-1-p"} <= vms
    assert document["currency"] == "GBP"

    # estate case init: a business-case skeleton whose cloud-run lines are the forecast's yearly figures
    forecast_json = tmp_path / "forecast.json"
    forecast_json.write_text(forecast.stdout)
    case = tmp_path / "business-case.yaml"
    started = run_cli("case", "init", "--estate", estate, "--baseline-annual", "1,872,000", "--forecast",
                      forecast_json, "--first-year", "2026", "--out", case)
    assert started.exit_code == 0, started.output
    shown = run_cli("case", "show", case, "--format", "json")
    assert shown.exit_code == 0, shown.output
    from costing.business_case import load_business_case

    loaded = load_business_case(case)
    assert loaded.periods == ["2026/27", "2027/28", "2028/29", "2029/30", "2030/31"]
    for line_id in ("azure-run", "azure-platform"):
        expected = sum((Decimal(entry["annual"]) for entry in document["lines"]
                        if entry["business_case_line"] == line_id), Decimal(0))
        assert loaded.line(line_id).kind == "cloud-run"
        assert loaded.line(line_id).values == [expected.quantize(Decimal("0.01"))] * 5
    assert loaded.line("on-premises-retained").kind == "retained-run"
    assert loaded.line("baseline").values == [Decimal(1872000)] * 5
    assert case.read_text().count("[assumption]") >= len(loaded.lines)
    again = run_cli("case", "init", "--estate", estate, "--baseline-annual", "1", "--out", case)
    assert again.exit_code == 2 and "already exists" in again.stderr
