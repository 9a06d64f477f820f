"""Load an estate definition: YAML -> validated `Estate`, or one error listing every problem with its line."""

from __future__ import annotations

from pathlib import Path

from estate.definition.model import Estate
from estate.definition.rules import check_estate
from estate.foundation.yamlfile import load_checked

DEFAULT_ESTATE_FILE = Path("stacks/estate.yaml")


def load_estate(path: str | Path = DEFAULT_ESTATE_FILE) -> Estate:
    """Read, validate and cross-check an estate file; raise `ValidationError` naming every problem."""
    return load_checked(path, Estate, check_estate, what="estate definition")
