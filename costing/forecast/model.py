"""The cost model's vocabulary: a resource as the parsers see it, and the cost components made from its spec.

Per type, `costing/forecast/specs.py` parses a resource's inputs into a typed spec (every default lives there) and
`costing/forecast/resources_*.py` turns the spec into `CostComponent`s: a name, a unit, a monthly quantity and a
`PriceQuery`; `costing/forecast/pricing.py` prices them. Quantities that no plan knows (egress GB, log GB a day,
backup GB) come from the usage file through `Resource.usage`.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from costing.prices.catalogue import PriceQuery
from estate.foundation.plan import UNKNOWN
from estate.foundation.reference import disk_tiers as reference_disk_tiers

HOURS_PER_MONTH = Decimal(730)
REFERENCE = Path(__file__).parent / "reference"


@dataclass(frozen=True)
class CostComponent:
    """One priced thing a resource costs each month, e.g. 730 hours of compute or one E10 disk-month.

    `monthly_quantity` is None when it depends on usage the plan does not know and the usage file does not say
    (`usage_key` names the usage-file key that would give it); `problem` says why no query could be made.
    """

    name: str
    unit: str
    monthly_quantity: Decimal | None
    query: PriceQuery | None
    usage_key: str | None = None
    problem: str = ""


@dataclass(frozen=True)
class Resource:
    """A plan resource as a cost function reads it: inputs by path, tags, region, and its usage figures."""

    urn: str
    type: str
    name: str
    inputs: Mapping[str, Any]
    region: str | None
    usage: Mapping[str, Decimal] = field(default_factory=dict)

    def get(self, path: str, default: Any = None) -> Any:
        """The input at a dotted path (`storageProfile.osDisk.diskSizeGB`); unknown values read as `default`."""
        node: Any = self.inputs
        for part in path.split("."):
            if not isinstance(node, Mapping) or part not in node:
                return default
            node = node[part]
        return default if node is None or node == UNKNOWN else node

    @property
    def tags(self) -> Mapping[str, str]:
        tags = self.get("tags", {})
        return tags if isinstance(tags, Mapping) else {}

    def usage_quantity(self, key: str, default: Decimal | None = None) -> Decimal | None:
        return self.usage.get(key, default)


MAX_QUANTITY = Decimal(10) ** 12


class BadQuantity(ValueError):
    """A plan input that should be a quantity is not one: the resource is listed as unpriced with this reason."""


def number(value: Any, *, allow_negative: bool = False) -> Decimal | None:
    """An input as a Decimal, or None when it is missing or unknown (Pulumi's unknown sentinel).

    Fails closed: text that is not a number, an object or list, a non-finite or huge value and (unless
    `allow_negative`) a negative one raise `BadQuantity`, so they are never priced as a default.
    """
    from estate.foundation.plan import UNKNOWN

    if value is None or value == UNKNOWN:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise BadQuantity(f"a quantity in its inputs is {str(value)[:60]!r} ({type(value).__name__}), not a number")
    try:
        amount = Decimal(str(value).strip())
    except ArithmeticError:
        raise BadQuantity(f"a quantity in its inputs is {str(value)[:60]!r}, not a number") from None
    if not amount.is_finite() or abs(amount) > MAX_QUANTITY:
        raise BadQuantity(f"a quantity in its inputs is {str(value)[:60]}, not a finite number up to 10^12")
    if amount < 0 and not allow_negative:
        raise BadQuantity(f"a quantity in its inputs is {amount}, which is negative")
    return amount


def disk_tiers() -> dict[str, list[tuple[int, str]]]:
    """Disk type family -> [(max size GiB, tier)], ascending (estate/foundation/reference/managed_disk_tiers.csv)."""
    return reference_disk_tiers()


@cache
def os_disk_minimums() -> dict[str, int]:
    """OS family (windows/linux) -> the smallest OS disk its images give, GiB."""
    with (REFERENCE / "os_disk_minimums.csv").open(newline="", encoding="utf-8") as handle:
        return {row["os_family"]: int(row["min_os_disk_gib"]) for row in csv.DictReader(handle)}
