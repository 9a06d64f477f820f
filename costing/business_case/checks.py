"""Consistency checks: every figure the case document states, compared with the one computed from its lines.

A mismatch is a warning that names both figures and where the document states it; it is never silently
"fixed". A stated figure written rounded (`rounded_to: 100` for "£2.5M" in thousands) is compared with the
computed figure rounded the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from costing.business_case.derive import ZERO, Derived
from costing.business_case.model import BusinessCase, StatedFigure
from estate.foundation.money import exact_amount

_DESCRIPTIONS = {
    "baseline": "baseline cost", "transformed": "transformed cost", "benefit": "benefit (baseline - transformed)",
    "one-off": "one-off cost", "net": "annual saving (benefit - one-off)", "cumulative": "cumulative position",
}


@dataclass(frozen=True)
class Check:
    """One stated figure against its computed counterpart."""

    what: str
    source: str
    stated: str
    computed: str
    ok: bool
    note: str = ""

    @property
    def warning(self) -> str:
        text = f"{self.what}: the case states {self.stated} ({self.source}) but computed from its lines it is " \
               f"{self.computed}"
        return f"{text}; {self.note}" if self.note else text


def check_stated(case: BusinessCase, derived: Derived) -> list[Check]:
    """Every stated figure of the case compared with the computed one, in the order the case lists them."""
    return [_check(case, derived, stated) for stated in case.stated]


def _check(case: BusinessCase, derived: Derived, stated: StatedFigure) -> Check:
    if stated.figure == "payback-months":
        return _payback_check(derived, stated)
    if stated.figure == "savings-measures" and stated.years is not None:
        return _amount_check(f"saving of the savings measures over {stated.years} years", stated,
                             derived.savings_measures_annual * stated.years, case.money_unit)
    if stated.figure == "savings-measures":
        return _amount_check("annual saving of the savings measures", stated, derived.savings_measures_annual,
                             case.money_unit)
    if stated.figure == "npv":
        return _amount_check(f"NPV at {derived.discount_rate_percent}%", stated, derived.npv, case.money_unit)
    series = _series(case, derived, stated)
    labels = [period.label for period in derived.periods]
    name = _DESCRIPTIONS.get(stated.figure) or f"sum of lines {' + '.join(stated.lines)}"
    if stated.values is not None:
        return _series_check(f"{name} by period", stated, stated.values, series, labels, case.money_unit)
    assert stated.amount is not None  # the model allows exactly one of values / amount / range
    if stated.from_period is not None:
        start = labels.index(stated.from_period)
        return _series_check(f"{name} in each period from {stated.from_period}", stated,
                             [stated.amount] * (len(labels) - start), series[start:], labels[start:], case.money_unit)
    if stated.period is not None:
        return _amount_check(f"{name} in {stated.period}", stated, series[labels.index(stated.period)],
                             case.money_unit)
    if stated.figure == "cumulative":
        return _amount_check(f"{name} at the end of {labels[-1]}", stated, series[-1], case.money_unit)
    return _amount_check(f"{name}, total over {labels[0]}-{labels[-1]}", stated, sum(series, ZERO), case.money_unit)


def _series(case: BusinessCase, derived: Derived, stated: StatedFigure) -> list[Decimal]:
    if stated.figure == "sum-of-lines":
        totals = [ZERO] * len(derived.periods)
        for line_id in stated.lines:
            totals = [total + value for total, value in zip(totals, case.line(line_id).values, strict=True)]
        return totals
    attribute = stated.figure.replace("-", "_")
    return list(getattr(derived, attribute))


def _amount_check(what: str, stated: StatedFigure, computed: Decimal, unit: str) -> Check:
    assert stated.amount is not None
    matches = _agrees(stated.amount, computed, stated.rounded_to)
    note = stated.note
    if not matches:
        difference = f"computed - stated = {exact_amount(computed - stated.amount)}"
        note = f"{difference}{_rounding(stated)}" + (f"; {note}" if note else "")
    return Check(what, stated.source, f"{exact_amount(stated.amount)} {unit}", f"{exact_amount(computed)} {unit}",
                 matches, note)


def _series_check(what: str, stated: StatedFigure, stated_values: list[Decimal], computed: list[Decimal],
                  labels: list[str], unit: str) -> Check:
    wrong = [label for label, said, found in zip(labels, stated_values, computed, strict=True)
             if not _agrees(said, found, stated.rounded_to)]
    note = stated.note
    if wrong:
        note = f"they differ in {', '.join(wrong)}{_rounding(stated)}" + (f"; {note}" if note else "")
    return Check(what, stated.source, f"{' / '.join(exact_amount(v) for v in stated_values)} {unit}",
                 f"{' / '.join(exact_amount(v) for v in computed)} {unit}", not wrong, note)


def _payback_check(derived: Derived, stated: StatedFigure) -> Check:
    payback = derived.payback
    start = derived.periods[0]
    what = f"payback in months from the start of {start.label}"
    low, high = stated.range if stated.range is not None else (stated.amount, stated.amount)
    assert low is not None and high is not None
    said = f"{exact_amount(low)}-{exact_amount(high)} months" if low != high else f"{exact_amount(low)} months"
    if payback.months is None:
        return Check(what, stated.source, said, f"not reached by the end of {derived.periods[-1].label}", False,
                     stated.note)
    months = payback.months
    if stated.rounded_to is not None:
        months = _round_to(months, stated.rounded_to)
    ok = low <= months <= high
    found = f"{months_text(payback.months)} months (cumulative position turns non-negative in {payback.period})"
    return Check(what, stated.source, said, found, ok, stated.note)


def _agrees(stated: Decimal, computed: Decimal, rounded_to: Decimal | None) -> bool:
    return stated == (computed if rounded_to is None else _round_to(computed, rounded_to))


def _round_to(value: Decimal, step: Decimal) -> Decimal:
    return (value / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step


def _rounding(stated: StatedFigure) -> str:
    return f" (comparing to the nearest {exact_amount(stated.rounded_to)}, as stated)" if stated.rounded_to else ""


def months_text(months: Decimal) -> str:
    """Months to two decimal places, for display."""
    return str(months.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
