"""The business case as data: lines x periods, savings measures, stated figures, and spend-mapping rules.

Pure data (pydantic v2), exact money (`Decimal`); amounts are in the case's `currency` and `unit` (the
council's case is in GBP thousands). Shape and per-field rules live here; rules that look across fields
(lengths match the periods, referenced lines exist) live in `costing.business_case.validation`, and what is
computed from the data lives in `costing.business_case.derive`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel as _BaseModel
from pydantic import BeforeValidator, ConfigDict, Field, StringConstraints, model_validator

from estate.foundation.periods import UK_FINANCIAL_YEAR_START_MONTH, Period, parse_period

GREEN_BOOK_DISCOUNT_RATE_PERCENT = Decimal("3.5")
UNIT_MULTIPLIERS = {"units": Decimal(1), "thousands": Decimal(1000), "millions": Decimal(1_000_000)}

LineKind = Literal["baseline", "legacy-run", "cloud-run", "retained-run", "management", "one-off"]
# What each kind means to a finance officer (shown in `estate case show` and the README).
LINE_KIND_MEANINGS: dict[str, str] = {
    "baseline": "what the current arrangement costs if nothing changes",
    "legacy-run": "run cost of the old platform while it is being left",
    "cloud-run": "Azure consumption (billed by Azure; budgets are set on these)",
    "retained-run": "run cost of what stays on site",
    "management": "management and support of the new platform",
    "one-off": "one-off migration / implementation cost",
}
RUN_KINDS: tuple[str, ...] = ("legacy-run", "cloud-run", "retained-run", "management")
Classification = Literal["capital", "revenue"]
Figure = Literal["baseline", "transformed", "benefit", "one-off", "net", "cumulative", "sum-of-lines",
                 "savings-measures", "payback-months", "npv"]
PER_PERIOD_FIGURES = ("baseline", "transformed", "benefit", "one-off", "net", "cumulative", "sum-of-lines")


def _number_not_text(value: Any) -> Any:
    # A quoted "1,872" or "£1,872" is a transcription slip, not a number: say so rather than guess.
    if isinstance(value, str):
        raise ValueError("amounts must be numbers, not text: write them without quotes, currency signs or "
                         "thousands separators, e.g. 1872")
    if isinstance(value, bool) or value is None:
        raise ValueError("amounts must be numbers: write 0 for an empty cell")
    return value


def _period_text(value: Any) -> Any:
    # YAML reads 2024 as a number and 2024/25 as text; a period label is a name, so keep its text.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


MAX_AMOUNT = Decimal(10) ** 15  # far above any public-sector case, far below where exact sums lose precision
Amount = Annotated[Decimal, BeforeValidator(_number_not_text),
                   Field(allow_inf_nan=False, ge=-MAX_AMOUNT, le=MAX_AMOUNT)]
PeriodLabel = Annotated[str, BeforeValidator(_period_text), StringConstraints(min_length=1)]
LineId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=60)]


class Spec(_BaseModel):
    """Base of every part of the case: unknown keys are errors, values are immutable once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Line(Spec):
    """One row of the financial case: an amount per period, of one kind, capital or revenue."""

    id: LineId
    label: str = Field(min_length=1)
    kind: LineKind
    classification: Classification
    values: list[Amount] = Field(min_length=1)
    in_totals: bool = True
    note: str = ""


class SavingsMeasure(Spec):
    """A further saving the case offers but does not count in its totals (e.g. Azure Hybrid Benefit)."""

    id: LineId
    label: str = Field(min_length=1)
    azure_monthly_cost: Amount | None = None
    monthly_saving: Amount
    note: str = ""

    @property
    def annual_saving(self) -> Decimal:
        return self.monthly_saving * 12


