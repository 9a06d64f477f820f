"""A ledger file (CSV or XLSX) into checked entries: exact decimals, one month each, every problem located.

Header, exactly and in this order: `period,line,amount,currency,supplier,reference,classification`.
- period: `YYYY-MM`, or a date `YYYY-MM-DD` (an XLSX date cell too): the month the spend falls in;
- line: a business-case line id; amount: whole currency units (pounds, not the case's thousands), exact,
  negative for a credit note; currency: ISO 4217 (`GBP`); supplier and reference: the invoice, unique per
  supplier; classification: `capital` or `revenue`.
Blank rows are skipped. The first problem stops the read, naming file, row (as a spreadsheet numbers it, the
header being row 1) and column.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from estate.foundation.errors import CostDataError, InputError
from estate.foundation.periods import Month

LEDGER_HEADER: tuple[str, ...] = ("period", "line", "amount", "currency", "supplier", "reference", "classification")
CLASSIFICATIONS = ("capital", "revenue")
MAX_ROWS = 1_000_000
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_DATE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])-(\d{2})$")
_LINE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class LedgerEntry:
    """One ledger row: a month's spend on a line, from one supplier's invoice."""

    period: Month
    line: str
    amount: Decimal
    currency: str
    supplier: str
    reference: str
    classification: str
    row: int

    @property
    def invoice(self) -> tuple[str, str]:
        """What makes an invoice unique: supplier and reference, compared without regard to case or spacing."""
        return (" ".join(self.supplier.split()).casefold(), " ".join(self.reference.split()).casefold())


def _problem(file: str, row: int, column: str, text: str) -> InputError:
    return InputError(f"{file}: row {row}, column {column!r}: {text}", file=file)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _period(value: object, file: str, row: int) -> Month:
    if isinstance(value, datetime | date):
        return Month(value.year, value.month)
    text = _text(value)
    if match := _MONTH.match(text):
        return Month(int(match[1]), int(match[2]))
    if _DATE.match(text):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            day = None
        if day is not None:
            return Month(day.year, day.month)
    raise _problem(file, row, "period", f"{text!r} is not a month or a date; write YYYY-MM (2021-03) or "
                   "YYYY-MM-DD (2021-03-31)")


def _amount(value: object, file: str, row: int) -> Decimal:
    if isinstance(value, bool):
        value = None
    if isinstance(value, int | float):
        value = repr(value) if isinstance(value, float) else str(value)
    text = _text(value)
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or not text:
        raise _problem(file, row, "amount", f"{text!r} is not a number; write the amount in whole currency units "
                       "without currency signs or thousands separators, e.g. 12500.00 (negative for a credit)")
    return amount


def _entry(values: list[object], file: str, row: int) -> LedgerEntry:
    cells = dict(zip(LEDGER_HEADER, values, strict=True))
    line = _text(cells["line"])
    if not _LINE.match(line):
        raise _problem(file, row, "line", f"{line!r} is not a business-case line id (lower-case letters, digits "
                       "and hyphens, as in the case's `lines`)")
    currency = _text(cells["currency"])
    if not _CURRENCY.match(currency):
        raise _problem(file, row, "currency", f"{currency!r} is not a currency code; write it as GBP")
    supplier, reference = _text(cells["supplier"]), _text(cells["reference"])
    for name, text in (("supplier", supplier), ("reference", reference)):
        if not text:
            raise _problem(file, row, name, f"the {name} is empty; every ledger row is one supplier's invoice")
    classification = _text(cells["classification"]).lower()
    if classification not in CLASSIFICATIONS:
        raise _problem(file, row, "classification", f"{_text(cells['classification'])!r} is not capital or revenue")
    return LedgerEntry(_period(cells["period"], file, row), line, _amount(cells["amount"], file, row), currency,
                       supplier, reference, classification, row)


def _rows_csv(data: bytes, file: str):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CostDataError(f"{file}: not UTF-8 text ({exc}); save the ledger as CSV UTF-8", file=file) from exc
    yield from enumerate(csv.reader(io.StringIO(text, newline="")), start=1)


def _rows_xlsx(data: bytes, file: str):
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise CostDataError(f"{file}: not a readable XLSX workbook ({type(exc).__name__}: {exc}); save the ledger as "
                            "an Excel workbook or CSV", file=file) from exc
    try:
        sheet = book.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(values)
    finally:
        book.close()


def parse_ledger(data: bytes, file: str) -> list[LedgerEntry]:
    """Every entry of a ledger file's bytes (`file` names it in errors; `.xlsx` is read as a workbook)."""
    rows = _rows_xlsx(data, file) if file.lower().endswith((".xlsx", ".xlsm")) else _rows_csv(data, file)
    entries: list[LedgerEntry] = []
    seen: dict[tuple[str, str], int] = {}
    header_seen = False
    for number, raw in rows:
        values = [_text(value) if not isinstance(value, datetime | date | int | float) else value for value in raw]
        while values and values[-1] in ("", None):
            values.pop()
        if not header_seen:
            _check_header([_text(value) for value in values], file)
            header_seen = True
            continue
        if not values:
            continue
        if len(values) > len(LEDGER_HEADER):
            raise _problem(file, number, LEDGER_HEADER[-1], f"{len(values)} cells but the header has "
                           f"{len(LEDGER_HEADER)}; remove the extra cells (quote a value holding a comma)")
        values += [""] * (len(LEDGER_HEADER) - len(values))
        entry = _entry(values, file, number)
        if entry.invoice in seen:
            raise _problem(file, number, "reference", f"invoice {entry.reference!r} of {entry.supplier!r} is also "
                           f"on row {seen[entry.invoice]}; each supplier's invoice is entered once (credit it on "
                           "a row of its own, with its own reference)")
        seen[entry.invoice] = number
        entries.append(entry)
        if len(entries) > MAX_ROWS:
            raise CostDataError(f"{file}: more than {MAX_ROWS:,} rows; split the ledger by year", file=file)
    if not header_seen:
        raise CostDataError(f"{file}: empty; a ledger starts with the header {','.join(LEDGER_HEADER)}", file=file)
    if not entries:
        raise CostDataError(f"{file}: a header but no rows; nothing to load", file=file)
    return entries


def _check_header(header: list[str], file: str) -> None:
    if tuple(header) == LEDGER_HEADER:
        return
    missing = [name for name in LEDGER_HEADER if name not in header]
    extra = [name for name in header if name not in LEDGER_HEADER]
    detail = "; ".join(part for part in (f"missing {', '.join(missing)}" if missing else "",
                                         f"not expected {', '.join(extra)}" if extra else "") if part)
    raise CostDataError(f"{file}: row 1: the header is {','.join(header) or '(empty)'} ({detail or 'out of order'}); "
                        f"a ledger's header is exactly {','.join(LEDGER_HEADER)}", file=file)


def read_ledger_file(path: Path) -> tuple[bytes, list[LedgerEntry]]:
    """The bytes of a ledger file and its entries."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise CostDataError(f"{path}: cannot read the ledger ({exc.strerror or exc})", file=str(path)) from exc
    return data, parse_ledger(data, str(path))
