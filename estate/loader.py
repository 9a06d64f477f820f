"""Load an estate definition: YAML -> validated `Estate`, or one error listing every problem with its line."""

from __future__ import annotations

from pathlib import Path

from estate.errors import ValidationError
from estate.model import Estate
from estate.rules import check_estate
from estate.yamlfile import locate, read_yaml, validate

DEFAULT_ESTATE_FILE = Path("stacks/estate.yaml")


def load_estate(path: str | Path = DEFAULT_ESTATE_FILE) -> Estate:
    """Read, validate and cross-check an estate file; raise `ValidationError` naming every problem."""
    document = read_yaml(path, what="estate definition")
    estate = validate(document, Estate)
    problems = locate(document, check_estate(estate))
    if problems:
        raise ValidationError(document.file, problems)
    return estate
