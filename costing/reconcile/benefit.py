"""Cumulative benefit, payback, NPV and discounted payback: as planned and as re-forecast, on the same basis.

The plan is the case's own net saving (baseline - run costs - one-off costs) per period. The re-forecast is
the baseline less the outturn of every cost line in the totals and of the unallocated Azure spend (the
council pays it whichever line it belongs to): that is the outturn column of the "all costs" total, so the
benefit agrees with the totals. NPV discounts both with the case's own factors (year 0 = the case's first
period, not discounted; `costing.business_case.derive`), each period's discounted net rounded to the penny
and NPV their sum. Payback and discounted payback use the case's own rule (`derive.payback`) on both.
"""

from __future__ import annotations

import decimal

from costing.business_case.derive import Derived, payback, running_total
from costing.business_case.model import BusinessCase
from costing.reconcile.figures import direction_of, pennies
from costing.reconcile.model import Benefit, BenefitPeriod, LineFigures

_CONTEXT = decimal.Context(prec=40)
METHOD_WORDS = {
    "profile": "the case's own profile for the months after it",
    "run-rate": "run-rate extrapolation after it (the average monthly actual of the last {months} months, for "
                "run costs; the case for one-off lines)",
}
ADJUST_WORDS = {
    "none": "not adjusted",
    "ytd-variance": "adjusted by the year-to-date variance: each line's remaining case amounts times its actual / "
                    "case over its months with actuals in the 12 months to its last (never below 0)",
}


def reforecast_words(method: str, adjust: str, as_of: str, run_rate_months: int) -> str:
    words = METHOD_WORDS[method].format(months=run_rate_months)
    if method == "profile":
        words += f", {ADJUST_WORDS[adjust]}"
    return f"{method}: actuals up to {as_of}, then {words}"


def benefit_position(case: BusinessCase, derived: Derived, costs: LineFigures, as_of_text: str, method: str,
                     adjust: str, run_rate_months: int) -> Benefit:
    """Plan vs re-forecast net saving, cumulative and discounted position per period; paybacks and NPVs."""
    unit = case.unit_multiplier
    baseline = [pennies(value * unit) for value in derived.baseline]
    plan_costs = [period.case for period in costs.periods]
    reforecast_costs = [period.outturn for period in costs.periods]
    plan_net = [base - cost for base, cost in zip(baseline, plan_costs, strict=True)]
    reforecast_net = [base - cost for base, cost in zip(baseline, reforecast_costs, strict=True)]
    factors = derived.discount_factors
    plan_discounted = [pennies(_CONTEXT.multiply(net, factor)) for net, factor in zip(plan_net, factors, strict=True)]
    reforecast_discounted = [pennies(_CONTEXT.multiply(net, factor))
                             for net, factor in zip(reforecast_net, factors, strict=True)]
    plan_cumulative, reforecast_cumulative = running_total(plan_net), running_total(reforecast_net)
    plan_dc, reforecast_dc = running_total(plan_discounted), running_total(reforecast_discounted)
    words = reforecast_words(method, adjust, as_of_text, run_rate_months)
    periods = []
    for index, figures in enumerate(costs.periods):
        periods.append(BenefitPeriod(
            period=figures.period, basis=f"{figures.reforecast_basis} [{method}]", plan_net=plan_net[index],
            reforecast_net=reforecast_net[index], plan_cumulative=plan_cumulative[index],
            reforecast_cumulative=reforecast_cumulative[index], baseline=baseline[index],
            plan_costs=plan_costs[index], reforecast_costs=reforecast_costs[index],
            net_variance=reforecast_net[index] - plan_net[index],
            direction=direction_of(reforecast_net[index] - plan_net[index], "benefit"),
            discount_year=derived.discount_years[index], discount_factor=factors[index],
            plan_discounted_net=plan_discounted[index], reforecast_discounted_net=reforecast_discounted[index],
            plan_discounted_cumulative=plan_dc[index], reforecast_discounted_cumulative=reforecast_dc[index]))
    plan_npv, reforecast_npv = plan_dc[-1], reforecast_dc[-1]
    convention = (
        "Net saving = baseline - run costs - one-off costs (the case's own rule), with unallocated Azure spend "
        f"counted as a run cost. Re-forecast ({words}). Payback as in the case: the first period from which the "
        "cumulative position stays non-negative, in months from the start of the first period; discounted payback "
        "the same on the discounted position.")
    return Benefit(
        periods=periods, plan_payback=payback(plan_net, derived.periods),
        reforecast_payback=payback(reforecast_net, derived.periods), convention=convention, method=method,
        adjust=adjust, discount_rate_percent=derived.discount_rate_percent,
        discounting_convention=derived.convention + " Each period's discounted net is rounded to the penny and NPV "
        "is their sum.",
        plan_npv=plan_npv, reforecast_npv=reforecast_npv, npv_variance=reforecast_npv - plan_npv,
        npv_direction=direction_of(reforecast_npv - plan_npv, "benefit"),
        plan_discounted_payback=payback(plan_discounted, derived.periods),
        reforecast_discounted_payback=payback(reforecast_discounted, derived.periods))
