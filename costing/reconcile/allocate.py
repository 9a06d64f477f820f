"""Allocating spend groups to business-case lines: the `business-case-line` tag, then the case's rules.

Spend that neither names a line nor matches a rule is **unallocated**: it is kept, summed and shown with
what it is (service, resource group, subscription), never dropped and never guessed into a line.
Amounts are converted into the case's currency here (one currency, or the store's FX table by month).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from costing.business_case.mapping import line_of
from costing.business_case.model import BusinessCase
from costing.reconcile.actuals import SpendGroup, StoreSpend
from costing.reconcile.model import Allocation, UnallocatedSpend
from estate.foundation.errors import InputError
from estate.foundation.periods import Month

UNALLOCATED = "(unallocated)"


@dataclass
class AllocatedSpend:
    """Monthly actual spend per line in the case's currency, unallocated spend, and how each was found."""

    currency: str
    monthly: dict[str, dict[Month, Decimal]] = field(default_factory=dict)
    unallocated_monthly: dict[Month, Decimal] = field(default_factory=dict)
    unallocated: list[UnallocatedSpend] = field(default_factory=list)
    allocations: list[Allocation] = field(default_factory=list)
    store_currencies: list[str] = field(default_factory=list)
    rows: int = 0

    @property
    def months(self) -> list[Month]:
        found = set(self.unallocated_monthly)
        for by_month in self.monthly.values():
            found |= set(by_month)
        return sorted(found)


def line_of_group(case: BusinessCase, group: SpendGroup, line_ids: set[str]) -> tuple[str | None, str]:
    """The line a spend group belongs to and how it was found ('tag', 'rule N'); (None, 'none') if neither."""
    return line_of(case, line_ids, line_tag=group.line_tag, service=group.service,
                   resource_group=group.resource_group, subscription_id=group.subscription_id,
                   subscription_name=group.subscription_name)


def allocate(case: BusinessCase, spend: StoreSpend) -> AllocatedSpend:
    """Convert every spend group into the case's currency and give it a line, or leave it unallocated."""
    currencies = sorted({group.currency for group in spend.groups})
    _check_currency(case, spend, currencies)
    result = AllocatedSpend(case.currency, store_currencies=currencies)
    line_ids = {line.id for line in case.lines}
    how_found: dict[tuple[str, str], list] = defaultdict(lambda: [0, Decimal(0)])
    unallocated: dict[tuple[str, str, str, str], list] = defaultdict(lambda: [Decimal(0), 0])
    for group in spend.groups:
        amount = spend.fx.convert(group.amount, group.currency, str(group.month)) if spend.fx else group.amount
        result.rows += group.rows
        line, how = line_of_group(case, group, line_ids)
        if line is None:
            result.unallocated_monthly[group.month] = result.unallocated_monthly.get(group.month, Decimal(0)) + amount
            key = (group.service or "", group.resource_group or "", group.subscription_name or group.subscription_id
                   or "", group.line_tag or "")
            unallocated[key][0] += amount
            unallocated[key][1] += group.rows
            continue
        by_month = result.monthly.setdefault(line, {})
        by_month[group.month] = by_month.get(group.month, Decimal(0)) + amount
        how_found[(line, how)][0] += group.rows
        how_found[(line, how)][1] += amount
    result.allocations = [Allocation(line, how, rows, amount) for (line, how), (rows, amount) in
                          sorted(how_found.items())]
    result.unallocated = sorted((UnallocatedSpend(*key, amount=amount, rows=rows) for key, (amount, rows) in
                                 unallocated.items()), key=lambda item: (-item.amount, item.service))
    return result


def _check_currency(case: BusinessCase, spend: StoreSpend, currencies: list[str]) -> None:
    if spend.fx is not None:
        if spend.fx.reporting_currency != case.currency:
            raise InputError(f"the FX table of the cost store {spend.store} converts into "
                             f"{spend.fx.reporting_currency} but the business case is in {case.currency}; load an FX "
                             f"table into {case.currency} with `estate cost load ... --fx-table FILE`")
        return
    other = [currency for currency in currencies if currency != case.currency]
    if other:
        raise InputError(
            f"the cost store {spend.store} holds spend in {', '.join(c or '(no currency)' for c in currencies)} but "
            f"the business case is in {case.currency}: figures in different currencies cannot be compared. Load "
            f"the spend with an FX table into {case.currency} (`estate cost load ... --fx-table FILE`, CSV "
            "from_currency,to_currency,month,rate with a rate for every month), or reconcile against a case in "
            f"{', '.join(currencies)}")
