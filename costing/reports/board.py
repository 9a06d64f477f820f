"""What the board pack's first page shows, as plain rows shared by the HTML and XLSX summaries.

Nothing is computed here beyond picking figures out of the reconciliation: every amount is one of its exact
decimals (whole currency units); the renderers show them in the case's unit (`display.board_unit`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal

from costing.business_case.derive import Payback
from costing.reconcile.model import LineFigures, PeriodFigures, Reconciliation
from costing.reports.display import board_period, classification_of, direction_of, reported_lines, unmeasured_lines

NO_ACTUALS = "no actuals yet"
NOT_SPEND = "baseline: not spend"


@dataclass(frozen=True)
class BoardRow:
    """One line of the board table: the period a board looks at (the open one) for one line."""

    line: LineFigures
    period: PeriodFigures | None
    total: bool

    @property
    def label(self) -> str:
        return self.line.label

    @property
    def classification(self) -> str | None:
        return classification_of(self.line)

    @property
    def direction(self) -> str | None:
        return direction_of(self.period) if self.period else None

    @property
    def has_actuals(self) -> bool:
        return self.period is not None and self.period.actual is not None and self.period.months_with_actuals > 0


def board_rows(result: Reconciliation) -> list[BoardRow]:
    """Measured lines, then lines with no actuals, then unallocated spend and the Azure total."""
    measured = [line for line in reported_lines(result) if line not in (result.unallocated, result.azure_total)]
    lines = [*measured, *unmeasured_lines(result)]
    rows = [BoardRow(line, board_period(result, line), False) for line in lines]
    rows.append(BoardRow(result.unallocated, board_period(result, result.unallocated), False))
    rows.append(BoardRow(result.azure_total, board_period(result, result.azure_total), True))
    return rows


def period_heading(result: Reconciliation) -> str:
    """'2021, open: 4 of 12 months to 2021-04' for the board table's period."""
    period = board_period(result, result.azure_total)
    if period is None:
        return "no period with actuals"
    return (f"{period.period}, {period.status}: {period.months_with_actuals} of {period.months} months "
            f"to {result.as_of}")


@dataclass(frozen=True)
class PlanVsReforecast:
    """One measure of the case (payback, NPV, ...) as planned and as re-forecast."""

    measure: str
    plan: Payback | Decimal | None
    reforecast: Payback | Decimal | None


def plan_vs_reforecast(result: Reconciliation) -> list[PlanVsReforecast]:
    """Every `plan_X` / `reforecast_X` pair the benefit carries (payback today; NPV and discounted payback where
    the reconciliation has them), in the order the model declares them."""
    benefit = result.benefit
    names = [f.name for f in fields(benefit)] + [n for n in vars(benefit) if n not in {f.name for f in fields(benefit)}]
    found = []
    for name in names:
        if not name.startswith("plan_"):
            continue
        measure = name[len("plan_"):]
        if not hasattr(benefit, f"reforecast_{measure}"):
            continue
        plan, reforecast = getattr(benefit, name), getattr(benefit, f"reforecast_{measure}")
        if all(isinstance(v, Payback | Decimal) or v is None for v in (plan, reforecast)):
            found.append(PlanVsReforecast(measure.replace("_", " ").replace("npv", "NPV"), plan, reforecast))
    return found


def payback_text(value: Payback | None) -> str:
    if value is None or value.period is None:
        return "never (within the case's periods)"
    months = "" if value.months is None else f", {value.months.quantize(Decimal('0.1'), ROUND_HALF_UP)} months"
    return f"{value.period}{months}"


def unallocated_to_date(result: Reconciliation) -> Decimal:
    """Unallocated spend over every month reconciled (the model's own monthly figures, added)."""
    return sum(result.unallocated.actual_monthly.values(), Decimal(0))
