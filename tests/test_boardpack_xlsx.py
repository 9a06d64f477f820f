"""The XLSX board pack: a numeric summary in £k, print set-up, straight chart lines, SYNTHETIC on every sheet."""

from __future__ import annotations

import re
import zipfile
from decimal import Decimal
from types import SimpleNamespace

import openpyxl
import pytest

from costing.reports.display import board_unit
from tests.boardpack_helpers import CASE, SUNGARD_MONTHLY, small_store
from tests.conftest import run_cli


def _xlsx(tmp_path, *, synthetic: bool):
    store = small_store(tmp_path, synthetic=synthetic)
    out = tmp_path / "pack.xlsx"
    result = run_cli("cost", "reconcile", "--case", CASE, "--store", store, "--format", "xlsx", "--out", out)
    assert result.exit_code == 0, result.output
    return out


def _board_table(sheet):
    header_row = next(row for row in sheet.iter_rows() if row[0].value == "Line")
    headers = [cell.value for cell in header_row]
    rows = {}
    for row in sheet.iter_rows(min_row=header_row[0].row + 1):
        if not row[0].value:
            break
        rows[row[0].value] = {headers[i]: cell for i, cell in enumerate(row) if i < len(headers)}
    return headers, rows


def test_the_board_summary_is_first_and_numeric_in_pounds_thousands(tmp_path):
    book = openpyxl.load_workbook(_xlsx(tmp_path, synthetic=True))
    sheet = book.worksheets[0]
    assert sheet.title == "Board summary"
    headers, rows = _board_table(sheet)
    assert "Actual to date (£k)" in headers and "Case to date (£k)" in headers
    sungard = rows["Azure Costs SunGard"]
    # The open period is 2021 with one month (Jan) of actuals: case to date = 642,000 / 12, actual = 45,000.
    case_to_date = Decimal(642000) / 12
    assert sungard["Actual to date (£k)"].value == pytest.approx(float(SUNGARD_MONTHLY))
    assert sungard["Case to date (£k)"].value == pytest.approx(float(case_to_date))
    assert sungard["Variance (£k)"].value == pytest.approx(float(SUNGARD_MONTHLY - case_to_date))
    assert sungard["Variance %"].value == pytest.approx(float(SUNGARD_MONTHLY / case_to_date - 1))
    for name in ("Case, whole period (£k)", "Case to date (£k)", "Actual to date (£k)", "Variance (£k)",
                 "Outturn (£k)"):
        cell = sungard[name]
        assert isinstance(cell.value, int | float), name  # a number, not text
        assert cell.number_format.startswith('"£"#,##0.0,"k"'), (name, cell.number_format)
    assert rows["Programme Costs"]["Actual to date (£k)"].value == "no actuals yet"
    assert "All Azure-measured lines + unallocated Azure spend" in rows
    payback = next(row for row in sheet.iter_rows() if row[0].value == "payback")
    assert isinstance(payback[2].value, float) and payback[1].value == "2022"  # the case's plan: months, numeric
    # The unit line follows the banner and the case's own inconsistencies (carried into every report).
    assert any("£k (GBP thousands" in str(row[0].value) for row in sheet.iter_rows(max_row=12))


def test_every_sheet_prints_a4_landscape_fit_to_width_with_titles_repeated(tmp_path):
    book = openpyxl.load_workbook(_xlsx(tmp_path, synthetic=True))
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert setup.orientation == "landscape", sheet.title
        assert int(setup.paperSize) == 9 and int(setup.fitToWidth) == 1 and int(setup.fitToHeight) == 0
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
        assert sheet.print_title_rows in ("$1:$1", "$1:$2"), sheet.title
    assert book["Lines x periods"].print_title_rows == "$1:$2"  # title and column headers on every page


def test_line_charts_draw_straight_lines(tmp_path):
    path = _xlsx(tmp_path, synthetic=True)
    with zipfile.ZipFile(path) as archive:
        charts = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/charts/chart")]
    with_lines = [chart for chart in charts if "<lineChart>" in chart]
    assert len(with_lines) == 2
    for chart in with_lines:
        line_part = chart[chart.index("<lineChart>"):chart.index("</lineChart>")]
        series = line_part.count("<ser>")
        assert series and line_part.count('<smooth val="0"') == series
        assert '<smooth val="1"' not in chart


def test_synthetic_on_every_sheet_title_page_header_and_chart_title(tmp_path):
    path = _xlsx(tmp_path, synthetic=True)
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        assert sheet["A1"].value.startswith("SYNTHETIC"), sheet.title
        assert "SYNTHETIC" in sheet.oddHeader.center.text
    with zipfile.ZipFile(path) as archive:
        titles = [re.sub(r"<[^>]+>", "", archive.read(n).decode().split("<title>")[1].split("</title>")[0])
                  for n in archive.namelist() if n.startswith("xl/charts/chart")]
    assert len(titles) == 2 and all(title.startswith("SYNTHETIC") for title in titles)


def test_real_spend_says_nothing_synthetic(tmp_path):
    path = _xlsx(tmp_path, synthetic=False)
    book = openpyxl.load_workbook(path)
    assert not any("SYNTHETIC" in str(cell.value) for sheet in book.worksheets for row in sheet.iter_rows()
                   for cell in row)
    assert all("SYNTHETIC" not in sheet.oddHeader.center.text for sheet in book.worksheets)
    with zipfile.ZipFile(path) as archive:
        assert not any("SYNTHETIC" in archive.read(n).decode() for n in archive.namelist()
                       if n.startswith("xl/charts/chart"))


@pytest.mark.parametrize(("currency", "unit", "label", "value", "shown"), [
    ("GBP", "GBP thousands", "£k", "-15417.874771", "-£15.4k"),
    ("GBP", "GBP thousands", "£k", "642000", "£642.0k"),
    ("GBP", "GBP", "£", "1234.565", "£1,234.57"),
    ("EUR", "EUR millions", "€m", "2500000", "€2.50m"),
    ("CHF", "CHF thousands", "CHFk", "1500", "1.5k CHF"),
])
def test_board_units_follow_the_case(currency, unit, label, value, shown):
    board = board_unit(SimpleNamespace(currency=currency, case_unit=unit))
    assert board.label == label and board.show(Decimal(value)) == shown
    positive = board.excel_format.split(";")[0]
    assert board.excel_format == f"{positive};-{positive}"
    assert positive.count(",") - positive.count("#,##") == {"£k": 1, "CHFk": 1, "€m": 2}.get(label, 0)


def test_the_board_total_is_the_sum_of_its_rows_in_every_money_column(tmp_path):
    book = openpyxl.load_workbook(_xlsx(tmp_path, synthetic=True))
    _, rows = _board_table(book["Board summary"])
    azure = [row for row in rows.values() if row["Kind"].value in ("cloud-run", "unallocated")]
    total = rows["All Azure-measured lines + unallocated Azure spend"]
    assert len(azure) == 3
    for name in ("Case, whole period (£k)", "Case to date (£k)", "Actual to date (£k)", "Variance (£k)",
                 "Outturn (£k)"):
        assert total[name].value == pytest.approx(sum(row[name].value for row in azure), abs=1e-6), name
