"""Per line and period: case, actual, variance (absolute, %, F/A), RAG, year to date and the re-forecast outturn.

Conventions (each is printed in the report, and in docs/reconciliation.md):
- The case's amount for a period is spread evenly over its months; "case to date" is that spread over the
  months of the period that have actuals for the line (from the first month its sources cover to the as-of).
- A line's actuals are its Azure spend, its ledger entries, or both; months before its sources begin have
  no actuals ("no actuals yet"), never the case's figure.
- Variance = actual - case to date; % is of the case to date; direction and RAG per `RagThresholds`.
- Re-forecast of the months after the as-of (and before the line's actuals begin), by `ReforecastMethod`:
  profile (default): the case's own amount for those months, times the year-to-date factor (actual / case
  over the line's months with actuals in the 12 to its last) when the adjustment is `ytd-variance`;
  run-rate: the average monthly actual of the last `RUN_RATE_MONTHS` months, for run-cost lines.
- Every money figure of a line-period is rounded half-up to the penny once, here.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from costing.reconcile.model import (
    BENEFIT_KINDS,
    ActualsStatus,
    Direction,
    PeriodFigures,
    PeriodStatus,
    Rag,
    RagThresholds,
)
from estate.foundation.periods import Month, Period

RUN_RATE_MONTHS = 3
_CONTEXT = decimal.Context(prec=40)
ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
PENNY = Decimal("0.01")


def pennies(value: Decimal) -> Decimal:
    """Half-up to the penny: the one rounding of a reported figure."""
    return value.quantize(PENNY, rounding=ROUND_HALF_UP, context=_CONTEXT)


@dataclass(frozen=True)
class Window:
    """The months with actuals for a line: from the first month its sources cover to the last (the as-of month,
    or the last month its sources hold when no as-of was asked for). `reported` is the reconciliation's as-of
    month, against which a period is closed, open or future."""

    first: Month | None
    as_of: Month
    reported: Month | None = None

    @property
    def status_month(self) -> Month:
        return self.reported or self.as_of

    def has_actuals(self, month: Month) -> bool:
        return self.first is not None and self.first <= month <= self.as_of


@dataclass(frozen=True)
class Reforecast:
    """How the months without actuals are forecast: `profile` or `run-rate`, and the profile's adjustment."""

    method: str = "profile"
    adjust: str = "ytd-variance"


@dataclass(frozen=True)
class Series:
    """What is known of one line: the case per period, and actuals (by source) and estimates per month."""

    case: list[Decimal]
    actual: dict[Month, Decimal] | None
    estimate: dict[Month, Decimal] | None
    runs_on: bool
    azure: dict[Month, Decimal] | None = None
    ledger: dict[Month, Decimal] | None = None
    kind: str = "cloud-run"
    # Azure actuals of a line Azure does not bill whole (a one-off, management...): the case's non-Azure
    # remainder stays in the outturn.
    partial: bool = False


def direction_of(variance: Decimal, kind: str) -> Direction:
    """Favourable or adverse: for a cost, spending less than the case is favourable; for a benefit, more."""
    more = variance > 0
    if kind in BENEFIT_KINDS:
        return "favourable" if variance >= 0 else "adverse"
    return "adverse" if more else "favourable"


def rag_of(variance_percent: Decimal | None, variance: Decimal, thresholds: RagThresholds) -> Rag:
    """Green / amber / red: overspends against --green/--amber, underspends against their own pair; spend
    against a case of nothing is red."""
    if variance_percent is None:
        return "green" if variance == 0 else "red"
    if variance_percent >= 0:
        green, amber = thresholds.green_percent, thresholds.amber_percent
    else:
        green, amber = thresholds.underspend_green_percent, thresholds.underspend_amber_percent
    size = abs(variance_percent)
    if size <= green:
        return "green"
    return "amber" if size <= amber else "red"


def status_of(period: Period, as_of: Month) -> PeriodStatus:
    if period.last_month <= as_of:
        return "closed"
    return "open" if period.first_month <= as_of else "future"


def actuals_status_of(covered: int, months: int) -> ActualsStatus:
    if covered == 0:
        return "no actuals yet"
    return "actual" if covered == months else "actuals to date"


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


YTD_MONTHS = 12


def ytd_factor(series: Series, periods: list[Period], window: Window) -> Decimal:
    """Actual / case over the line's year to date: its months with actuals among the 12 ending at its last
    month of actuals (a rolling year, so one month into a new financial year is not the whole evidence), the
    case spread evenly over each period's months. 1 when that case is nothing or there are no actuals; never
    below 0 (net credits to date forecast no spend, not negative spend)."""
    if series.actual is None or window.first is None:
        return ONE
    months = [window.as_of.plus(-back) for back in range(YTD_MONTHS)]
    months = [month for month in months if window.has_actuals(month)]
    case_to_date = ZERO
    for period, case in zip(periods, series.case, strict=True):
        inside = sum(1 for month in months if period.first_month <= month <= period.last_month)
        if inside:
            case_to_date = _CONTEXT.add(case_to_date, spread(case, inside, period.months))
    if not months or case_to_date == 0:
        return ONE
    return max(ZERO, _CONTEXT.divide(_sum(series.actual, months), case_to_date))


