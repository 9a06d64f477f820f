"""The reconciliation as JSON (`--format json`): every figure as an exact decimal string in whole currency units.

Shape (docs/reconciliation.md describes every field)::

    {"report": "estate cost reconcile", "synthetic": bool, "case": {...}, "currency": "GBP", "unit": "GBP",
     "cost_column": "EffectiveCost", "as_of": "2021-04", "periods": [...], "open_period": "2021",
     "thresholds": {...}, "sign_convention": "...", "reforecast": {...}, "case_checks": [...],
     "case_warnings": [...], "lines": [LINE...], "unallocated": LINE, "unallocated_detail": [...],
     "azure_total": LINE, "totals": [LINE...], "benefit": {...}, "monthly": [...], "provenance": {...}}
    LINE = {"id", "label", "kind", "classification", "measured", "in_totals", "actuals_source", "sums",
            "run_rate_monthly", "found_by": [...], "notes": [...],
            "periods": [{"period", "status", "months", "months_with_actuals", "actuals_status", "case",
                         "case_to_date", "actual", "actual_azure", "actual_ledger", "variance",
                         "variance_percent", "direction", "rag", "outturn", "outturn_basis", "reforecast_basis",
                         "outturn_variance", "outturn_direction", "estimate", "estimate_to_date",
                         "actual_vs_estimate"}]}
"""

from __future__ import annotations

from dataclasses import asdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from costing.business_case.derive import Payback
from costing.reconcile.model import LineFigures, Reconciliation

CENT = Decimal("0.01")


def exact(value: Decimal | None) -> str | None:
    """A decimal as plain text without trailing zeros, to at most 6 places (None stays None)."""
    if value is None:
        return None
    text = format(value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def line_json(line: LineFigures) -> dict[str, Any]:
    return {
        "id": line.id, "label": line.label, "kind": line.kind, "classification": line.classification,
        "measured": line.measured, "in_totals": line.in_totals, "actuals_source": line.actuals_source,
        "sums": line.sums, "run_rate_monthly": exact(line.run_rate_monthly),
        "found_by": [{"how": item.how, "rows": item.rows, "amount": exact(item.amount)} for item in line.found_by],
        "notes": line.notes,
        "periods": [
            {"period": p.period, "status": p.status, "months": p.months, "months_with_actuals": p.months_with_actuals,
             "actuals_status": p.actuals_status, "case": exact(p.case), "case_to_date": exact(p.case_to_date),
             "actual": exact(p.actual), "actual_azure": exact(p.actual_azure), "actual_ledger": exact(p.actual_ledger),
             "variance": exact(p.variance), "variance_percent": percent(p.variance_percent),
             "direction": p.direction, "rag": p.rag, "outturn": exact(p.outturn), "outturn_basis": p.outturn_basis,
             "reforecast_basis": p.reforecast_basis, "outturn_variance": exact(p.outturn_variance),
             "outturn_direction": p.outturn_direction, "estimate": exact(p.estimate),
             "estimate_to_date": exact(p.estimate_to_date), "actual_vs_estimate": exact(p.actual_vs_estimate)}
            for p in line.periods],
    }


def payback_json(payback: Payback) -> dict[str, str | None]:
    months = None if payback.months is None else str(payback.months.quantize(CENT, rounding=ROUND_HALF_UP))
    return {"period": payback.period, "months": months}


def monthly_json(result: Reconciliation) -> list[dict[str, Any]]:
    """Per month: Azure actual, the case spread for the measured lines, the estimate, unallocated."""
    total = result.azure_total
    return [{"month": str(month), "actual": exact(total.actual_monthly.get(month, Decimal(0))),
             "case": exact(total.case_monthly.get(month)),
             "estimate": exact(total.estimate_monthly.get(month)) if result.three_way else None,
             "unallocated": exact(result.unallocated.actual_monthly.get(month, Decimal(0)))}
            for month in result.months]


def benefit_json(result: Reconciliation) -> dict[str, Any]:
    benefit = result.benefit
    return {
        "method": benefit.method, "adjust": benefit.adjust,
        "periods": [{"period": p.period, "basis": p.basis, "baseline": exact(p.baseline),
                     "plan_costs": exact(p.plan_costs), "reforecast_costs": exact(p.reforecast_costs),
                     "plan_net": exact(p.plan_net), "reforecast_net": exact(p.reforecast_net),
                     "net_variance": exact(p.net_variance), "direction": p.direction,
                     "plan_cumulative": exact(p.plan_cumulative),
                     "reforecast_cumulative": exact(p.reforecast_cumulative),
                     "discount_year": p.discount_year, "discount_factor": str(p.discount_factor.quantize(
                         Decimal("1e-12"), rounding=ROUND_HALF_UP)),
                     "plan_discounted_net": exact(p.plan_discounted_net),
                     "reforecast_discounted_net": exact(p.reforecast_discounted_net),
                     "plan_discounted_cumulative": exact(p.plan_discounted_cumulative),
                     "reforecast_discounted_cumulative": exact(p.reforecast_discounted_cumulative)}
                    for p in benefit.periods],
        "plan_payback": payback_json(benefit.plan_payback),
        "reforecast_payback": payback_json(benefit.reforecast_payback),
        "plan_discounted_payback": payback_json(benefit.plan_discounted_payback),
        "reforecast_discounted_payback": payback_json(benefit.reforecast_discounted_payback),
        "discount_rate_percent": str(benefit.discount_rate_percent),
        "plan_npv": exact(benefit.plan_npv), "reforecast_npv": exact(benefit.reforecast_npv),
        "npv_variance": exact(benefit.npv_variance), "npv_direction": benefit.npv_direction,
        "convention": benefit.convention,
        "discounting_convention": benefit.discounting_convention,
    }


def to_json(result: Reconciliation) -> dict[str, Any]:
    """The whole reconciliation as a JSON-ready dict."""
    thresholds = result.thresholds
    return {
        "report": "estate cost reconcile",
        "synthetic": result.provenance.synthetic,
        "case": {"name": result.case_name, "organisation": result.organisation, "unit": result.case_unit},
        "currency": result.currency,
        "unit": result.currency,
        "cost_column": result.cost_column,
        "cost_column_meaning": result.cost_column_meaning,
        "as_of": str(result.as_of),
        "first_actual_month": str(result.first_actual_month) if result.first_actual_month else None,
        "periods": result.periods,
        "open_period": result.open_period,
        "run_rate_months": result.run_rate_months,
        "three_way": result.three_way,
        "thresholds": {"green_percent": str(thresholds.green_percent),
                       "amber_percent": str(thresholds.amber_percent),
                       "underspend_green_percent": str(thresholds.underspend_green_percent),
                       "underspend_amber_percent": str(thresholds.underspend_amber_percent),
                       "rule": thresholds.describe()},
        "sign_convention": result.sign_convention,
        "reforecast": {"method": result.reforecast, "adjust": result.reforecast_adjust,
                       "labelled": f"{result.reforecast} re-forecast"
                                   + (f" ({result.reforecast_adjust})" if result.reforecast == "profile" else "")},
        "case_checks": [asdict(check) for check in result.case_checks],
        "case_warnings": result.case_warnings,
        "lines": [line_json(line) for line in result.lines],
        "unallocated": line_json(result.unallocated),
        "unallocated_detail": [dict(asdict(item), amount=exact(item.amount)) for item in result.unallocated_detail],
        "azure_total": line_json(result.azure_total),
        "totals": [line_json(total) for total in result.totals],
        "benefit": benefit_json(result),
        "monthly": monthly_json(result),
        "provenance": asdict(result.provenance),
    }
