"""Price units: `100 Hours`, `1/Month`, `10K` -> a block size and the distinct unit it counts.

The table is Microsoft's (FinOps toolkit `PricingUnits.csv`, kept in `estate/foundation/reference/`); a unit it does not
know is read as "N <unit>" where the text starts with a number, else it stays unknown.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from estate.foundation.reference import reference_rows

_LEADING_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KM]?)\s*(.*)$")


@dataclass(frozen=True)
class PricingUnit:
    """How a price's `unitOfMeasure` counts: `block_size` distinct units per priced block."""

    unit_of_measure: str
    block_size: Decimal
    distinct_unit: str

    @property
    def is_hours(self) -> bool:
        return self.distinct_unit.lower() == "hours"


@cache
def _table() -> dict[str, PricingUnit]:
    table: dict[str, PricingUnit] = {}
    for row in reference_rows("PricingUnits.csv"):
        unit = PricingUnit(row["UnitOfMeasure"], Decimal(row["PricingBlockSize"]), row["DistinctUnits"])
        table.setdefault(row["UnitOfMeasure"].strip().lower(), unit)
    return table


@cache
def pricing_unit(unit_of_measure: str) -> PricingUnit | None:
    """The block size and distinct unit of a price's `unitOfMeasure`, or None when it cannot be read."""
    text = (unit_of_measure or "").strip()
    known = _table().get(text.lower())
    if known is not None:
        return known
    match = _LEADING_NUMBER.match(text)
    if not match:
        return None
    number, multiplier, rest = match.groups()
    block = Decimal(number) * {"": 1, "K": 1000, "M": 1000000}[multiplier]
    rest = rest.lstrip("/ ").strip()
    return PricingUnit(text, block, rest or "Units")
