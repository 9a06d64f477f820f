"""Jobs on the business case: derive and check it, and the Azure budgets it sets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from costing.business_case import BudgetSpec, BusinessCase, Check, Derived

DEFAULT_CASE_FILE = Path("stacks/business-case.yaml")


@dataclass(frozen=True)
class CaseView:
    case: BusinessCase
    derived: Derived
    checks: list[Check]

    @property
    def disagreements(self) -> list[Check]:
        return [check for check in self.checks if not check.ok]


def show_case(path: Path = DEFAULT_CASE_FILE) -> CaseView:
    """The case, its derived figures (benefit, cumulative position, payback, NPV) and every stated-figure check."""
    from costing.business_case import check_stated, derive, load_business_case

    case = load_business_case(path)
    derived = derive(case)
    return CaseView(case, derived, check_stated(case, derived))


@dataclass(frozen=True)
class Budgets:
    case: BusinessCase
    financial_year: str
    specs: list[BudgetSpec]


def case_budgets(path: Path = DEFAULT_CASE_FILE, *, financial_year: str | None = None,
                 emails: list[str] | None = None, carry_forward: bool = False, today: date | None = None) -> Budgets:
    """The budgets the platform stack creates: one per cloud-run line for a financial year (default: the current)."""
    from costing.business_case import budget_specs, financial_year_of, load_business_case

    case = load_business_case(path)
    year = financial_year or financial_year_of(today or date.today(), case.financial_year_start_month).label
    specs = budget_specs(case, year, contact_emails=emails or [],
                         beyond_horizon="carry-forward" if carry_forward else "error")
    return Budgets(case, year, specs)
