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


@dataclass(frozen=True)
class CaseSkeleton:
    written: Path
    case: BusinessCase


def init_case(estate_file: Path, baseline_annual: str, *, forecast: Path | None = None, first_year: int | None = None,
              years: int = 5, out: Path = Path("business-case.yaml"), force: bool = False) -> CaseSkeleton:
    """Start a business-case skeleton from an estate: a baseline, cloud-run lines from its forecast and
    retained-run lines from its retained hosts, each marked [assumption]; read back as `show_case` reads it
    before it is written."""
    import json
    import tempfile
    from decimal import Decimal, InvalidOperation

    from costing.business_case import financial_year_of, load_business_case
    from costing.business_case.skeleton import case_skeleton, skeleton_lines
    from estate.definition.loader import load_estate
    from estate.foundation.errors import InputError, UsageError
    from estate.foundation.files import write_atomic

    try:
        baseline = Decimal(baseline_annual.replace(",", ""))
    except InvalidOperation:
        raise UsageError(f"--baseline-annual {baseline_annual!r}: give a number such as 1872000") from None
    if not baseline.is_finite() or baseline < 0:
        raise UsageError(f"--baseline-annual {baseline_annual!r}: give a number of 0 or more")
    if out.exists() and not force:
        raise UsageError(f"{out}: already exists; give another --out, or --force to replace it")
    estate = load_estate(estate_file)
    document = None
    if forecast is not None:
        try:
            document = json.loads(forecast.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"{forecast}: not the JSON of `estate forecast --format json` ({exc})",
                             file=str(forecast)) from exc
    cloud, retained = skeleton_lines(estate, document, str(forecast) if forecast else "the forecast")
    start_month = estate.organisation.financial_year_start_month
    if first_year is None:
        first_year = int(financial_year_of(date.today(), start_month).label.split("/")[0])
    text = case_skeleton(name=f"{estate.organisation.name}: migration to Azure", organisation=estate.organisation.name,
                         currency=estate.organisation.billing_currency, first_year=first_year, years=years,
                         financial_year_start_month=start_month if start_month >= 2 else 4,
                         baseline_annual=baseline, cloud=cloud, retained=retained,
                         source=f"estate {estate_file}" + (f" and forecast {forecast}" if forecast else ""))
    with tempfile.TemporaryDirectory() as folder:  # check the skeleton as `estate case show` reads it, then write
        candidate = Path(folder) / out.name
        candidate.write_text(text, encoding="utf-8")
        case = load_business_case(candidate)
    return CaseSkeleton(write_atomic(out, text), case)
