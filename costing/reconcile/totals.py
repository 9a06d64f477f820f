"""Totals of a reconciliation: each one the sum of its rows, money column by money column.

A total is never computed on its own terms (no run rate of its own, no case of its own): its value in every
money column of every period is the sum of its rows' values (`MONEY_FIELDS`), skipping rows with no figure
there, and it has no figure only when none of its rows has. Its percentage, RAG and direction follow from its
summed variance and case to date. So a total agrees with its lines in every report.
"""

from __future__ import annotations

import decimal
from decimal import Decimal

from costing.reconcile.figures import actuals_status_of, add_monthly, direction_of, rag_of
from costing.reconcile.model import MONEY_FIELDS, LineFigures, PeriodFigures, RagThresholds

_CONTEXT = decimal.Context(prec=40)
HUNDRED = Decimal(100)


def _add(values: list[Decimal | None]) -> Decimal | None:
    present = [value for value in values if value is not None]
    if not present:
        return None
    total = Decimal(0)
    for value in present:
        total = _CONTEXT.add(total, value)
    return total


def sum_rows(line_id: str, label: str, rows: list[LineFigures], thresholds: RagThresholds,
             template: LineFigures, kind: str = "total") -> LineFigures:
    """A total row: the sum of `rows` in every money column of every period (`template` gives the periods
    when there are no rows: a total of nothing is 0 in each period)."""
    periods = [_sum_period([row.periods[index] for row in rows], thresholds, kind, template.periods[index])
               for index in range(len(template.periods))]
    sources = {row.actuals_source for row in rows} - {"none"}
    source = "both" if "both" in sources or {"azure", "ledger"} <= sources else next(iter(sources), "none")
    return LineFigures(
        id=line_id, label=label, kind=kind, measured=any(row.measured for row in rows), in_totals=True,
        periods=periods, run_rate_monthly=_add([row.run_rate_monthly for row in rows]),
        actual_monthly=add_monthly(row.actual_monthly for row in rows),
        case_monthly=add_monthly(row.case_monthly for row in rows),
        estimate_monthly=add_monthly(row.estimate_monthly for row in rows),
        actuals_source=source, sums=[row.id for row in rows])


def _sum_period(rows: list[PeriodFigures], thresholds: RagThresholds, kind: str, first: PeriodFigures
                ) -> PeriodFigures:
    money = {name: _add([getattr(row, name) for row in rows]) for name in MONEY_FIELDS}
    money["case"] = money["case"] or Decimal(0)
    money["outturn"] = money["outturn"] or Decimal(0)
    money["outturn_variance"] = money["outturn_variance"] or Decimal(0)
    covered = max((row.months_with_actuals for row in rows), default=0)
    variance, case_to_date = money["variance"], money["case_to_date"]
    percent = rag = direction = None
    if variance is not None and case_to_date is not None:
        percent = None if case_to_date == 0 else _CONTEXT.divide(variance * HUNDRED, case_to_date)
        rag = rag_of(percent, variance, thresholds)
        direction = direction_of(variance, kind)
    bases = sorted({basis for row in rows for basis in row.reforecast_basis.split("; ") if basis})
    return PeriodFigures(
        period=first.period, status=first.status, months=first.months, months_with_actuals=covered,
        variance_percent=percent, rag=rag, direction=direction,
        outturn_basis=f"sum of {len(rows)} rows", reforecast_basis="; ".join(bases),
        outturn_direction=direction_of(money["outturn_variance"], kind),
        actuals_status=actuals_status_of(covered, first.months), **money)
