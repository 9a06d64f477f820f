"""The result of a reconciliation: per line and period, case vs actual (vs estimate), and the benefit position.

Pure data. Every amount is an exact `Decimal` in whole units of `Reconciliation.currency` (the case's
thousands multiplied out). Each line-period money figure is rounded half-up to the penny once, where it is
made (from exact monthly sums); every total is the sum of those rows, so totals add up in every format.
Reports round nothing further for money and compute nothing of their own. docs/reconciliation.md documents
every field as the JSON report prints it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from costing.business_case.derive import Payback
from estate.foundation.periods import Month

PeriodStatus = Literal["closed", "open", "future"]
Rag = Literal["green", "amber", "red"]
Direction = Literal["favourable", "adverse"]
ActualsSource = Literal["azure", "ledger", "both", "none"]
ActualsStatus = Literal["no actuals yet", "actuals to date", "actual"]
ReforecastMethod = Literal["profile", "run-rate"]
ReforecastAdjust = Literal["none", "ytd-variance"]
REFORECAST_METHODS: tuple[str, ...] = ("profile", "run-rate")
REFORECAST_ADJUSTS: tuple[str, ...] = ("none", "ytd-variance")
DEFAULT_REFORECAST: ReforecastMethod = "profile"
DEFAULT_ADJUST: ReforecastAdjust = "ytd-variance"
# Kinds whose variance reads the other way: more than the case is good (a benefit, not a cost).
BENEFIT_KINDS: tuple[str, ...] = ("baseline", "benefit")

NEVER = Payback(None, None)
SIGN_CONVENTION = (
    "Variance = actual - case (positive: more than the case). For cost lines an underspend (negative variance) is "
    "favourable (F) and an overspend adverse (A); for benefit lines (the baseline, the net saving, NPV) the reverse: "
    "more than the case is favourable. A nil variance is favourable.")


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
    """|Variance| in % of the case up to which a figure is green, then amber, red beyond: one pair for an
    overspend (variance above the case), another for an underspend."""

    green_percent: Decimal = Decimal(5)
    amber_percent: Decimal = Decimal(10)
    underspend_green_percent: Decimal = Decimal(10)
    underspend_amber_percent: Decimal = Decimal(25)

    def describe(self) -> str:
        return (f"overspend green when variance <= {self.green_percent}% of the case, amber <= "
                f"{self.amber_percent}%, red beyond; underspend green when |variance| <= "
                f"{self.underspend_green_percent}%, amber <= {self.underspend_amber_percent}%, red beyond; red when "
                "there is spend and the case has none")


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
    actuals_status: ActualsStatus = "no actuals yet"
    actual_azure: Decimal | None = None
    actual_ledger: Decimal | None = None
    direction: Direction | None = None
    outturn_direction: Direction = "favourable"
    reforecast_basis: str = "case"


# The money fields of a PeriodFigures: a total's value in each is the sum of its rows' (None when all are None).
MONEY_FIELDS: tuple[str, ...] = ("case", "case_to_date", "actual", "actual_azure", "actual_ledger", "variance",
                                 "outturn", "outturn_variance", "estimate", "estimate_to_date",
                                 "actual_vs_estimate")


@dataclass(frozen=True)
class LineFigures:
    """A business-case line (or the unallocated spend, or a total of rows) across every period."""

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
    classification: str | None = None
    actuals_source: ActualsSource = "none"
    sums: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class BenefitPeriod:
    """The case's net saving and cumulative position in one period: as planned and as re-forecast."""

    period: str
    basis: str
    plan_net: Decimal
    reforecast_net: Decimal
    plan_cumulative: Decimal
    reforecast_cumulative: Decimal
    baseline: Decimal = Decimal(0)
    plan_costs: Decimal = Decimal(0)
    reforecast_costs: Decimal = Decimal(0)
    net_variance: Decimal = Decimal(0)
    direction: Direction = "favourable"
    discount_year: int = 0
    discount_factor: Decimal = Decimal(1)
    plan_discounted_net: Decimal = Decimal(0)
    reforecast_discounted_net: Decimal = Decimal(0)
    plan_discounted_cumulative: Decimal = Decimal(0)
    reforecast_discounted_cumulative: Decimal = Decimal(0)


@dataclass(frozen=True)
class Benefit:
    """Cumulative benefit actual vs plan, the paybacks and NPV the actuals now point to."""

    periods: list[BenefitPeriod]
    plan_payback: Payback
    reforecast_payback: Payback
    convention: str
    method: str = DEFAULT_REFORECAST
    adjust: str = DEFAULT_ADJUST
    discount_rate_percent: Decimal = Decimal("3.5")
    discounting_convention: str = ""
    plan_npv: Decimal = Decimal(0)
    reforecast_npv: Decimal = Decimal(0)
    npv_variance: Decimal = Decimal(0)
    npv_direction: Direction = "favourable"
    plan_discounted_payback: Payback = NEVER
    reforecast_discounted_payback: Payback = NEVER


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
    ledgers: list[str] = field(default_factory=list)
    ledger_entries: int = 0


@dataclass(frozen=True)
class CaseCheck:
    """A figure the case states, against the one computed from its lines (what `estate case show` flags)."""

    what: str
    source: str
    stated: str
    computed: str
    ok: bool
    warning: str


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
    totals: list[LineFigures] = field(default_factory=list)
    reforecast: str = DEFAULT_REFORECAST
    reforecast_adjust: str = DEFAULT_ADJUST
    sign_convention: str = SIGN_CONVENTION
    case_checks: list[CaseCheck] = field(default_factory=list)

    @property
    def money_unit(self) -> str:
        return self.currency

    @property
    def case_warnings(self) -> list[str]:
        return [check.warning for check in self.case_checks if not check.ok]