def line_periods(series: Series, periods: list[Period], window: Window, thresholds: RagThresholds,
                 reforecast: Reforecast = Reforecast()) -> list[PeriodFigures]:
    """The figures of one line in every period of the case."""
    rate = run_rate(series.actual, window)
    factor = ytd_factor(series, periods, window) if reforecast.adjust == "ytd-variance" else ONE
    return [_period_figures(series, period, case, window, rate, factor, thresholds, reforecast)
            for period, case in zip(periods, series.case, strict=True)]


def _period_figures(series: Series, period: Period, case: Decimal, window: Window, rate: Decimal | None,
                    factor: Decimal, thresholds: RagThresholds, reforecast: Reforecast) -> PeriodFigures:
    months = period.month_list()
    measured = series.actual is not None
    covered = [month for month in months if measured and window.has_actuals(month)]
    case = pennies(case)
    case_to_date = actual = variance = percent = rag = direction = azure = ledger = None
    if covered:
        case_to_date = pennies(spread(case, len(covered), period.months))
        azure = pennies(_sum(series.azure, covered)) if series.azure is not None else None
        ledger = pennies(_sum(series.ledger, covered)) if series.ledger is not None else None
        if azure is None and ledger is None:  # a series given without its sources (unallocated spend)
            azure = pennies(_sum(series.actual, covered))
        actual = (azure or ZERO) + (ledger or ZERO)
        variance = actual - case_to_date
        percent = None if case_to_date == 0 else _CONTEXT.divide(variance * HUNDRED, case_to_date)
        rag = rag_of(percent, variance, thresholds)
        direction = direction_of(variance, series.kind)
    outturn, basis, short = _outturn(series, period, case, actual, covered, window, rate, factor, reforecast)
    estimate = estimate_to_date = against_estimate = None
    if series.estimate is not None:
        estimate = pennies(_sum(series.estimate, months))
        if covered:
            estimate_to_date = pennies(_sum(series.estimate, covered))
            against_estimate = actual - estimate_to_date
    return PeriodFigures(
        period=period.label, status=status_of(period, window.status_month), months=period.months,
        months_with_actuals=len(covered), case=case, case_to_date=case_to_date, actual=actual, variance=variance,
        variance_percent=percent, rag=rag, outturn=outturn, outturn_basis=basis, outturn_variance=outturn - case,
        estimate=estimate, estimate_to_date=estimate_to_date, actual_vs_estimate=against_estimate,
        actuals_status=actuals_status_of(len(covered), period.months), actual_azure=azure, actual_ledger=ledger,
        direction=direction, outturn_direction=direction_of(outturn - case, series.kind), reforecast_basis=short)


def _plural(count: int) -> str:
    return f"{count} month{'s' if count != 1 else ''}"


def _outturn(series: Series, period: Period, case: Decimal, actual: Decimal | None, covered: list[Month],
             window: Window, rate: Decimal | None, factor: Decimal, reforecast: Reforecast
             ) -> tuple[Decimal, str, str]:
    """Best estimate of the period's total, what it is made of in words, and its basis in one phrase."""
    if series.actual is None:
        return case, "case (no actuals for this line)", "case (no actuals)"
    months = period.month_list()
    after = [month for month in months if month > window.as_of]
    before = len(months) - len(covered) - len(after)  # months before the line's actuals begin: the case stands
    parts: list[str] = []
    rest = ZERO
    if covered:
        parts.append(f"actual {_plural(len(covered))}")
    uses_rate = reforecast.method == "run-rate" and series.runs_on and rate is not None and bool(after)
    if uses_rate:
        rest += _CONTEXT.multiply(rate, Decimal(len(after)))
        parts.append(f"run rate {_plural(len(after))}")
    elif after:
        rest += _CONTEXT.multiply(spread(case, len(after), period.months), factor)
        adjusted = "" if factor == ONE else f" x {pennies(factor * HUNDRED)}% (year-to-date actual / case)"
        parts.append(f"case profile {_plural(len(after))}{adjusted}")
    if before:
        rest += spread(case, before, period.months)
        parts.append(f"case {_plural(before)} (before actuals begin)")
    outturn = (actual or ZERO) + pennies(rest)
    remainder = series.partial and outturn < case
    if remainder:
        parts.append(f"non-Azure remainder of the case {case - outturn}")
        outturn = case
    basis = " + ".join(parts)
    if not covered:
        short = ("case (before actuals begin)" if not after else
                 "re-forecast (run rate)" if uses_rate else "re-forecast (case profile)")
    elif remainder:
        short = "actual + case remainder (not billed by Azure)"
    elif not after and not before:
        short = "actual"
    else:
        short = "actual + " + ("run rate" if uses_rate else "case profile")
    return outturn, basis, short


def _sum(values: dict[Month, Decimal] | None, months: Iterable[Month]) -> Decimal:
    if not values:
        return ZERO
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
            total[month] = _CONTEXT.add(total.get(month, ZERO), amount)
    return total
