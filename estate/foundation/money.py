"""Money as people read it. Amounts stay exact `Decimal`s everywhere; these only render them, and each says how.

- `exact_amount`: the figure exactly as it is, with thousands separators (a business case's own figures:
  `1,872`, `110.4`), `-` for none.
- `pennies`: rounded half-up to two places for display (`1,234.57`), an em dash for none.
- `pennies_in`: the same with its currency (`1,234.57 GBP`).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def exact_amount(value: Decimal | None) -> str:
    """1872 -> '1,872'; -94 -> '-94'; 110.4 -> '110.4' (exact: no rounding)."""
    if value is None:
        return "-"
    return f"{value.normalize():,f}" if value == value.to_integral_value() else f"{value:,f}"


def pennies(value: Decimal | None) -> str:
    """'1,234.57' (half-up to the penny); an em dash for no figure."""
    if value is None:
        return "—"
    return f"{value.quantize(CENT, rounding=ROUND_HALF_UP):,}"


def pennies_in(value: Decimal, currency: str) -> str:
    """'1,234.57 GBP' (half-up to the penny)."""
    return f"{value.quantize(CENT, rounding=ROUND_HALF_UP):,} {currency}"
