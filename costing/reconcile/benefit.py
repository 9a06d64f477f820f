"""Cumulative benefit, actual vs plan, and the payback the actuals now point to.

The plan is the case's own net saving (benefit - one-off costs) and its running total. The re-forecast
replaces each line's case amount with its outturn (actuals where there are any, the run rate after the
as-of month for run costs, the case where nothing is measured), and counts unallocated Azure spend as a
run cost, because the council pays it whichever line it belongs to. Payback uses the case's own rule
(`costing.business_case.derive.payback`) on both.
"""

from __future__ import annotations

from decimal import Decimal

from costing.business_case.derive import Derived, payback, running_total
from costing.business_case.model import RUN_KINDS, BusinessCase
from costing.reconcile.model import Benefit, BenefitPeriod, LineFigures

ZERO = Decimal(0)


def benefit_position(case: BusinessCase, derived: Derived, lines: list[LineFigures], unallocated: LineFigures,
                     as_of_text: str) -> Benefit:
    """Plan vs re-forecast net saving and cumulative position per period, and both paybacks."""
    unit = case.unit_multiplier
    plan_net = [net * unit for net in derived.net]
    reforecast_net = []
    for index, baseline in enumerate(derived.baseline):
        run = sum((line.periods[index].outturn for line in lines if line.in_totals and line.kind in RUN_KINDS), ZERO)
        one_off = sum((line.periods[index].outturn for line in lines if line.in_totals and line.kind == "one-off"),
                      ZERO)
        run += unallocated.periods[index].outturn
        reforecast_net.append(baseline * unit - run - one_off)
    plan_cumulative = running_total(plan_net)
    reforecast_cumulative = running_total(reforecast_net)
    periods = [
        BenefitPeriod(period=figures.period, basis=_basis(figures.status, figures.months_with_actuals, figures.months),
                      plan_net=plan, reforecast_net=actual, plan_cumulative=plan_total,
                      reforecast_cumulative=actual_total)
        for figures, plan, actual, plan_total, actual_total in zip(
            unallocated.periods, plan_net, reforecast_net, plan_cumulative, reforecast_cumulative, strict=True)
    ]
    convention = (
        "Net saving = baseline - run costs - one-off costs (the case's own rule). Re-forecast: every line's "
        f"outturn in place of its case amount (actuals up to {as_of_text}, the run rate after it for run costs, "
        "the case where a line has no actuals), with unallocated Azure spend counted as a run cost. Payback as in "
        "the case: the first period from which the cumulative position stays non-negative, in months from the "
        "start of the first period.")
    return Benefit(periods=periods, plan_payback=derived.payback,
                   reforecast_payback=payback(reforecast_net, derived.periods), convention=convention)


def _basis(status: str, months_with_actuals: int, months: int) -> str:
    """What a period's re-forecast is made of, in words."""
    if status == "future":
        return "re-forecast (run rate)"
    if months_with_actuals == 0:
        return "case (no actuals yet)"
    if status == "open":
        return f"actual {months_with_actuals} months + run rate"
    return "actual" if months_with_actuals == months else f"actual {months_with_actuals} months + case"
