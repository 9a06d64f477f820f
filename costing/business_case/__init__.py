"""The business case as code: lines x periods read from YAML, exact derived figures, and consistency checks.

Public API: `load_business_case`, `derive`, `check_stated`, `budget_specs`, `match_line`; the model types.
A business case is plain data: it knows nothing of actual spend (only reconciliation joins the two).
"""

from costing.business_case.budgets import BudgetAlert, BudgetSpec, budget_specs
from costing.business_case.checks import Check, check_stated
from costing.business_case.derive import Derived, Payback, derive
from costing.business_case.loader import DEFAULT_CASE_FILE, load_business_case
from costing.business_case.mapping import line_of, match_line
from costing.business_case.model import BusinessCase, Line, MappingRule, SavingsMeasure, StatedFigure
from estate.foundation.periods import Period, financial_year, financial_year_of, parse_period
from estate.foundation.tags import LINE_TAG

__all__ = [
    "DEFAULT_CASE_FILE",
    "LINE_TAG",
    "BudgetAlert",
    "BudgetSpec",
    "BusinessCase",
    "Check",
    "Derived",
    "Line",
    "MappingRule",
    "Payback",
    "Period",
    "SavingsMeasure",
    "StatedFigure",
    "budget_specs",
    "check_stated",
    "derive",
    "financial_year",
    "financial_year_of",
    "line_of",
    "load_business_case",
    "match_line",
    "parse_period",
]
