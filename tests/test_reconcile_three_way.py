"""The three-way view: business case vs synthesised estimate (`estate forecast` JSON) vs actual."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal

from tests.conftest import EXAMPLE_ESTATE, run_cli
from tests.reconcile_helpers import Row, example_forecast, write_store

CASE = "stacks/business-case.yaml"
# Every line-period figure is in pence (rounded half-up once), so that totals add up in every format.
PENNY = Decimal("0.01")


def _line(report, line_id):
    return next(line for line in report["lines"] if line["id"] == line_id)


def _period(line, label):
    return next(period for period in line["periods"] if period["period"] == label)


def _forecast_monthly(forecast_path, line_id, waves=None):
    lines = json.loads(forecast_path.read_text())["lines"]
    return sum((Decimal(item["monthly"]) for item in lines
                if item["business_case_line"] == line_id and (waves is None or item["wave"] in waves)), Decimal(0))


def test_three_way_estimate_is_the_forecast_phased_in_by_wave(tmp_path):
    forecast = example_forecast(tmp_path / "forecast.json", EXAMPLE_ESTATE)
    store = write_store(tmp_path / "store", [Row("2020-11", "60000", line="orchard-house-costs"),
                                             Row("2021-02", "70000", line="orchard-house-costs")])

    result = run_cli("cost", "reconcile", "--case", CASE, "--store", store, "--forecast", forecast,
                     "--estate", EXAMPLE_ESTATE, "--format", "json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["three_way"] is True
    orchard = _line(report, "orchard-house-costs")
    monthly = _forecast_monthly(forecast, "orchard-house-costs")
    # Wave orchard-2008 is planned for 2020-11: two months of 2020, twelve of 2021.
    assert Decimal(_period(orchard, "2020")["estimate"]) == (monthly * 2).quantize(PENNY, ROUND_HALF_UP)
    assert Decimal(_period(orchard, "2021")["estimate"]) == (monthly * 12).quantize(PENNY, ROUND_HALF_UP)
    # Actuals cover 2020-11..2021-02: the estimate to date counts the same months, and the difference is shown.
    year = _period(orchard, "2021")
    assert Decimal(year["estimate_to_date"]) == (monthly * 2).quantize(PENNY, ROUND_HALF_UP)
    assert Decimal(year["actual_vs_estimate"]) == Decimal(70000) - (monthly * 2).quantize(PENNY, ROUND_HALF_UP)
    assert year["case_to_date"] == "26333.33"  # 158 thousand a year, two months, in pence


def test_without_the_estate_every_forecast_line_costs_from_the_start(tmp_path):
    forecast = example_forecast(tmp_path / "forecast.json", EXAMPLE_ESTATE)
    store = write_store(tmp_path / "store", [Row("2020-01", "1", line="azure-costs-sungard")])

    report = json.loads(run_cli("cost", "reconcile", "--case", CASE, "--store", store, "--forecast", forecast,
                                "--format", "json").stdout)

    azure = _line(report, "azure-costs-sungard")
    monthly = _forecast_monthly(forecast, "azure-costs-sungard")
    assert Decimal(_period(azure, "2019")["estimate"]) == (monthly * 12).quantize(PENNY, ROUND_HALF_UP)
    assert "give --estate" in report["provenance"]["forecast_note"]


def test_retained_hosts_estimate_shows_against_a_line_azure_does_not_bill(tmp_path):
    forecast = example_forecast(tmp_path / "forecast.json", EXAMPLE_ESTATE)
    store = write_store(tmp_path / "store", [Row("2020-01", "1", line="azure-costs-sungard")])

    report = json.loads(run_cli("cost", "reconcile", "--case", CASE, "--store", store, "--forecast", forecast,
                                "--estate", EXAMPLE_ESTATE, "--format", "json").stdout)

    retained = _line(report, "orchard-house-retained")
    assert retained["measured"] is False
    assert _period(retained, "2020")["estimate"] == "134550"  # 111,550 + 23,000 a year, from the estate
    assert _period(retained, "2020")["actual"] is None


def test_a_forecast_in_another_currency_exits_2(tmp_path):
    forecast = example_forecast(tmp_path / "forecast.json", EXAMPLE_ESTATE)
    document = json.loads(forecast.read_text())
    forecast.write_text(json.dumps(dict(document, currency="USD")))
    store = write_store(tmp_path / "store", [Row("2020-01", "1", line="azure-costs-sungard")])

    result = run_cli("cost", "reconcile", "--case", CASE, "--store", store, "--forecast", forecast)

    assert result.exit_code == 2
    assert "the forecast is in USD but the business case is in GBP" in result.stderr


def test_a_file_that_is_not_a_forecast_exits_2(tmp_path):
    not_forecast = tmp_path / "plan.json"
    not_forecast.write_text('{"steps": []}')
    store = write_store(tmp_path / "store", [Row("2020-01", "1", line="azure-costs-sungard")])

    result = run_cli("cost", "reconcile", "--case", CASE, "--store", store, "--forecast", not_forecast)

    assert result.exit_code == 2 and "not a forecast" in result.stderr


def test_three_way_with_a_forecast_written_by_estate_forecast(tmp_path):
    from tests.plan_builders import plan, platform_plan, step, vm_inputs, write_plan

    root = EXAMPLE_ESTATE.parents[1]
    orchard = vm_inputs("vm-lcc-oh-01", wave="orchard-2008")
    orchard["tags"]["business-case-line"] = "orchard-house-costs"
    plans = [write_plan(tmp_path / "platform.json", platform_plan()),
             write_plan(tmp_path / "wave-orchard-2008.json", plan("wave-orchard-2008", [
                 step("wave-orchard-2008", "azure-native:compute:VirtualMachine", "vm-lcc-oh-01", orchard)]))]
    forecast = tmp_path / "forecast.json"
    priced = run_cli("forecast", *plans, "--prices", root / "stacks" / "rates.yaml", "--usage",
                     root / "stacks" / "usage.yaml", "--estate", EXAMPLE_ESTATE, "--format", "json", "--out", forecast)
    assert priced.exit_code == 0, priced.output
    store = write_store(tmp_path / "store", [Row("2020-12", "500", line="orchard-house-costs"),
                                             Row("2020-12", "4000", line="azure-costs-sungard")])

    result = run_cli("cost", "reconcile", "--case", CASE, "--store", store, "--forecast", forecast,
                     "--estate", EXAMPLE_ESTATE, "--format", "json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    orchard_monthly = _forecast_monthly(forecast, "orchard-house-costs")
    platform_monthly = _forecast_monthly(forecast, "azure-costs-sungard")
    assert orchard_monthly > 0 and platform_monthly > 0
    # The orchard VM from its wave's planned month (2020-11), the platform from the month before the first wave.
    assert Decimal(_period(_line(report, "orchard-house-costs"), "2020")["estimate"]) == (
        orchard_monthly * 2).quantize(PENNY, ROUND_HALF_UP)
    assert Decimal(_period(_line(report, "azure-costs-sungard"), "2019")["estimate"]) == (
        platform_monthly * 2).quantize(PENNY, ROUND_HALF_UP)
    sungard_2020 = _period(_line(report, "azure-costs-sungard"), "2020")
    assert Decimal(sungard_2020["actual_vs_estimate"]) == (
        Decimal(4000) - platform_monthly.quantize(PENNY, ROUND_HALF_UP))  # actuals cover December only


def test_an_incomplete_forecast_is_flagged_at_the_top_of_the_report(tmp_path):
    forecast = example_forecast(tmp_path / "forecast.json", EXAMPLE_ESTATE)
    document = json.loads(forecast.read_text())
    forecast.write_text(json.dumps(dict(document, unpriced=[{"urn": "urn:x", "reason": "no price"}] * 7)))
    store = write_store(tmp_path / "store", [Row("2020-01", "1", line="azure-costs-sungard")])

    result = run_cli("cost", "reconcile", "--case", CASE, "--store", store, "--forecast", forecast)

    assert "leaves 7 components unpriced" in result.stdout.split("Case vs actual")[0]
