"""Monthly actuals rolled into the case's periods (UK financial years), year to date, run-rate outturn, RAG."""

from __future__ import annotations

import json

from tests.conftest import run_cli
from tests.reconcile_helpers import Row, write_case, write_store

RAMP = [("2025-01", "90"), ("2025-02", "100"), ("2025-03", "110"), ("2025-04", "120"), ("2025-05", "130"),
        ("2025-06", "140")]


def _reconcile(tmp_path, rows, *extra):
    case = write_case(tmp_path / "case.yaml")
    store = write_store(tmp_path / "store", rows)
    return run_cli("cost", "reconcile", "--case", case, "--store", store, "--format", "json", *extra)


def _azure_run(report, label):
    line = next(line for line in report["lines"] if line["id"] == "azure-run")
    return next(period for period in line["periods"] if period["period"] == label)


def test_march_and_april_fall_in_different_financial_years(tmp_path):
    result = _reconcile(tmp_path, [Row("2025-03", "100", line="azure-run"), Row("2025-04", "130", line="azure-run")])

    report = json.loads(result.stdout)
    march_year, april_year = _azure_run(report, "2024/25"), _azure_run(report, "2025/26")
    assert (march_year["status"], march_year["actual"], march_year["months_with_actuals"]) == ("closed", "100", 1)
    assert (march_year["case_to_date"], march_year["variance"], march_year["rag"]) == ("100", "0", "green")
    assert (april_year["status"], april_year["actual"], april_year["case_to_date"]) == ("open", "130", "100")
    assert (april_year["variance"], april_year["variance_percent"], april_year["rag"]) == ("30", "30.00", "red")


def test_year_to_date_and_run_rate_outturn_for_the_open_year(tmp_path):
    result = _reconcile(tmp_path, [Row(month, amount, line="azure-run") for month, amount in RAMP],
                        "--reforecast", "run-rate")

    report = json.loads(result.stdout)
    year = _azure_run(report, "2025/26")
    assert report["as_of"] == "2025-06" and report["open_period"] == "2025/26"
    assert (year["months_with_actuals"], year["case_to_date"], year["actual"]) == (3, "300", "390")
    # Run rate: the mean of April-June (120, 130, 140) = 130 a month for the 9 months left.
    line = next(line for line in report["lines"] if line["id"] == "azure-run")
    assert line["run_rate_monthly"] == "130"
    assert year["outturn"] == "1560" and year["outturn_variance"] == "360"
    assert year["outturn_basis"] == "actual 3 months + run rate 9 months"
    closed = _azure_run(report, "2024/25")  # Jan-Mar actual, Apr-Dec before the store's first month: the case
    assert (closed["actual"], closed["outturn"]) == ("300", "1200")


def test_as_of_leaves_later_months_out_and_says_so(tmp_path):
    result = _reconcile(tmp_path, [Row(month, amount, line="azure-run") for month, amount in RAMP],
                        "--as-of", "2025-05")

    report = json.loads(result.stdout)
    assert _azure_run(report, "2025/26")["actual"] == "250"
    assert any("charged after 2025-05" in note for note in report["provenance"]["notes"])


def test_rag_thresholds_are_configurable(tmp_path):
    rows = [Row("2025-04", "108", line="azure-run")]
    default = json.loads(_reconcile(tmp_path, rows).stdout)
    assert _azure_run(default, "2025/26")["rag"] == "amber"  # 8 % over: above 5 %, within 10 %
    looser = json.loads(_reconcile(tmp_path, rows, "--green", "8", "--amber", "20").stdout)
    assert _azure_run(looser, "2025/26")["rag"] == "green"
    stricter = json.loads(_reconcile(tmp_path, rows, "--green", "1", "--amber", "2").stdout)
    assert _azure_run(stricter, "2025/26")["rag"] == "red"


def test_cumulative_benefit_reforecast_uses_actuals_then_run_rate(tmp_path):
    result = _reconcile(tmp_path, [Row(month, amount, line="azure-run") for month, amount in RAMP],
                        "--reforecast", "run-rate")

    benefit = json.loads(result.stdout)["benefit"]
    # Plan: 2400 - 1200 - 120 - 600 = 480, then 2400 - 1200 - 120 = 1080.
    assert [p["plan_net"] for p in benefit["periods"]] == ["480", "1080"]
    # Re-forecast: azure-run 1200 then 1560 (its outturns); azure-other measured at 0 spent since January.
    assert [p["reforecast_net"] for p in benefit["periods"]] == ["510", "840"]
    assert [p["reforecast_cumulative"] for p in benefit["periods"]] == ["510", "1350"]
    assert benefit["plan_payback"] == {"period": "2024/25", "months": "0.00"}


def test_bad_as_of_is_a_usage_error(tmp_path):
    result = _reconcile(tmp_path, [Row("2025-04", "1", line="azure-run")], "--as-of", "April")

    assert result.exit_code == 2
    assert "--as-of 'April' is not a month" in result.stderr


def test_green_above_amber_is_a_usage_error(tmp_path):
    result = _reconcile(tmp_path, [Row("2025-04", "1", line="azure-run")], "--green", "12", "--amber", "10")

    assert result.exit_code == 2 and "green threshold must not be above the amber" in result.stderr


def test_an_as_of_after_the_stores_last_month_says_those_months_have_no_spend(tmp_path):
    result = _reconcile(tmp_path, [Row("2025-04", "100", line="azure-run")], "--as-of", "2025-06")

    report = json.loads(result.stdout)
    assert _azure_run(report, "2025/26")["case_to_date"] == "300"
    assert any("no spend after 2025-04" in note for note in report["provenance"]["notes"])
