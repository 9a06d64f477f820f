"""NPV, discounted payback and payback interpolation against independent calculations; period arithmetic."""

from __future__ import annotations

import textwrap
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from costing.business_case import derive, financial_year_of, load_business_case, parse_period
from costing.business_case.derive import payback
from costing.business_case.report import payback_json, rounded


def write_case(tmp_path, periods: str, lines: str, extra: str = "") -> object:
    text = textwrap.dedent("""\
        name: Test case
        organisation: Test Council
        currency: GBP
        unit: thousands
        periods: {periods}
        lines:
        {lines}
        {extra}""").format(periods=periods, lines=textwrap.indent(textwrap.dedent(lines), ""), extra=extra)
    path = tmp_path / "case.yaml"
    path.write_text(text, encoding="utf-8")
    return load_business_case(path)


def independent_npv(flows: list[int], rate: Fraction) -> Fraction:
    """Green Book NPV written out the long way: year 0 undiscounted, year t over (1 + rate)^t."""
    total = Fraction(0)
    for year, flow in enumerate(flows):
        total += Fraction(flow) / (1 + rate) ** year
    return total


SEED_NET = [-373, -618, 897, 897, 897, 897]
SEED_LINES = """\
  - {id: base, label: Baseline, kind: baseline, classification: revenue, values: [1872, 1872, 1872, 1872, 1872, 1872]}
  - {id: run, label: Run, kind: cloud-run, classification: revenue, values: [1872, 1700, 975, 975, 975, 975]}
  - {id: once, label: Migration, kind: one-off, classification: capital, values: [373, 790, 0, 0, 0, 0]}
"""


def test_npv_at_green_book_rate_matches_an_independent_calculation(tmp_path):
    case = write_case(tmp_path, "[2019, 2020, 2021, 2022, 2023, 2024]", SEED_LINES)
    derived = derive(case)
    assert derived.net == [Decimal(flow) for flow in SEED_NET]
    expected = independent_npv(SEED_NET, Fraction(35, 1000))
    assert abs(Fraction(derived.npv) - expected) < Fraction(1, 10**25)
    assert rounded(derived.npv) == Decimal("2213.23")
    assert derived.discount_years == [0, 1, 2, 3, 4, 5]
    assert derived.discount_factors[0] == 1


def test_the_discount_rate_is_configurable(tmp_path):
    case = write_case(tmp_path, "[2019, 2020, 2021, 2022, 2023, 2024]", SEED_LINES, "discount_rate_percent: 10\n")
    derived = derive(case)
    expected = independent_npv(SEED_NET, Fraction(1, 10))
    assert abs(Fraction(derived.npv) - expected) < Fraction(1, 10**25)
    assert "10%" in derived.convention


def test_the_convention_is_stated_year_0_undiscounted(tmp_path):
    case = write_case(tmp_path, "[2019, 2020, 2021, 2022, 2023, 2024]", SEED_LINES)
    convention = derive(case).convention
    assert "Green Book" in convention
    assert "2019 is year 0 and is not discounted" in convention
    assert "3.5%" in convention


def test_discounted_payback_matches_an_independent_calculation(tmp_path):
    derived = derive(write_case(tmp_path, "[2019, 2020, 2021, 2022, 2023, 2024]", SEED_LINES))
    rate = Fraction(35, 1000)
    discounted = [Fraction(flow) / (1 + rate) ** year for year, flow in enumerate(SEED_NET)]
    before = sum(discounted[:3])  # still negative at the end of 2021
    assert before < 0 < before + discounted[3]
    expected_months = 36 + (-before / discounted[3]) * 12
    assert derived.discounted_payback.period == "2022"
    assert abs(Fraction(derived.discounted_payback.months) - expected_months) < Fraction(1, 10**20)
    assert payback_json(derived.discounted_payback) == {"period": "2022", "months": "37.97"}


