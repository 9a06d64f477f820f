"""The result of a reconciliation: per line and period, case vs actual (vs estimate), and the benefit position.

Pure data. Every amount is an exact `Decimal` in whole units of `Reconciliation.currency` (the case's
thousands multiplied out); reports round for display only and compute nothing of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from costing.business_case.derive import Payback
from costing.business_case.periods import Month

PeriodStatus = Literal["closed", "open", "future"]
Rag = Literal["green", "amber", "red"]


@dataclass(frozen=True)
class Allocation:
    """How one line's spend was found: by tag, or by which rule (1-based, as written in the case)."""

    line: str
    how: str
    rows: int
    amount: Decimal


@dataclass(frozen=True)
class UnallocatedSpend:
    """Spend no tag or rule placed, by what identifies it."""

    service: str
    resource_group: str
    subscription: str
    line_tag: str
    amount: Decimal
    rows: int


@dataclass(frozen=True)
class RagThresholds:
    """Absolute variance, in % of the case, up to which a figure is green, then amber; red beyond."""

    green_percent: Decimal = Decimal(5)
    amber_percent: Decimal = Decimal(10)

    def describe(self) -> str:
        return (f"green when |variance| <= {self.green_percent}% of the case, amber <= {self.amber_percent}%, "
                "red beyond (or when there is spend and the case has none)")


@dataclass(frozen=True)
class PeriodFigures:
    """One line in one period of the case."""

    period: str
    status: PeriodStatus
    months: int
    months_with_actuals: int
    case: Decimal
    case_to_date: Decimal | None
    actual: Decimal | None
    variance: Decimal | None
    variance_percent: Decimal | None
    rag: Rag | None
    outturn: Decimal
    outturn_basis: str
    outturn_variance: Decimal
    estimate: Decimal | None = None
    estimate_to_date: Decimal | None = None
    actual_vs_estimate: Decimal | None = None


@dataclass(frozen=True)
class LineFigures:
    """A business-case line (or the unallocated spend) across every period."""

    id: str
    label: str
    kind: str
    measured: bool
    in_totals: bool
    periods: list[PeriodFigures]
    run_rate_monthly: Decimal | None
    actual_monthly: dict[Month, Decimal] = field(default_factory=dict)
    case_monthly: dict[Month, Decimal] = field(default_factory=dict)
    estimate_monthly: dict[Month, Decimal] = field(default_factory=dict)
    found_by: list[Allocation] = field(default_factory=list)


@dataclass(frozen=True)
class BenefitPeriod:
    """The case's net saving and cumulative position in one period: as planned and as re-forecast."""

    period: str
    basis: str
    plan_net: Decimal
    reforecast_net: Decimal
    plan_cumulative: Decimal
    reforecast_cumulative: Decimal


@dataclass(frozen=True)
class Benefit:
    """Cumulative benefit actual vs plan and the payback the actuals now point to."""

    periods: list[BenefitPeriod]
    plan_payback: Payback
    reforecast_payback: Payback
    convention: str


@dataclass(frozen=True)
class Provenance:
    """Where every figure came from, in words a finance officer can check."""

    case_file: str
    case_source: str
    store: str
    store_sources: list[str]
    files: int
    rows: int
    store_currencies: list[str]
    fx: str | None
    forecast_file: str | None
    forecast_note: str | None
    forecast_unpriced: int
    synthetic: bool
    notes: list[str]


@dataclass(frozen=True)
class Reconciliation:
    """Everything `estate cost reconcile` reports."""

    case_name: str
    organisation: str
    currency: str
    case_unit: str
    cost_column: str
    cost_column_meaning: str
    as_of: Month
    first_actual_month: Month | None
    periods: list[str]
    open_period: str | None
    thresholds: RagThresholds
    lines: list[LineFigures]
    unallocated: LineFigures
    unallocated_detail: list[UnallocatedSpend]
    azure_total: LineFigures
    benefit: Benefit
    months: list[Month]
    run_rate_months: int
    provenance: Provenance
    three_way: bool

    @property
    def money_unit(self) -> str:
        return self.currency
