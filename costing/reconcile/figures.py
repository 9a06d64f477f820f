"""Per line and period: case, actual, variance (absolute and %), RAG, year to date and run-rate outturn.

Conventions (each is printed in the report):
- The case's amount for a period is spread evenly over its months; "case to date" is that spread over the
  months of the period that have actuals (from the store's first month up to the as-of month).
- Variance = actual - case (positive = spent more than the case); % is of the case to date.
- Run rate = the average monthly actual of the last `RUN_RATE_MONTHS` months up to the as-of month.
- Outturn of a period, month by month: actuals where there are any; the run rate after the as-of month for
  run-cost lines (the case's own amount for one-off lines); the case's amount before the store's first month.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from costing.business_case.periods import Month, Period
from costing.reconcile.model import PeriodFigures, PeriodStatus, Rag, RagThresholds

RUN_RATE_MONTHS = 3
_CONTEXT = decimal.Context(prec=40)
ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Window:
    """The months that have actuals: from the store's first month to the as-of month (inclusive)."""

    first: Month | None
    as_of: Month

    def has_actuals(self, month: Month) -> bool:
        return self.first is not None and self.first <= month <= self.as_of


@dataclass(frozen=True)
class Series:
    """What is known of one line: the case per period, and actuals and estimates per month."""

    case: list[Decimal]
    actual: dict[Month, Decimal] | None
    estimate: dict[Month, Decimal] | None
    runs_on: bool


def rag_of(variance_percent: Decimal | None, variance: Decimal, thresholds: RagThresholds) -> Rag:
    """Green / amber / red for a variance; spend against a case of nothing is red."""
    if variance_percent is None:
        return "green" if variance == 0 else "red"
    size = abs(variance_percent)
    if size <= thresholds.green_percent:
        return "green"
    return "amber" if size <= thresholds.amber_percent else "red"


def status_of(period: Period, as_of: Month) -> PeriodStatus:
    if period.last_month <= as_of:
        return "closed"
    return "open" if period.first_month <= as_of else "future"


def run_rate(actual: dict[Month, Decimal] | None, window: Window) -> Decimal | None:
    """Average monthly actual over the last RUN_RATE_MONTHS months with actuals, ending at the as-of month."""
    if actual is None or window.first is None:
        return None
    months = [window.as_of.plus(-back) for back in range(RUN_RATE_MONTHS)]
    months = [month for month in months if window.has_actuals(month)]
    if not months:
        return None
    total = sum((actual.get(month, ZERO) for month in months), ZERO)
    return _CONTEXT.divide(total, Decimal(len(months)))


def spread(amount: Decimal, months: int, of_months: int) -> Decimal:
    """`amount` for `months` of a period of `of_months` months (exact when months == of_months)."""
    if months == of_months:
        return amount
    return _CONTEXT.divide(_CONTEXT.multiply(amount, Decimal(months)), Decimal(of_months))


def line_periods(series: Series, periods: list[Period], window: Window, thresholds: RagThresholds
                 ) -> list[PeriodFigures]:
    """The figures of one line in every period of the case."""
    rate = run_rate(series.actual, window)
    return [_period_figures(series, period, case, window, rate, thresholds)
            for period, case in zip(periods, series.case, strict=True)]


def _period_figures(series: Series, period: Period, case: Decimal, window: Window, rate: Decimal | None,
                    thresholds: RagThresholds) -> PeriodFigures:
    months = period.month_list()
    measured = series.actual is not None
    covered = [month for month in months if measured and window.has_actuals(month)]
    after = [month for month in months if month > window.as_of]
    case_to_date = actual = variance = percent = rag = None
    if covered:
        case_to_date = spread(case, len(covered), period.months)
        actual = _sum(series.actual, covered)
        variance = actual - case_to_date
        percent = None if case_to_date == 0 else _CONTEXT.divide(variance * HUNDRED, case_to_date)
        rag = rag_of(percent, variance, thresholds)
    outturn, basis = _outturn(series, period, case, covered, after, rate)
    estimate = estimate_to_date = against_estimate = None
    if series.estimate is not None:
        estimate = _sum(series.estimate, months)
        if covered:
            estimate_to_date = _sum(series.estimate, covered)
            against_estimate = actual - estimate_to_date
    return PeriodFigures(
        period=period.label, status=status_of(period, window.as_of), months=period.months,
        months_with_actuals=len(covered), case=case, case_to_date=case_to_date, actual=actual, variance=variance,
        variance_percent=percent, rag=rag, outturn=outturn, outturn_basis=basis, outturn_variance=outturn - case,
        estimate=estimate, estimate_to_date=estimate_to_date, actual_vs_estimate=against_estimate)


def _outturn(series: Series, period: Period, case: Decimal, covered: list[Month], after: list[Month],
             rate: Decimal | None) -> tuple[Decimal, str]:
    """Best estimate of the period's total and, in words, what it is made of."""
    if series.actual is None:
        return case, "case (no actuals for this line)"
    parts: list[str] = []
    total = ZERO
    case_months = len(period.month_list()) - len(covered) - (len(after) if series.runs_on and rate is not None
                                                                else 0)
    if covered:
        total += _sum(series.actual, covered)
        parts.append(f"actual {len(covered)} month{'s' if len(covered) != 1 else ''}")
    if after and series.runs_on and rate is not None:
        total += rate * len(after)
        parts.append(f"run rate {len(after)} month{'s' if len(after) != 1 else ''}")
    if case_months:
        total += spread(case, case_months, period.months)
        parts.append(f"case {case_months} month{'s' if case_months != 1 else ''}")
    return total, " + ".join(parts)


def _sum(values: dict[Month, Decimal], months: Iterable[Month]) -> Decimal:
    return sum((values.get(month, ZERO) for month in months), ZERO)


def monthly_case(case: list[Decimal], periods: list[Period]) -> dict[Month, Decimal]:
    """The case's amounts spread evenly over each period's months (for charts)."""
    spread_case: dict[Month, Decimal] = {}
    for period, amount in zip(periods, case, strict=True):
        for month in period.month_list():
            spread_case[month] = _CONTEXT.divide(amount, Decimal(period.months))
    return spread_case


def add_monthly(series: Iterable[dict[Month, Decimal] | None]) -> dict[Month, Decimal]:
    """Month-by-month sum of several monthly series."""
    total: dict[Month, Decimal] = {}
    for values in series:
        for month, amount in (values or {}).items():
            total[month] = total.get(month, ZERO) + amount
    return total
