"""Hostile values: amounts, years, quantities, FX rates, e-mail addresses and connection strings fail closed."""

from __future__ import annotations

import json

import pytest

from tests.conftest import MINIMAL_ESTATE, ROOT, run_cli
from tests.cost_helpers import FOCUS_HEADER, focus_row
from tests.hostile_helpers import assert_refused

CASE = ROOT / "stacks" / "business-case.yaml"
USAGE = ROOT / "stacks" / "usage.yaml"
RATES = ROOT / "stacks" / "rates.yaml"


def _empty_plan(tmp_path):
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"steps": []}))
    return plan


def test_an_absurd_amount_in_the_business_case_is_located(tmp_path):
    case = tmp_path / "case.yaml"
    case.write_text(CASE.read_text().replace("values: [1872, 850, 0, 0, 0, 0]", "values: [1e30, 850, 0, 0, 0, 0]"))
    assert "1e30" in case.read_text()
    assert_refused(run_cli("case", "show", case), "case.yaml:", "lines[1].values[0]")


@pytest.mark.parametrize("year", ["9999/00", "0001/02"])
def test_a_far_financial_year_for_budgets_is_refused(year):
    result = run_cli("case", "budgets", CASE, "--financial-year", year, "--email", "finance@council.gov.uk")
    assert_refused(result, "outside the years")


@pytest.mark.parametrize("address", ["not an email", "a@b", "x@@y.uk", "=cmd|' /C calc'!A0@x.uk"])
def test_budget_e_mails_are_validated(address):
    result = run_cli("case", "budgets", CASE, "--financial-year", "2023/24", "--email", address)
    assert_refused(result, "--email", "not an e-mail address")


def test_estate_contact_e_mails_are_validated(write_estate):
    text = MINIMAL_ESTATE.replace("  cost_centre: IT\n", "  cost_centre: IT\n  contact_emails: [ops@council..uk]\n")
    assert "contact_emails" in text
    assert_refused(run_cli("validate", write_estate(text)), "contact_emails[0]", "not an e-mail address")


@pytest.mark.parametrize("value", ["-5", ".nan", ".inf", "1e40"])
def test_bad_quantities_in_usage_are_located_not_priced(tmp_path, value):
    usage = tmp_path / "usage.yaml"
    usage.write_text(USAGE.read_text().replace("ingestion_gb_per_day: 10 ", f"ingestion_gb_per_day: {value} "))
    assert value in usage.read_text()
    result = run_cli("forecast", _empty_plan(tmp_path), "--prices", RATES, "--usage", usage)
    assert_refused(result, "usage.yaml:", "ingestion_gb_per_day")


@pytest.mark.parametrize("value", [".nan", "-1", "{a: 1}"])
def test_bad_prices_in_a_rate_card_are_located(tmp_path, value):
    rates = tmp_path / "rates.yaml"
    rates.write_text(RATES.read_text().replace("price: 10.56", f"price: {value}", 1))
    assert_refused(run_cli("forecast", _empty_plan(tmp_path), "--prices", rates), "rates.yaml:", "price")


def test_a_duplicated_fx_rate_in_usage_is_an_error(tmp_path):
    usage = tmp_path / "usage.yaml"
    text = USAGE.read_text()
    start = text.index("  - from: USD")
    block = text[start:text.index("\n\n", start) + 1]
    usage.write_text(text.replace(block, block + block.replace("rate: 0.75", "rate: 0.80"), 1))
    result = run_cli("forecast", _empty_plan(tmp_path), "--prices", RATES, "--usage", usage)
    assert_refused(result, "usage.yaml:", "a second USD->GBP rate")


def test_an_absurd_fx_rate_needs_accepting(tmp_path):
    usage = tmp_path / "usage.yaml"
    usage.write_text(USAGE.read_text().replace("rate: 0.75", "rate: 750000"))
    plan = _empty_plan(tmp_path)
    assert_refused(run_cli("forecast", plan, "--prices", RATES, "--usage", usage), "usage.yaml:", "sanity band",
                   "--accept-fx-outlier")
    accepted = run_cli("forecast", plan, "--prices", RATES, "--usage", usage, "--accept-fx-outlier")
    assert accepted.exit_code == 0, accepted.output


def _export(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "usd.csv").write_text(FOCUS_HEADER + "\n" + focus_row("1.00", "2025-05-02", currency="USD"))
    return folder


def test_fx_table_duplicates_and_outliers(tmp_path):
    table = tmp_path / "fx.csv"
    table.write_text("from_currency,to_currency,month,rate\nUSD,GBP,2025-05,0.79\nUSD,GBP,2025-05,0.80\n")
    store = tmp_path / "store"
    assert_refused(run_cli("cost", "load", _export(tmp_path), "--store", store, "--fx-table", table),
                   "fx.csv:3", "a second USD rate for 2025-05")
    table.write_text("from_currency,to_currency,month,rate\nUSD,GBP,2025-05,790000\n")
    assert_refused(run_cli("cost", "load", tmp_path / "exports", "--store", store, "--fx-table", table),
                   "sanity band", "--accept-fx-outlier")


def test_a_malformed_connection_string_is_refused_without_echoing_it(tmp_path):
    secret = "AccountKey=c2VjcmV0c2VjcmV0;;;garbage"
    result = run_cli("cost", "load", "https://acct.blob.core.windows.net/exports", "--store", tmp_path / "s",
                     "--connection-string", secret)
    assert_refused(result, "connection string", "malformed")
    assert "c2VjcmV0" not in result.output


@pytest.mark.parametrize("size", [-128, "abc", {"gb": 128}, [128], "1e40", True])
def test_bad_plan_quantities_are_unpriced_with_the_reason_never_a_default(tmp_path, size):
    from tests.plan_builders import plan, step, vm_inputs, write_plan
    from tests.test_costing_forecast import RATES_GBP

    rates = tmp_path / "rates.yaml"
    rates.write_text(RATES_GBP)
    inputs = vm_inputs("vm-odd", data_disks=[(64, "StandardSSD_LRS")])
    inputs["storageProfile"]["dataDisks"][0]["diskSizeGB"] = size
    path = write_plan(tmp_path / "wave.json", plan("wave-pilot", [
        step("wave-pilot", "azure-native:compute:VirtualMachine", "vm-odd", inputs)]))
    result = run_cli("forecast", path, "--prices", rates, "--format", "json", "--as-of", "2026-08-22")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    reasons = [item["reason"] for item in document["unpriced"] if item["resource"] == "vm-odd"]
    assert reasons and "quantity" in reasons[0], document["unpriced"]
    assert not [line for line in document["lines"] if line["resource"] == "vm-odd"]
