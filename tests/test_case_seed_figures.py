"""The bundled business case reproduces the council's IMT418 financial table exactly and flags its inconsistencies."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from costing.business_case import check_stated, derive, load_business_case
from estate.definition.loader import load_estate
from tests.conftest import EXAMPLE_ESTATE, ROOT

EXAMPLE_CASE = ROOT / "stacks" / "business-case.yaml"


def decimals(*values: str | int) -> list[Decimal]:
    return [Decimal(str(value)) for value in values]


@pytest.fixture(scope="module")
def case():
    return load_business_case(EXAMPLE_CASE)


@pytest.fixture(scope="module")
def derived(case):
    return derive(case)


@pytest.fixture(scope="module")
def warnings(case, derived):
    return [check.warning for check in check_stated(case, derived) if not check.ok]


def test_the_seed_table_is_transcribed_line_by_line(case):
    assert case.periods == ["2019", "2020", "2021", "2022", "2023", "2024"]
    assert (case.currency, case.unit) == ("GBP", "thousands")
    rows = {line.id: line.values for line in case.lines}
    assert rows["baseline-sungard"] == decimals(1872, 1872, 1872, 1872, 1872, 1872)
    assert rows["sungard-costs"] == decimals(1872, 850, 0, 0, 0, 0)
    assert rows["azure-costs-sungard"] == decimals(0, 517, 642, 642, 642, 642)
    assert rows["orchard-house-costs"] == decimals(0, 158, 158, 158, 158, 158)
    assert rows["azure-management-support"] == decimals(0, 175, 175, 175, 175, 175)
    assert rows["programme-costs"] == decimals(275, 640, 0, 0, 0, 0)
    assert rows["hardware"] == decimals(73, 0, 0, 0, 0, 0)
    assert rows["vendor-costs"] == decimals(25, 150, 0, 0, 0, 0)


def test_transformed_cost_benefit_and_one_off_match_the_seed(derived):
    assert derived.transformed == decimals(1872, 1700, 975, 975, 975, 975)
    assert derived.benefit == decimals(0, 172, 897, 897, 897, 897)
    assert derived.one_off[:2] == decimals(373, 790)
    assert derived.one_off[2:] == decimals(0, 0, 0, 0)


def test_cumulative_position_matches_the_seed(derived):
    assert derived.net == decimals(-373, -618, 897, 897, 897, 897)
    assert derived.cumulative == decimals(-373, -991, -94, 803, 1700, 2597)


def test_money_is_decimal_throughout(case, derived):
    for line in case.lines:
        assert all(type(value) is Decimal for value in line.values)
    for series in (derived.transformed, derived.benefit, derived.cumulative, derived.discounted_cumulative):
        assert all(type(value) is Decimal for value in series)
    assert type(derived.npv) is Decimal


def test_savings_measures_are_ahub_110_4_plus_ri_108(case, derived):
    annual = {measure.id: measure.annual_saving for measure in case.savings_measures}
    assert annual == {"azure-hybrid-benefit": Decimal("110.4"), "reserved-instances": Decimal("108")}
    assert derived.savings_measures_annual == Decimal("218.4")


def test_the_stated_1165_implementation_cost_is_flagged_against_the_tables_1163(warnings):
    flagged = [w for w in warnings if "1,165" in w]
    assert len(flagged) == 1
    assert "1,163" in flagged[0]
    assert "computed - stated = -2" in flagged[0]


def test_the_18_to_24_month_payback_claim_is_flagged_with_the_computed_payback(warnings, derived):
    assert derived.payback.period == "2022"
    # 36 months to the end of 2021, then 94 of 2022's 897 at 897/12 a month.
    exact = Fraction(36) + Fraction(94 * 12, 897)
    assert abs(Fraction(derived.payback.months) - exact) < Fraction(1, 10**30)
    flagged = [w for w in warnings if "18-24 months" in w]
    assert len(flagged) == 1
    assert "37.26 months" in flagged[0]
    assert "2022" in flagged[0]


def test_the_2_5m_over_five_years_claim_is_flagged_with_the_cumulative_position(warnings):
    flagged = [w for w in warnings if "2,500" in w]
    assert len(flagged) == 1
    assert "2,597" in flagged[0]


def test_only_the_seeds_real_inconsistencies_are_flagged(case, derived):
    checks = check_stated(case, derived)
    failed = sorted(check.stated for check in checks if not check.ok)
    assert failed == ["1,165 GBP thousands", "18-24 months", "2,500 GBP thousands", "990 GBP thousands"]
    # The rows the table states of itself all agree with its lines.
    assert all(check.ok for check in checks if check.source.startswith("section 4 table"))


def test_the_retained_line_is_shown_but_outside_every_total(case, derived):
    retained = case.line("orchard-house-retained")
    assert retained.kind == "retained-run" and not retained.in_totals
    assert derived.outside_totals == ["orchard-house-retained"]
    assert derived.transformed[-1] == Decimal(975)  # unchanged by its 134.55 a year


def test_every_business_case_line_of_the_estate_is_a_line_of_the_case(case):
    estate = load_estate(EXAMPLE_ESTATE)
    used = {estate.landing_zone.business_case_line}
    used |= {vm.business_case_line for wave in estate.waves for vm in wave.vms}
    used |= {group.business_case_line for group in estate.retained}
    if estate.connectivity.expressroute and estate.connectivity.expressroute.business_case_line:
        used.add(estate.connectivity.expressroute.business_case_line)
    assert used == {"azure-costs-sungard", "orchard-house-costs", "orchard-house-retained"}
    assert used <= {line.id for line in case.lines}


def test_the_retained_line_is_the_estates_retained_run_cost_in_thousands(case):
    estate = load_estate(EXAMPLE_ESTATE)
    annual_gbp = sum(group.annual_run_cost for group in estate.retained)
    assert set(case.line("orchard-house-retained").values) == {annual_gbp / case.unit_multiplier}


def test_the_further_1m_claim_agrees_with_five_years_of_the_savings_measures(case, derived):
    (check,) = [c for c in check_stated(case, derived) if "over 5 years" in c.what]
    assert check.ok
    assert check.computed == "1,092 GBP thousands"  # 218.4 x 5, which is £1M to the nearest million
