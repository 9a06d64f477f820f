"""Budget specs derived from the business case: amounts per financial year, dates, alerts, and refusals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from costing.business_case import load_business_case
from costing.business_case.budgets import BudgetAlert, budget_specs
from estate.foundation.errors import UsageError
from tests.conftest import ROOT

EMAILS = ("imt-cloud@example.gov.uk",)


@pytest.fixture(scope="module")
def case():
    return load_business_case(ROOT / "stacks" / "business-case.yaml")


def by_line(specs):
    return {spec.line: spec for spec in specs}


def test_a_budget_per_cloud_run_line_in_whole_pounds(case):
    specs = by_line(budget_specs(case, "2022/23", contact_emails=EMAILS))
    assert set(specs) == {"azure-costs-sungard", "orchard-house-costs"}
    assert specs["azure-costs-sungard"].amount == Decimal("642000.00")
    assert specs["orchard-house-costs"].amount == Decimal("158000.00")
    assert all(type(spec.amount) is Decimal and spec.currency == "GBP" for spec in specs.values())


def test_the_budget_covers_april_to_march(case):
    spec = by_line(budget_specs(case, "2022/23", contact_emails=EMAILS))["azure-costs-sungard"]
    assert (spec.start_date, spec.end_date) == (date(2022, 4, 1), date(2023, 3, 31))
    assert spec.name == "azure-costs-sungard-fy2022-23"


def test_a_financial_year_straddling_two_calendar_years_takes_nine_and_three_months(case):
    specs = by_line(budget_specs(case, "2020/21", contact_emails=EMAILS))
    # 9/12 of 2020's 517 + 3/12 of 2021's 642 (thousands): 387.75 + 160.5
    assert specs["azure-costs-sungard"].amount == Decimal("548250.00")
    assert "9/12 of 2020" in specs["azure-costs-sungard"].basis and "3/12 of 2021" in specs["azure-costs-sungard"].basis
    # Orchard House is 158 in both years.
    assert specs["orchard-house-costs"].amount == Decimal("158000.00")


def test_only_the_months_of_the_case_with_cloud_cost_count(case):
    specs = by_line(budget_specs(case, "2019/20", contact_emails=EMAILS))
    # April-December 2019 cost nothing in Azure; January-March 2020 are 3/12 of 517 and of 158.
    assert specs["azure-costs-sungard"].amount == Decimal("129250.00")
    assert specs["orchard-house-costs"].amount == Decimal("39500.00")


def test_a_year_beyond_the_case_is_refused_unless_the_run_rate_is_carried_forward(case):
    with pytest.raises(UsageError, match=r"2026/27 .* not covered by the business case.*2024"):
        budget_specs(case, "2026/27", contact_emails=EMAILS)
    specs = by_line(budget_specs(case, "2026/27", contact_emails=EMAILS, beyond_horizon="carry-forward"))
    assert specs["azure-costs-sungard"].amount == Decimal("642000.00")
    assert "carried forward" in specs["azure-costs-sungard"].basis
    partly = by_line(budget_specs(case, "2024/25", contact_emails=EMAILS, beyond_horizon="carry-forward"))
    assert "3 months after 2024" in partly["orchard-house-costs"].basis


def test_a_year_before_the_case_is_refused_even_when_carrying_forward(case):
    with pytest.raises(UsageError, match="not covered"):
        budget_specs(case, "2018/19", contact_emails=EMAILS, beyond_horizon="carry-forward")


def test_alerts_default_to_80_and_100_percent_actual_and_100_percent_forecast(case):
    spec = budget_specs(case, "2022/23", contact_emails=EMAILS)[0]
    assert spec.alerts == (BudgetAlert(Decimal(80), "Actual"), BudgetAlert(Decimal(100), "Actual"),
                           BudgetAlert(Decimal(100), "Forecasted"))
    assert spec.contact_emails == EMAILS


@pytest.mark.parametrize(
    ("actual", "forecast", "message"),
    [
        ((Decimal(50), Decimal(80), Decimal(90), Decimal(100)), (Decimal(100), Decimal(110)), "1 to 5"),
        ((Decimal(0),), (), "out of range"),
        ((Decimal(1001),), (), "out of range"),
        ((Decimal(80), Decimal(80)), (), "given twice"),
    ],
)
def test_bad_alert_thresholds_are_refused(case, actual, forecast, message):
    with pytest.raises(UsageError, match=message):
        budget_specs(case, "2022/23", contact_emails=EMAILS, actual_thresholds_percent=actual,
                     forecast_thresholds_percent=forecast)


def test_budgets_need_a_contact_email(case):
    with pytest.raises(UsageError, match="contact e-mail"):
        budget_specs(case, "2022/23", contact_emails=())


def test_the_year_must_be_a_financial_year(case):
    with pytest.raises(UsageError, match="financial year"):
        budget_specs(case, "2022", contact_emails=EMAILS)
    with pytest.raises(UsageError, match="2022/23"):
        budget_specs(case, "2022/24", contact_emails=EMAILS)
