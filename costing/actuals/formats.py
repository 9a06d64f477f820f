"""Recognising an export by its header: FOCUS (1.0 or 1.2, Microsoft or FinOps Foundation) or legacy cost details.

The header is checked against Microsoft's FOCUS column catalogues in `costing/reference/`: required columns
must be present; the types of every catalogued column are checked row by row when the file is normalised.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from costing.actuals.schema import focus_catalogue
from estate.foundation.errors import CostDataError, InputError

FOCUS_REQUIRED = ("ChargePeriodStart", "ChargePeriodEnd", "BilledCost", "EffectiveCost", "ChargeCategory")
# Legacy cost details (EA and MCA, schema 2021-10-01 and 2023-05-01): names differ by agreement and case.
COST_DETAILS_REQUIRED = {
    "Date": ("Date", "UsageDate"),
    "Cost": ("CostInBillingCurrency", "Cost", "PreTaxCost"),
    "BillingCurrency": ("BillingCurrency", "BillingCurrencyCode", "Currency"),
}
# Both FOCUS samples write NULL for null; the FOCUS spec's correction examples write (null).
FOCUS_NULLS = ["", "NULL", "(null)"]
COST_DETAILS_NULLS = [""]


@dataclass(frozen=True)
class ExportFormat:
    """What kind of export a header belongs to, and how to read its cells."""

    name: str  # focus or cost-details
    focus_version: str | None
    null_values: list[str]
    columns: dict[str, str] = field(default_factory=dict)  # canonical name -> name as written in the file
    ignored_columns: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"focus-{self.focus_version}" if self.name == "focus" else "ea-cost-details"


def detect_format(header: list[str], display_name: str, *, has_currency_option: bool) -> ExportFormat:
    """Name the format of a header, or raise an InputError saying which columns are missing."""
    present = set(header)
    if {"ChargePeriodStart", "BilledCost"} <= present:
        return _focus_format(header, display_name, has_currency_option)
    by_lower = {name.lower(): name for name in header}
    found = {canonical: next((by_lower[a.lower()] for a in aliases if a.lower() in by_lower), None)
             for canonical, aliases in COST_DETAILS_REQUIRED.items()}
    if found["Date"] and found["Cost"]:
        if not found["BillingCurrency"] and not has_currency_option:
            raise _missing(display_name, "cost-details", ["BillingCurrency"], currency_hint=True)
        columns = {name: name for name in header}
        columns.update({canonical: written for canonical, written in found.items() if written})
        return ExportFormat("cost-details", None, COST_DETAILS_NULLS, columns)
    shown = ", ".join(header[:12]) + (", ..." if len(header) > 12 else "")
    raise CostDataError(
        f"{display_name}: the header is neither a FOCUS cost export (needs ChargePeriodStart, BilledCost, "
        f"EffectiveCost, ...) nor an EA/MCA cost-details export (needs Date, Cost or CostInBillingCurrency, "
        f"BillingCurrency); it has: {shown}. Point estate at a Cost Management export file",
        file=display_name,
    )


def _focus_format(header: list[str], display_name: str, has_currency_option: bool) -> ExportFormat:
    missing = [name for name in FOCUS_REQUIRED if name not in header]
    if "BillingCurrency" not in header and not has_currency_option:
        missing.append("BillingCurrency")
    if missing:
        raise _missing(display_name, "FOCUS", missing, currency_hint=missing == ["BillingCurrency"])
    only_in_12 = set(focus_catalogue("1.2")) - set(focus_catalogue("1.0"))
    version = "1.2" if only_in_12 & set(header) else "1.0"
    known = set(focus_catalogue("1.2")) | set(focus_catalogue("1.0")) | {"AvailabilityZone"}
    ignored = tuple(name for name in header if name not in known)
    return ExportFormat("focus", version, FOCUS_NULLS, {name: name for name in header}, ignored)


def _missing(display_name: str, kind: str, missing: list[str], *, currency_hint: bool) -> InputError:
    hint = ("the file has no currency column: pass --currency with the billing currency (e.g. --currency GBP)"
            if currency_hint else "check the file is a complete Cost Management export with its header row")
    return InputError(f"{display_name}: {kind} header is missing {', '.join(missing)}; {hint}", file=display_name)