@pytest.mark.parametrize(
    ("flows", "expected_period", "expected_months"),
    [
        ([-120, 60, 60, 60], "2", Decimal(36)),            # exactly zero at the end of the third year
        ([-120, 80, 80], "2", Decimal(30)),                # 40 of the third year's 80 needed: half way through
        ([-100, 400], "1", Decimal(15)),                   # a quarter of year 1
        ([50, 10], "0", Decimal(0)),                       # never negative: pays back at once
        ([-100, 50, 40], None, None),                      # never reaches zero
        ([-100, 150, -100, 200], "3", Decimal("39")),      # dips again: payback is when it turns for good
    ],
)
def test_payback_interpolates_months_within_the_period(flows, expected_period, expected_months):
    periods = [parse_period(str(2020 + index)) for index in range(len(flows))]
    result = payback([Decimal(flow) for flow in flows], periods)
    expected_label = None if expected_period is None else str(2020 + int(expected_period))
    assert result.period == expected_label
    assert result.months == expected_months


def test_monthly_payback_counts_single_months():
    periods = [parse_period(label) for label in ("2025-01", "2025-02", "2025-03", "2025-04")]
    result = payback([Decimal(-30), Decimal(20), Decimal(20), Decimal(20)], periods)
    assert (result.period, result.months) == ("2025-03", Decimal("2.5"))


def test_monthly_cases_discount_whole_years_from_the_first_month(tmp_path):
    labels = [f"2025-{month:02d}" for month in range(4, 13)] + [f"2026-{month:02d}" for month in range(1, 8)]
    zeros = ", ".join("0" for _ in labels)
    lines = f"""\
  - {{id: base, label: Baseline, kind: baseline, classification: revenue, values: [{", ".join("10" for _ in labels)}]}}
  - {{id: run, label: Run, kind: cloud-run, classification: revenue, values: [{zeros}]}}
"""
    derived = derive(write_case(tmp_path, "[" + ", ".join(labels) + "]", lines))
    assert derived.discount_years == [0] * 12 + [1] * 4
    assert abs(Fraction(derived.npv) - (120 + Fraction(40) / Fraction(1035, 1000))) < Fraction(1, 10**25)
    assert "2025-04 and the 11 months after it are year 0" in derived.convention


def test_financial_year_cases_read_2024_25_labels(tmp_path):
    lines = """\
  - {id: base, label: Baseline, kind: baseline, classification: revenue, values: [100, 100]}
  - {id: run, label: Run, kind: cloud-run, classification: revenue, values: [150, 40]}
"""
    derived = derive(write_case(tmp_path, "[2024/25, 2025/26]", lines))
    first, second = derived.periods
    assert (first.kind, first.start, first.end) == ("financial-year", date(2024, 4, 1), date(2025, 3, 31))
    assert second.start == date(2025, 4, 1)
    assert derived.cumulative == [Decimal(-50), Decimal(10)]
    assert derived.payback.period == "2025/26"
    assert derived.payback.months == Decimal(12) + Decimal(50) / Decimal(60) * 12


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (date(2025, 3, 31), "2024/25"),
        (date(2025, 4, 1), "2025/26"),
        (date(2025, 1, 1), "2024/25"),
        (date(2024, 12, 31), "2024/25"),
        (date(2024, 4, 1), "2024/25"),
        (date(2024, 3, 31), "2023/24"),
        (date(1999, 6, 15), "1999/00"),
    ],
)
def test_march_and_april_fall_in_different_financial_years(day, label):
    assert financial_year_of(day).label == label


def test_a_financial_year_runs_april_to_march():
    year = parse_period("2024/25")
    assert year.contains(date(2025, 3, 31)) and not year.contains(date(2025, 4, 1))
    assert year.contains(date(2024, 4, 1)) and not year.contains(date(2024, 3, 31))
    assert [str(month) for month in year.month_list()][:2] == ["2024-04", "2024-05"]
    assert str(year.last_month) == "2025-03"


def test_a_financial_year_label_must_name_consecutive_years():
    with pytest.raises(ValueError, match="2024/25"):
        parse_period("2024/26")
