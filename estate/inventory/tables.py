"""Sheets of an inventory: an `.xlsx` workbook (read with calamine, a Rust reader about ten times faster than
openpyxl on big exports) or a folder with one CSV per sheet.

Headers are matched loosely: case, spacing, a leading `*` (Azure Migrate's mandatory marker) and the
unit spelling ("MB"/"MiB", "(In MB)") do not matter, and columns may come in any order with extras.
Every problem names the file, sheet, row and column.
"""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from estate.foundation.errors import InputError

_UNITS = {"mb": "mib", "mib": "mib", "gb": "gib", "gib": "gib", "kb": "kib", "kib": "kib"}


def normalise_header(text: object) -> str:
    """`*Memory (In MB)` -> `memory mib`; `Provisioned MB` -> `provisioned mib`; `IPv4 Address` -> `ipv4 address`."""
    tokens = re.findall(r"[a-z0-9%#]+", str(text or "").lower())
    out: list[str] = []
    for index, token in enumerate(tokens):
        if token == "in" and index + 1 < len(tokens) and tokens[index + 1] in _UNITS:
            continue
        out.append(_UNITS.get(token, token))
    return " ".join(out)


@dataclass
class Sheet:
    """One sheet: its header (normalised -> column index) and its data rows with their 1-based row numbers."""

    file: str
    name: str
    header: list[str]
    rows: list[tuple[int, tuple[Any, ...]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._index: dict[str, int] = {}
        for position, title in enumerate(self.header):
            self._index.setdefault(normalise_header(title), position)

    def where(self, row: int | None = None, column: str | None = None) -> str:
        text = f"{self.file}: sheet {self.name}"
        if row is not None:
            text += f" row {row}"
        if column is not None:
            text += f" column {column!r}"
        return text

    def find(self, *names: str) -> int | None:
        """The index of the first of `names` (any spelling) present in the header, or None."""
        for name in names:
            position = self._index.get(normalise_header(name))
            if position is not None:
                return position
        return None

    def require(self, *names: str) -> int:
        position = self.find(*names)
        if position is None:
            raise InputError(f"{self.where(1)}: no column {names[0]!r}"
                             + (f" (or {', '.join(repr(n) for n in names[1:])})" if len(names) > 1 else "")
                             + "; the header row has: " + ", ".join(repr(h) for h in self.header if h)[:600]
                             + ". Export the sheet again with this column, or rename the column", file=self.file)
        return position

    def titles(self) -> dict[str, int]:
        return dict(self._index)


def cell(values: tuple[Any, ...], position: int | None) -> Any:
    if position is None or position >= len(values):
        return None
    value = values[position]
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def text(values: tuple[Any, ...], position: int | None) -> str:
    value = cell(values, position)
    return "" if value is None else str(value)


def number(sheet: Sheet, row: int, values: tuple[Any, ...], position: int | None, *, required: bool = False,
           title: str = "") -> float | None:
    """The cell as a number (`1,024`, `12.5`, `12,5` accepted); an error naming sheet, row and column if not one."""
    value = cell(values, position)
    if value is None:
        if required:
            raise InputError(f"{sheet.where(row, _title(sheet, position, title))}: empty; a number is needed here",
                             file=sheet.file)
        return None
    if isinstance(value, bool):
        value = None
    elif isinstance(value, int | float):
        return float(value)
    raw = str(value).replace("\u00a0", "").replace(" ", "") if value is not None else ""
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", raw):
        raw = raw.replace(",", "")
    elif re.fullmatch(r"-?\d+,\d+", raw):
        raw = raw.replace(",", ".")
    try:
        return float(raw)
    except ValueError:
        raise InputError(f"{sheet.where(row, _title(sheet, position, title))}: {value!r} is not a number; "
                         "fix the cell (a plain number such as 4 or 8192)", file=sheet.file) from None


def _title(sheet: Sheet, position: int | None, fallback: str) -> str:
    if position is not None and position < len(sheet.header):
        return str(sheet.header[position])
    return fallback


class Workbook:
    """The sheets of one inventory, looked up by name (case-insensitive); read lazily, once each."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.display = path.name
        self._sheets: dict[str, Sheet] = {}
        if path.is_dir():
            self._csv_files = {_csv_sheet_name(p): p for p in sorted(path.iterdir()) if p.suffix.lower() == ".csv"}
            self.names = sorted(self._csv_files)
            self._book = None
        elif path.suffix.lower() == ".csv":
            self._csv_files = {path.stem.lower(): path}
            self.names = [path.stem.lower()]
            self._book = None
        else:
            self._csv_files = {}
            self._book = _open_workbook(path)
            self.names = [name.lower() for name in self._book.sheet_names]
        self.shown = list(self._book.sheet_names) if self._book is not None else \
            [p.stem for p in self._csv_files.values()]

    def has(self, name: str) -> bool:
        return name.lower() in self.names

    def first(self) -> str:
        if not self.names:
            raise InputError(f"{self.display}: has no sheets (or no CSV files)", file=str(self.path))
        return self.names[0]

    def sheet(self, name: str) -> Sheet:
        key = name.lower()
        if key in self._sheets:
            return self._sheets[key]
        if key not in self.names:
            raise InputError(f"{self.display}: no sheet {name!r} (sheets: {', '.join(self.shown) or 'none'}); "
                             f"export the inventory with its {name} sheet", file=str(self.path))
        rows = self._read_csv(self._csv_files[key]) if self._book is None else self._read_xlsx(key)
        header: list[str] = []
        data: list[tuple[int, tuple[Any, ...]]] = []
        for number_, values in rows:
            if not header:
                if any(v not in (None, "") for v in values):
                    header = ["" if v is None else str(v).strip() for v in values]
                continue
            if any(v not in (None, "") for v in values):
                data.append((number_, values))
        display = f"{self.display}" if self._book is not None else self._csv_files[key].name
        sheet = Sheet(display, name if self._book is None else self._real_name(key), header, data)
        self._sheets[key] = sheet
        return sheet

    def _real_name(self, key: str) -> str:
        assert self._book is not None
        return next(n for n in self._book.sheet_names if n.lower() == key)

    def _read_xlsx(self, key: str) -> Iterator[tuple[int, tuple[Any, ...]]]:
        from python_calamine import CalamineError

        assert self._book is not None
        try:
            # skip_empty_area=False: rows start at the sheet's row 1, so row numbers are Excel's own
            rows = self._book.get_sheet_by_name(self._real_name(key)).to_python(skip_empty_area=False)
        except (CalamineError, ValueError) as exc:
            raise InputError(f"{self.display}: sheet {key} cannot be read ({exc}); save the workbook again "
                             "from Excel or export it again", file=str(self.path)) from exc
        for number_, values in enumerate(rows, start=1):
            yield number_, tuple(values)

    def _read_csv(self, path: Path) -> Iterator[tuple[int, tuple[Any, ...]]]:
        raw = path.read_bytes()
        try:
            content = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            content = raw.decode("cp1252", errors="replace")
        first_line = content.split("\n", 1)[0]
        delimiter = max((",", ";", "\t"), key=first_line.count)
        for number_, values in enumerate(csv.reader(content.splitlines(), delimiter=delimiter), start=1):
            yield number_, tuple(values)

    def close(self) -> None:
        if self._book is not None:
            self._book.close()
            self._book = None


def _csv_sheet_name(path: Path) -> str:
    # RVTools' own CSV export names files RVTools_tabvInfo.csv; a plain vInfo.csv works too.
    stem = path.stem.lower()
    return stem.split("tab", 1)[1] if stem.startswith("rvtools_tab") else stem


def _open_workbook(path: Path) -> Any:
    from python_calamine import CalamineError, CalamineWorkbook

    if not path.exists():
        raise InputError(f"{path}: no such file; give the path of the exported workbook", file=str(path))
    if not zipfile.is_zipfile(path):
        raise InputError(f"{path}: is not an Excel workbook (.xlsx) (not a zip archive); export the inventory "
                         "again as .xlsx, or give a folder with one CSV per sheet", file=str(path))
    try:
        return CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise InputError(f"{path}: is not an Excel workbook (.xlsx) ({type(exc).__name__}); export the inventory "
                         "again as .xlsx, or give a folder with one CSV per sheet", file=str(path)) from exc
