"""Azure consumption budgets derived from a business case: one per cloud-run line for one financial year.

A pure function: the Pulumi program reads its config (financial year, thresholds, e-mails), calls
`budget_specs`, and hands the result to `estate.components.budgets.BusinessCaseBudgets`.

A line's amount for a financial year is the sum, month by month, of its value in the case period holding
that month divided by that period's months (a calendar-year case's 2020/21 is 9/12 of 2020 + 3/12 of 2021),
in whole currency units (the case's thousands multiplied out), rounded half-up to the penny.
"""

from __future__ import annotations

import decimal
from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from costing.business_case.model import BusinessCase, Line
from estate.foundation.email import check_email
from estate.foundation.errors import UsageError
from estate.foundation.periods import Month, Period, parse_period

ThresholdType = Literal["Actual", "Forecasted"]
BeyondHorizon = Literal["error", "carry-forward"]
# Azure allows at most five notifications on one budget; thresholds are percentages from 0 to 1000.
MAX_ALERTS = 5
MAX_THRESHOLD_PERCENT = Decimal(1000)
DEFAULT_ACTUAL_THRESHOLDS_PERCENT = (Decimal(80), Decimal(100))
DEFAULT_FORECAST_THRESHOLDS_PERCENT = (Decimal(100),)
_CONTEXT = decimal.Context(prec=40)


@dataclass(frozen=True)
class BudgetAlert:
    """Send the budget's e-mails when actual (or forecast) cost passes this percentage of the amount."""

    threshold_percent: Decimal
    threshold_type: ThresholdType


@dataclass(frozen=True)
class BudgetSpec:
    """One budget: a business-case line's cloud run cost for one financial year, in whole currency units."""

    name: str
    line: str
    amount: Decimal
    currency: str
    start_date: date
    end_date: date
    alerts: tuple[BudgetAlert, ...]
    contact_emails: tuple[str, ...]
    basis: str


def budget_specs(
    case: BusinessCase,
    financial_year: str,
    *,
    contact_emails: tuple[str, ...] | list[str],
    actual_thresholds_percent: tuple[Decimal, ...] | list[Decimal] = DEFAULT_ACTUAL_THRESHOLDS_PERCENT,
    forecast_thresholds_percent: tuple[Decimal, ...] | list[Decimal] = DEFAULT_FORECAST_THRESHOLDS_PERCENT,
    beyond_horizon: BeyondHorizon = "error",
) -> list[BudgetSpec]:
    """A budget per cloud-run line of the case for `financial_year` ('2026/27'); lines costing 0 that year get none.

    `beyond_horizon="carry-forward"` prices months after the case's last period at that period's run rate
    (the case's "ongoing costs per annum"); the default refuses, naming the case's last period.
    """
    year = _financial_year(case, financial_year)
    alerts = _alerts(actual_thresholds_percent, forecast_thresholds_percent)
    emails = tuple(_email(text) for text in contact_emails)
    if not emails:
        raise UsageError("budgets need at least one contact e-mail for their alerts; give --email, or set "
                         "organisation.contact_emails in the estate definition")
    specs = []
    for line in case.lines:
        if line.kind != "cloud-run":
            continue
        amount_in_case_unit, basis = _amount_for_year(case, line, year, beyond_horizon)
        amount = (amount_in_case_unit * case.unit_multiplier).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if amount <= 0:
            continue
        specs.append(BudgetSpec(
            name=budget_name(line.id, year), line=line.id, amount=amount, currency=case.currency,
            start_date=year.start, end_date=year.end, alerts=alerts, contact_emails=emails, basis=basis,
        ))
    return specs


def budget_name(line_id: str, year: Period) -> str:
    """'azure-costs-sungard' and 2026/27 -> 'azure-costs-sungard-fy2026-27' (Azure allows 63 characters)."""
    return f"{line_id}-fy{year.label.replace('/', '-')}"[:63]


def _email(text: str) -> str:
    try:
        return check_email(text)
    except ValueError as exc:
        raise UsageError(f"--email: {exc}; give an address such as finance@council.gov.uk") from exc


def _financial_year(case: BusinessCase, label: str) -> Period:
    try:
        year = parse_period(label, case.financial_year_start_month)
    except ValueError as exc:
        raise UsageError(f"budget financial year: {exc}; write it as 2026/27") from exc
    if year.kind != "financial-year":
        raise UsageError(f"budget financial year: {label!r} is a {year.kind}; write a financial year such as 2026/27")
    return year


def _alerts(actual: tuple[Decimal, ...] | list[Decimal],
            forecast: tuple[Decimal, ...] | list[Decimal]) -> tuple[BudgetAlert, ...]:
    alerts = [BudgetAlert(Decimal(str(p)), "Actual") for p in actual]
    alerts += [BudgetAlert(Decimal(str(p)), "Forecasted") for p in forecast]
    if not alerts or len(alerts) > MAX_ALERTS:
        raise UsageError(f"a budget takes 1 to {MAX_ALERTS} alert thresholds (actual and forecast together); "
                         f"got {len(alerts)}")
    for alert in alerts:
        if not 0 < alert.threshold_percent <= MAX_THRESHOLD_PERCENT:
            raise UsageError(f"budget alert threshold {alert.threshold_percent}% is out of range; give a percentage "
                             f"above 0 and at most {MAX_THRESHOLD_PERCENT}")
    repeated = [alert for alert, count in Counter(alerts).items() if count > 1]
    if repeated:
        raise UsageError(f"budget alert threshold {repeated[0].threshold_percent}% ({repeated[0].threshold_type}) "
                         "is given twice; give each threshold once")
    return tuple(alerts)


def _amount_for_year(case: BusinessCase, line: Line, year: Period,
                     beyond_horizon: BeyondHorizon) -> tuple[Decimal, str]:
    periods = case.period_list()
    last = periods[-1]
    used: Counter[int] = Counter()
    carried = 0
    for month in year.month_list():
        index = _period_index(periods, month)
        if index is None and month > last.last_month and beyond_horizon == "carry-forward":
            index, carried = len(periods) - 1, carried + 1
        elif index is None:
            raise UsageError(_outside_message(year, periods, beyond_horizon))
        used[index] += 1
    amount = Decimal(0)
    parts = []
    for index, months in sorted(used.items()):
        period = periods[index]
        share = _CONTEXT.divide(_CONTEXT.multiply(line.values[index], Decimal(months)), Decimal(period.months))
        amount = _CONTEXT.add(amount, share)
        parts.append(f"{months}/{period.months} of {period.label} ({line.values[index]} {case.money_unit})")
    basis = f"{year.label}: " + " + ".join(parts)
    if carried:
        basis += f"; {carried} months after {last.label} priced at {last.label}'s run rate (carried forward)"
    return amount, basis


def _period_index(periods: list[Period], month: Month) -> int | None:
    for index, period in enumerate(periods):
        if period.first_month <= month <= period.last_month:
            return index
    return None


def _outside_message(year: Period, periods: list[Period], beyond_horizon: BeyondHorizon) -> str:
    first, last = periods[0], periods[-1]
    text = (f"budget financial year {year.label} ({year.start.isoformat()} to {year.end.isoformat()}) is not covered "
            f"by the business case, which runs from {first.start.isoformat()} ({first.label}) to "
            f"{last.end.isoformat()} ({last.label})")
    if year.last_month > last.last_month and beyond_horizon == "error":
        return text + "; choose a year inside the case, or carry the last period's run rate forward (--carry-forward)"
    return text + "; choose a year inside the case"
