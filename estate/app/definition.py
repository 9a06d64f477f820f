"""Jobs on the estate definition: validate it, describe it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from estate.definition.loader import DEFAULT_ESTATE_FILE, load_estate
from estate.definition.model import Estate
from estate.definition.summary import EstateSummary, summarise


@dataclass(frozen=True)
class DescribedEstate:
    estate: Estate
    summary: EstateSummary


def describe_estate(path: Path = DEFAULT_ESTATE_FILE) -> DescribedEstate:
    """Read, schema-check and rule-check the estate definition (every problem located), then summarise it."""
    estate = load_estate(path)
    return DescribedEstate(estate, summarise(estate))
