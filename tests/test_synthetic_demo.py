"""`estate cost synthesise --case`: the demo's SYNTHETIC spend shaped by the waves and scaled to the business case.

Expected figures are worked out here from the YAML files themselves (the case's values, the waves' months), not
from the generator's own helpers.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.conftest import EXAMPLE_ESTATE, ROOT, run_cli

CASE = ROOT / "stacks" / "business-case.yaml"
LEDGER_HEADER = "period,line,amount,currency,supplier,reference,classification"


def _yaml(path: Path) -> dict:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def _synthesise(out: Path, *extra: str):
    result = run_cli("cost", "synthesise", "--estate", EXAMPLE_ESTATE, "--case", CASE, "--out", out, *extra)
    assert result.exit_code == 0, result.output
    return result


def _rows(folder: Path) -> list[dict[str, str]]:
    rows = []
    for path in sorted(folder.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            rows += list(csv.DictReader(handle))
    return rows


def _month(row: dict[str, str]) -> str:
    return row["ChargePeriodStart"][:7]


def _line_of(row: dict[str, str]) -> str | None:
    """The case line a row belongs to: its tag, else the case's rules (orchard resource group, else SunGard)."""
    tags = json.loads(row["Tags"] or "{}")
    if "business-case-line" in tags:
        return tags["business-case-line"]
    if not row["SubAccountId"]:
        return None  # billing-account level: no rule places it
    return "orchard-house-costs" if row["x_ResourceGroupName"].startswith("rg-lcc-wave-orchard-2008-") \
        else "azure-costs-sungard"


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    result = _synthesise(folder / "export")
    return folder, result


def test_each_azure_line_is_within_25_percent_of_the_case_once_all_its_waves_are_live(export):
    folder, _ = export
    case, estate = _yaml(CASE), _yaml(EXAMPLE_ESTATE)
    live = {}  # the month after the last wave of each line arrives (servers arrive mid-month)
    for wave in estate["waves"]:
        for vm in wave["vms"]:
            year, month = (int(part) for part in str(wave["planned_month"]).split("-"))
            after = f"{year + month // 12:04d}-{month % 12 + 1:02d}"
            live[vm["business_case_line"]] = max(live.get(vm["business_case_line"], ""), after)
    by_line_month: dict[tuple[str, str], Decimal] = {}
    for row in _rows(folder / "export"):
        if row["ChargeCategory"] == "Usage":
            key = (_line_of(row), _month(row))
            by_line_month[key] = by_line_month.get(key, Decimal(0)) + Decimal(row["EffectiveCost"])
    cloud_lines = [line for line in case["lines"] if line["kind"] == "cloud-run"]
    assert {line["id"] for line in cloud_lines} == set(live)
    checked = 0
    for line in cloud_lines:
        for (line_id, month), amount in sorted(by_line_month.items()):
            if line_id != line["id"] or month < live[line_id]:
                continue
            period = case["periods"].index(int(month[:4]))
            case_monthly = Decimal(str(line["values"][period])) * 1000 / 12
            assert abs(amount / case_monthly - 1) <= Decimal("0.25"), (line_id, month, amount, case_monthly)
            checked += 1
    assert checked >= 8  # both lines, several live months each


def test_each_waves_servers_start_in_its_planned_month_at_half_a_month(export):
    folder, _ = export
    first: dict[str, str] = {}
    for row in _rows(folder / "export"):
        if row["ResourceType"] == "microsoft.compute/virtualmachines" and row["ChargeCategory"] == "Usage":
            first[row["ResourceName"]] = min(first.get(row["ResourceName"], "9999"), _month(row))
    for wave in _yaml(EXAMPLE_ESTATE)["waves"]:
        names = [vm["name_pattern"].format(n=n) for vm in wave["vms"] if vm.get("strategy") != "retire"
                 for n in range(1, vm["count"] + 1)]
        assert {first[name] for name in names} == {str(wave["planned_month"])}, wave["name"]
    retired = [row for row in _rows(folder / "export") if row["ResourceName"].startswith("lcc-old-")]
    assert not retired  # retired servers never reach Azure


def test_untagged_rows_a_correction_and_unallocated_support_all_labelled_synthetic(export):
    folder, result = export
    rows = _rows(folder / "export")
    assert all(path.name.startswith("synthetic-focus-1.0-lcc-") for path in (folder / "export").glob("*.csv"))
    assert "SYNTHETIC" in (folder / "export" / "SYNTHETIC-README.md").read_text()
    assert {row["BillingAccountName"] for row in rows} == {"LCC (IMT418 Azure Migration) (synthetic)"}
    assert any(row["Tags"] == "{}" and row["SubAccountId"] for row in rows)
    corrections = [row for row in rows if row["ChargeClass"] == "Correction"]
    assert len(corrections) == 1 and Decimal(corrections[0]["EffectiveCost"]) < 0
    assert corrections[0]["BillingPeriodStart"] > corrections[0]["ChargePeriodStart"]
    assert len([row for row in rows if row["ServiceName"] == "Azure Support" and not row["SubAccountId"]]) == 18
    header = (folder / "export" / "synthetic-focus-1.0-lcc-2020-06.csv").read_text().splitlines()[0]
    assert header.startswith("BilledCost,BillingAccountId") and header.endswith("Tags,x_ResourceGroupName")
    assert "SYNTHETIC ledger" in result.stdout


