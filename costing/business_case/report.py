"""A business case and what is derived from it, as the JSON that `estate case show --format json` prints.

Amounts are decimal strings in the case's currency and unit: line values exactly as written, sums exactly,
discounted figures and months rounded half-up to two decimal places (display only).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from costing.business_case.checks import Check
from costing.business_case.derive import Derived, Payback
from costing.business_case.model import BusinessCase

CENT = Decimal("0.01")


def rounded(value: Decimal) -> Decimal:
    """Half-up to two decimal places, for display."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def case_json(case: BusinessCase, derived: Derived, checks: list[Check]) -> dict[str, Any]:
    """The JSON document of `estate case show`."""
    return {
        "name": case.name,
        "organisation": case.organisation,
        "currency": case.currency,
        "unit": case.unit,
        "period_kind": derived.periods[0].kind,
        "periods": [period.label for period in derived.periods],
        "lines": [
            {"name": line.id, "label": line.label, "kind": line.kind, "classification": line.classification,
             "in_totals": line.in_totals, "values": _exact(line.values)}
            for line in case.lines
        ],
        "savings_measures": [
            {"name": measure.id, "label": measure.label, "monthly_saving": str(measure.monthly_saving),
             "annual_saving": str(measure.annual_saving)}
            for measure in case.savings_measures
        ],
        "derived": _derived_json(derived),
        "checks": [
            {"what": check.what, "source": check.source, "stated": check.stated, "computed": check.computed,
             "ok": check.ok}
            for check in checks
        ],
        "warnings": [check.warning for check in checks if not check.ok],
    }


def _derived_json(derived: Derived) -> dict[str, Any]:
    return {
        "baseline": _exact(derived.baseline),
        "transformed": _exact(derived.transformed),
        "benefit": _exact(derived.benefit),
        "one_off": _exact(derived.one_off),
        "net": _exact(derived.net),
        "cumulative": _exact(derived.cumulative),
        "capital": _exact(derived.capital),
        "revenue": _exact(derived.revenue),
        "payback": payback_json(derived.payback),
        "npv": str(rounded(derived.npv)),
        "discount_rate_percent": str(derived.discount_rate_percent),
        "discount_years": derived.discount_years,
        "discounted_cumulative": [str(rounded(value)) for value in derived.discounted_cumulative],
        "discounted_payback": payback_json(derived.discounted_payback),
        "convention": derived.convention,
        "savings_measures_annual": str(derived.savings_measures_annual),
        "outside_totals": derived.outside_totals,
    }


def payback_json(payback: Payback) -> dict[str, str | None]:
    """{"period": "2022", "months": "37.26"}; both null when the case never pays back."""
    months = None if payback.months is None else str(rounded(payback.months))
    return {"period": payback.period, "months": months}


def _exact(values: list[Decimal]) -> list[str]:
    return [str(value) for value in values]
