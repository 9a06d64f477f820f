"""What a finance officer computes from a business case by hand: benefit, cumulative position, payback, NPV.

Exact `Decimal` arithmetic throughout; nothing is rounded here (rounding is for display).

- transformed = legacy run + cloud run + retained run + management (lines counted in the totals)
- benefit = baseline - transformed; net (annual saving) = benefit - one-off; cumulative = running total of net
- payback: the period from which the cumulative position is non-negative to the end of the case, and the
  months from the start of the first period to that point, spreading each period's net evenly over its months
- NPV: the Green Book convention, 3.5 % a year real unless the case says otherwise; the first year is year 0
  and is not discounted, year t is divided by (1 + rate)^t. Monthly cases discount whole years counted from the
  first month (months 1-12 are year 0).
"""

from __future__ import annotations

import decimal
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from costing.business_case.model import RUN_KINDS, BusinessCase, Line
from estate.foundation.periods import Period

# Enough digits that discounting six or sixty periods never loses a penny before display rounding.
_CONTEXT = decimal.Context(prec=40)
ZERO = Decimal(0)


@dataclass(frozen=True)
class Payback:
    """Where the cumulative position turns non-negative for good; both None if it never does in the case."""

    period: str | None
    months: Decimal | None

    @property
    def reached(self) -> bool:
        return self.period is not None


@dataclass(frozen=True)
class Derived:
    """Every figure derived from a case, one value per period where it is a series."""

    periods: list[Period]
    baseline: list[Decimal]
    transformed: list[Decimal]
    benefit: list[Decimal]
    one_off: list[Decimal]
    net: list[Decimal]
    cumulative: list[Decimal]
    capital: list[Decimal]
    revenue: list[Decimal]
    payback: Payback
    discount_rate_percent: Decimal
    discount_years: list[int]
    discount_factors: list[Decimal]
    discounted_net: list[Decimal]
    discounted_cumulative: list[Decimal]
    npv: Decimal
    discounted_payback: Payback
    savings_measures_annual: Decimal
    outside_totals: list[str]

    @property
    def convention(self) -> str:
        """The discounting and payback conventions, in words, for the output."""
        first = self.periods[0]
        rate = self.discount_rate_percent
        if first.kind == "month":
            years = (f"{first.label} and the 11 months after it are year 0 and are not discounted; months in each "
                     f"whole year t after that (counted from the first month) are divided by (1 + {rate}%)^t")
        else:
            years = f"{first.label} is year 0 and is not discounted; year t after it is divided by (1 + {rate}%)^t"
        return (f"NPV at {rate}% a year real (HM Treasury Green Book): {years}. Payback months count from "
                f"{first.start.isoformat()} (start of {first.label}), spreading each period's net saving evenly "
                "over its months.")


def derive(case: BusinessCase) -> Derived:
    """Every derived figure of the case."""
    periods = case.period_list()
    counted = [line for line in case.lines if line.in_totals]
    baseline = _sum_lines(counted, lambda line: line.kind == "baseline", len(periods))
    transformed = _sum_lines(counted, lambda line: line.kind in RUN_KINDS, len(periods))
    one_off = _sum_lines(counted, lambda line: line.kind == "one-off", len(periods))
    benefit = [base - new for base, new in zip(baseline, transformed, strict=True)]
    net = [gain - cost for gain, cost in zip(benefit, one_off, strict=True)]
    rate_percent = case.discount_rate_percent
    years = discount_years(periods)
    factors = [discount_factor(rate_percent, year) for year in years]
    discounted = [_CONTEXT.multiply(flow, factor) for flow, factor in zip(net, factors, strict=True)]
    costs = [line for line in counted if line.kind != "baseline"]
    return Derived(
        periods=periods, baseline=baseline, transformed=transformed, benefit=benefit, one_off=one_off, net=net,
        cumulative=running_total(net),
        capital=_sum_lines(costs, lambda line: line.classification == "capital", len(periods)),
        revenue=_sum_lines(costs, lambda line: line.classification == "revenue", len(periods)),
        payback=payback(net, periods),
        discount_rate_percent=rate_percent, discount_years=years, discount_factors=factors,
        discounted_net=discounted, discounted_cumulative=running_total(discounted),
        npv=running_total(discounted)[-1], discounted_payback=payback(discounted, periods),
        savings_measures_annual=sum((measure.annual_saving for measure in case.savings_measures), ZERO),
        outside_totals=[line.id for line in case.lines if not line.in_totals],
    )


def _sum_lines(lines: list[Line], wanted: Callable[[Line], bool], count: int) -> list[Decimal]:
    totals = [ZERO] * count
    for line in lines:
        if wanted(line):
            totals = [total + value for total, value in zip(totals, line.values, strict=True)]
    return totals


def running_total(flows: list[Decimal]) -> list[Decimal]:
    """[a, b, c] -> [a, a+b, a+b+c]."""
    totals: list[Decimal] = []
    total = ZERO
    for flow in flows:
        total = _CONTEXT.add(total, flow)
        totals.append(total)
    return totals


def discount_years(periods: list[Period]) -> list[int]:
    """The Green Book year t of each period: 0, 1, 2 ... for years; whole years since the first month for months."""
    first = periods[0].first_month.index
    return [(period.first_month.index - first) // 12 for period in periods]


def discount_factor(rate_percent: Decimal, year: int) -> Decimal:
    """1 / (1 + rate)^year; exactly 1 in year 0."""
    growth = _CONTEXT.power(_CONTEXT.add(Decimal(1), _CONTEXT.divide(rate_percent, Decimal(100))), year)
    return _CONTEXT.divide(Decimal(1), growth)


def payback(flows: list[Decimal], periods: list[Period]) -> Payback:
    """The period from which the running total of `flows` stays non-negative, and the months to reach it."""
    cumulative = running_total(flows)
    negative = [index for index, total in enumerate(cumulative) if total < 0]
    if negative and negative[-1] == len(cumulative) - 1:
        return Payback(None, None)
    index = negative[-1] + 1 if negative else 0
    before = cumulative[index - 1] if index else ZERO
    months_before = sum(period.months for period in periods[:index])
    if before >= 0:
        return Payback(periods[index].label, Decimal(months_before))
    # The period's net closes the gap: the fraction of it needed, spread evenly over its months.
    fraction = _CONTEXT.divide(-before, flows[index])
    months = _CONTEXT.add(Decimal(months_before), _CONTEXT.multiply(fraction, Decimal(periods[index].months)))
    return Payback(periods[index].label, months)
