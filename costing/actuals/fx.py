"""An FX table: monthly rates that convert every billing currency in a store into one reporting currency.

CSV `from_currency,to_currency,month,rate` where `rate` is units of `to_currency` per one `from_currency` for the
charge month `YYYY-MM`. Every row converts into the same `to_currency`. Without one, a store holds one currency.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from estate.foundation.errors import CostDataError
from estate.foundation.limits import fx_outlier, fx_outlier_message

FX_HEADER = ("from_currency", "to_currency", "month", "rate")


@dataclass(frozen=True)
class FxTable:
    """Rates by (currency, month) into `reporting_currency`."""

    reporting_currency: str
    rates: dict[tuple[str, str], Decimal]

    def convert(self, amount: Decimal, currency: str, month: str) -> Decimal:
        """`amount` in `currency` for charge month `month`, in the reporting currency (exact)."""
        if currency == self.reporting_currency:
            return amount
        rate = self.rates.get((currency, month))
        if rate is None:
            raise CostDataError(f"the FX table has no {currency}->{self.reporting_currency} rate for {month}; add a "
                                f"row '{currency},{self.reporting_currency},{month},RATE' and load it with --fx-table")
        return amount * rate


def parse_fx_table(data: bytes, name: str) -> FxTable:
    """Check and read an FX table; a wrong header, mixed targets or a bad rate is an InputError with its line."""
    try:
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    except UnicodeDecodeError as exc:
        raise CostDataError(f"{name}: not UTF-8 text ({exc})", file=name) from exc
    if not rows or not set(FX_HEADER) <= set(rows[0]):
        raise CostDataError(f"{name}: an FX table needs the header {','.join(FX_HEADER)} and one row per currency "
                            "and month (month YYYY-MM; rate = units of to_currency per from_currency)", file=name)
    targets = {row["to_currency"].strip() for row in rows}
    if len(targets) != 1:
        raise CostDataError(f"{name}: every row must convert into one reporting currency; found "
                            f"{', '.join(sorted(targets))}", file=name)
    rates: dict[tuple[str, str], Decimal] = {}
    for line, row in enumerate(rows, start=2):
        try:
            rate = Decimal(row["rate"].strip())
        except (InvalidOperation, AttributeError):
            rate = Decimal(0)
        if not rate.is_finite() or rate <= 0:
            raise CostDataError(f"{name}:{line}: rate {row['rate']!r} is not a positive number", file=name)
        key = (row["from_currency"].strip(), row["month"].strip())
        if key in rates:
            raise CostDataError(f"{name}:{line}: a second {key[0]} rate for {key[1]}; keep one rate per currency and "
                                "month", file=name)
        rates[key] = rate
    return FxTable(targets.pop(), rates)


def read_fx_file(path: Path, *, accept_outlier: bool = False) -> bytes:
    """The bytes of an FX table file after checking them (rates outside the sanity band need `accept_outlier`)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CostDataError(f"{path}: cannot read the FX table ({exc.strerror})", file=str(path)) from exc
    table = parse_fx_table(data, str(path))
    outliers = [(key, rate) for key, rate in table.rates.items() if fx_outlier(rate)]
    if outliers and not accept_outlier:
        (currency, month), rate = outliers[0]
        raise CostDataError(fx_outlier_message(f"{path}: {currency}->{table.reporting_currency} {month}", rate),
                         file=str(path))
    return data