def test_same_seed_same_bytes_other_seed_other_noise(tmp_path):
    _synthesise(tmp_path / "a" / "export", "--months", "15")
    _synthesise(tmp_path / "b" / "export", "--months", "15")
    _synthesise(tmp_path / "c" / "export", "--months", "15", "--seed", "7")
    name = "export/synthetic-focus-1.0-lcc-2020-12.csv"
    assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (tmp_path / "a" / name).read_bytes() != (tmp_path / "c" / name).read_bytes()
    ledger = "synthetic-ledger.csv"
    assert (tmp_path / "a" / ledger).read_bytes() == (tmp_path / "b" / ledger).read_bytes()
    assert (tmp_path / "a" / ledger).read_bytes() != (tmp_path / "c" / ledger).read_bytes()


def test_the_ledger_covers_the_non_azure_lines_in_whole_pounds_near_the_case(export):
    folder, _ = export
    text = (folder / "synthetic-ledger.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0] == LEDGER_HEADER
    rows = list(csv.DictReader(text.splitlines()))
    case = _yaml(CASE)
    kinds = {line["id"]: line for line in case["lines"]}
    assert {row["line"] for row in rows} == {line["id"] for line in case["lines"]
                                             if line["kind"] not in ("baseline", "cloud-run")
                                             and any(line["values"][:3])}
    assert all(row["amount"].lstrip("-").isdigit() for row in rows)  # whole pounds, not thousands
    assert all(row["supplier"].startswith("SYNTHETIC") and row["reference"].startswith("SYN-") for row in rows)
    assert all(row["classification"] == kinds[row["line"]]["classification"] for row in rows)
    assert len({row["reference"] for row in rows}) == len(rows)
    assert any(int(row["amount"]) < 0 for row in rows)  # a credit note
    for line_id in ("sungard-costs", "programme-costs", "azure-management-support", "vendor-costs"):
        for period in ("2019", "2020"):
            case_value = Decimal(str(kinds[line_id]["values"][case["periods"].index(int(period))])) * 1000
            spent = sum(Decimal(row["amount"]) for row in rows if row["line"] == line_id
                        and row["period"].startswith(period))
            if case_value:
                assert abs(spent / case_value - 1) <= Decimal("0.15"), (line_id, period, spent, case_value)
            else:
                assert spent == 0


def test_the_demo_reconciles_its_azure_lines_near_the_case_in_the_open_period(export, tmp_path):
    folder, _ = export
    store = tmp_path / "store"
    assert run_cli("cost", "load", folder / "export", "--store", store).exit_code == 0
    forecast = _write_thin_forecast(tmp_path / "forecast.json")
    report = run_cli("cost", "reconcile", "--case", CASE, "--store", store, "--forecast", forecast, "--estate",
                     EXAMPLE_ESTATE, "--format", "json")
    assert report.exit_code == 0, report.output
    document = json.loads(report.stdout)
    assert document["synthetic"] is True and document["as_of"] == "2021-04"
    for line in document["lines"]:
        if line["kind"] == "cloud-run":
            open_period = next(p for p in line["periods"] if p["status"] == "open")
            assert abs(Decimal(open_period["variance_percent"])) <= 25, line["id"]
    assert document["three_way"] is True  # the forecast still gives the three-way view beside the spend


def _write_thin_forecast(path: Path) -> Path:
    from tests.reconcile_helpers import example_forecast

    return example_forecast(path, EXAMPLE_ESTATE)


def test_neither_case_nor_forecast_is_a_usage_error(tmp_path):
    result = run_cli("cost", "synthesise", "--estate", EXAMPLE_ESTATE, "--out", tmp_path / "x")
    assert result.exit_code == 2 and "--case" in result.stderr


def test_a_cloud_run_line_no_estate_resource_carries_gets_no_spend_and_says_so(tmp_path):
    text = CASE.read_text(encoding="utf-8").replace("  - id: azure-management-support\n", (
        "  - id: azure-data-platform\n    label: Data platform\n    kind: cloud-run\n    classification: revenue\n"
        "    values: [0, 50, 50, 50, 50, 50]\n  - id: azure-management-support\n"), 1)
    case = tmp_path / "case.yaml"
    case.write_text(text, encoding="utf-8")
    result = run_cli("cost", "synthesise", "--estate", EXAMPLE_ESTATE, "--case", case, "--out", tmp_path / "export",
                     "--months", "15")
    assert result.exit_code == 0, result.output
    readme = (tmp_path / "export" / "SYNTHETIC-README.md").read_text()
    assert "`azure-data-platform`: no resource of the estate carries this cloud-run line" in readme
    assert not [row for row in _rows(tmp_path / "export") if _line_of(row) == "azure-data-platform"]
