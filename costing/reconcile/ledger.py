"""Ledger actuals for the reconciliation: the store's ledger entries per line and month, in the case's currency.

Checks the entries against the case (every line exists and is not the baseline) and says what it left out
(entries after the as-of month) or what disagrees with the case (a row classified otherwise than its line).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from costing.actuals.fx import FxTable
from costing.business_case.model import BusinessCase
from costing.ledger.store import check_lines, stored_ledgers
from estate.foundation.errors import InputError
from estate.foundation.periods import Month


@dataclass
class LedgerActuals:
    """Monthly ledger spend per line (case currency), the first month the ledger covers, and notes."""

    monthly: dict[str, dict[Month, Decimal]] = field(default_factory=dict)
    first: Month | None = None
    last: Month | None = None
    origins: list[str] = field(default_factory=list)
    entries: int = 0
    notes: list[str] = field(default_factory=list)


def ledger_actuals(case: BusinessCase, store: Path, fx: FxTable | None, case_file: str,
                   as_of: Month | None) -> LedgerActuals:
    """Every ledger entry of the store placed on its line; entries after `as_of` left out and counted."""
    result = LedgerActuals()
    kinds = {line.id: line.kind for line in case.lines}
    classes = {line.id: line.classification for line in case.lines}
    later = 0
    differently: dict[str, int] = {}
    for ledger in stored_ledgers(store):
        result.origins.append(f"{ledger.origin} ({len(ledger.entries)} rows)")
        check_lines(ledger.entries, kinds, f"{ledger.origin} (in the ledger of cost store {store})", case_file)
        for entry in ledger.entries:
            result.entries += 1
            if as_of is not None and entry.period > as_of:
                later += 1
                continue
            amount = _in_case_currency(case, entry.amount, entry.currency, entry.period, fx, ledger.origin, entry.row)
            by_month = result.monthly.setdefault(entry.line, {})
            by_month[entry.period] = by_month.get(entry.period, Decimal(0)) + amount
            result.first = entry.period if result.first is None else min(result.first, entry.period)
            result.last = entry.period if result.last is None else max(result.last, entry.period)
            if entry.classification != classes[entry.line]:
                differently[entry.line] = differently.get(entry.line, 0) + 1
    if later:
        result.notes.append(f"{later} ledger rows dated after {as_of} are left out of this reconciliation")
    for line in sorted(line for line in result.monthly if kinds[line] == "cloud-run"):
        result.notes.append(f"the ledger holds rows on {line}, a cloud-run line whose Azure spend the cost store "
                            "measures too: both are added, so the ledger must not also hold the Azure invoice")
    for line, count in sorted(differently.items()):
        result.notes.append(f"{count} ledger rows on line {line} are classified otherwise than the case classifies "
                            f"the line ({classes[line]}); they are reported as the case classifies it")
    return result


def _in_case_currency(case: BusinessCase, amount: Decimal, currency: str, month: Month, fx: FxTable | None,
                      origin: str, row: int) -> Decimal:
    if currency == case.currency:
        return amount
    if fx is not None and fx.reporting_currency == case.currency:
        return fx.convert(amount, currency, str(month))
    raise InputError(f"{origin}: row {row}, column 'currency': {currency} but the business case is in "
                     f"{case.currency} and the cost store has no FX table into {case.currency}; load one with "
                     "`estate cost load ... --fx-table FILE`", file=origin)
