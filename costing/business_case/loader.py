"""Load a business case: YAML -> validated `BusinessCase`, or one error listing every problem with its line."""

from __future__ import annotations

from pathlib import Path

from costing.business_case.model import BusinessCase
from costing.business_case.validation import check_case
from estate.foundation.errors import CaseError
from estate.foundation.yamlfile import load_checked

DEFAULT_CASE_FILE = Path("stacks/business-case.yaml")


def load_business_case(path: str | Path = DEFAULT_CASE_FILE) -> BusinessCase:
    """Read, validate and cross-check a business-case file; raise `ValidationError` naming every problem."""
    if not Path(path).exists():
        raise CaseError(f"{path}: no such file; give the path to the business-case file "
                        f"(e.g. {DEFAULT_CASE_FILE})", file=str(path))
    return load_checked(path, BusinessCase, check_case, what="business case")
