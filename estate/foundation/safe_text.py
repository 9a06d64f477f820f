"""Data shown or written by estate never acts as code: no live spreadsheet formula, no terminal markup or escape
sequence, no Markdown break-out.

- `cell_text(value)`: OWASP's CSV-injection rule: a string starting with `=`, `+`, `-`, `@`, tab or CR gets a
  leading single quote, so Excel, LibreOffice and Sheets show it as text. Numbers (and decimal strings such as
  `-1.50`) are left alone: a negative amount is a number, not a formula.
- `neutralise_workbook(book)`: the same for every string cell of an openpyxl workbook, written as a string
  (data type `s`), never a formula.
- `plain_text(value)`: control characters (C0 but tab/newline, DEL, C1, which includes the 8-bit CSI) removed.
- `terminal_text(value)`: `plain_text` then Rich's markup escape (`[link=...]` stays text).
- `markdown_code(value)` / `markdown_cell(value)`: a value inside a Markdown code span / table cell.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def needs_quote(value: str) -> bool:
    return value.startswith(FORMULA_STARTS) and value != "-" and not _NUMBER.fullmatch(value)


def cell_text(value: Any) -> Any:
    """A value for a CSV/XLSX cell: strings that a spreadsheet would run as a formula get a leading `'`."""
    if isinstance(value, str) and needs_quote(value):
        return "'" + value
    return value


def csv_row(values: list[Any]) -> list[Any]:
    return [cell_text(value) for value in values]


def neutralise_workbook(book: Any) -> int:
    """Quote every string cell of an openpyxl workbook that would be a formula; return how many were changed."""
    changed = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, str) and (cell.data_type == "f" or needs_quote(value)):
                    cell.value = "'" + value if needs_quote(value) else value
                    cell.data_type = "s"
                    changed += 1
    return changed


def plain_text(value: Any) -> str:
    """`str(value)` without control characters (escape sequences cannot reach the terminal)."""
    return _CONTROL.sub("", str(value))


def markdown_code(value: Any) -> str:
    """`value` as a Markdown code span that it cannot close: the fence is longer than any backtick run inside,
    pipes are escaped for tables, and newlines become spaces."""
    text = plain_text(value).replace("\n", " ").replace("\r", " ").replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def markdown_cell(value: Any) -> str:
    """`value` as plain text in a Markdown table cell: pipes, backticks and markup characters escaped."""
    text = plain_text(value).replace("\n", " ").replace("\r", " ")
    return re.sub(r"([\\`*_{}\[\]<>()#+!|~])", r"\\\1", text)