class StatedFigure(Spec):
    """A figure the case document states, to be compared with the one computed from its lines."""

    figure: Figure
    source: str = Field(min_length=1)
    lines: list[LineId] = []
    values: list[Amount] | None = None
    amount: Amount | None = None
    range: tuple[Amount, Amount] | None = None
    period: PeriodLabel | None = None
    from_period: PeriodLabel | None = None
    rounded_to: Amount | None = Field(None, gt=0)
    years: int | None = Field(None, ge=1, le=100)
    note: str = ""

    @model_validator(mode="after")
    def _one_way_of_stating(self) -> StatedFigure:
        given = [name for name in ("values", "amount", "range") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of 'values' (one per period), 'amount' or 'range' "
                             f"(got {', '.join(given) or 'none'})")
        if self.range is not None and self.figure != "payback-months":
            raise ValueError("'range' is only for figure payback-months (e.g. range: [18, 24])")
        if self.range is not None and self.range[0] > self.range[1]:
            raise ValueError(f"range {self.range[0]}..{self.range[1]} runs backwards; give [low, high]")
        if (self.figure == "sum-of-lines") != bool(self.lines):
            raise ValueError("'lines' goes with figure sum-of-lines, and sum-of-lines needs 'lines'")
        if self.period is not None and self.from_period is not None:
            raise ValueError("give 'period' or 'from_period', not both")
        picks_period = self.period is not None or self.from_period is not None
        if picks_period and (self.figure not in PER_PERIOD_FIGURES or self.values is not None):
            raise ValueError("'period' / 'from_period' pick periods of a per-period figure stated as 'amount'")
        if self.years is not None and self.figure != "savings-measures":
            raise ValueError("'years' is only for figure savings-measures (their annual saving times the years)")
        if self.values is not None and self.figure not in PER_PERIOD_FIGURES:
            raise ValueError(f"figure {self.figure} is one number: state it as 'amount'")
        return self


class MappingRule(Spec):
    """Where untagged Azure spend goes: the first rule whose patterns all match names the line.

    Patterns are shell-style globs (`*`, `?`, `[abc]`), matched without regard to case, against the FOCUS
    columns `ServiceName`, the resource group of `ResourceId`, and `SubAccountId` / `SubAccountName`.
    Spend carrying a `business-case-line` tag never reaches these rules.
    """

    line: LineId
    service: str | None = Field(None, min_length=1)
    resource_group: str | None = Field(None, min_length=1)
    subscription: str | None = Field(None, min_length=1)
    note: str = ""

    @model_validator(mode="after")
    def _has_a_pattern(self) -> MappingRule:
        if self.service is None and self.resource_group is None and self.subscription is None:
            raise ValueError("a rule needs at least one of 'service', 'resource_group' or 'subscription'")
        return self


class BusinessCase(Spec):
    """The financial case of a business case: what it costs and saves, period by period."""

    version: Literal[1] = 1
    name: str = Field(min_length=1)
    organisation: str = Field(min_length=1)
    source: str = ""
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
    unit: Literal["units", "thousands", "millions"]
    financial_year_start_month: int = Field(UK_FINANCIAL_YEAR_START_MONTH, ge=2, le=12)
    discount_rate_percent: Decimal = Field(GREEN_BOOK_DISCOUNT_RATE_PERCENT, ge=0, le=100, allow_inf_nan=False)
    periods: list[PeriodLabel] = Field(min_length=1)
    lines: list[Line] = Field(min_length=1)
    savings_measures: list[SavingsMeasure] = []
    stated: list[StatedFigure] = []
    rules: list[MappingRule] = []

    @property
    def unit_multiplier(self) -> Decimal:
        """How many currency units one amount in the case stands for (1,000 for 'thousands')."""
        return UNIT_MULTIPLIERS[self.unit]

    @property
    def money_unit(self) -> str:
        """'GBP thousands', 'GBP'."""
        return self.currency if self.unit == "units" else f"{self.currency} {self.unit}"

    def period_list(self) -> list[Period]:
        """The periods as `Period`s (the loader has checked every label parses)."""
        return [parse_period(label, self.financial_year_start_month) for label in self.periods]

    def line(self, line_id: str) -> Line:
        for line in self.lines:
            if line.id == line_id:
                return line
        raise KeyError(line_id)
