"""The XLSX board pack's parts: the numeric `Board summary` sheet, print set-up, sheet titles and chart lines.

Cells hold the reconciliation's exact decimals in whole currency units; the board's number format shows them
in the case's unit (`"£"#,##0.0,"k"`: the trailing comma divides the display by 1,000, never the value).
"""

from __future__ import annotations

from decimal import Decimal

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from costing.business_case.derive import Payback
from costing.reconcile.model import Reconciliation
from costing.reports.board import (
    NO_ACTUALS,
    NOT_SPEND,
    board_rows,
    period_heading,
    plan_vs_reforecast,
    unallocated_to_date,
)
from costing.reports.display import board_unit, title, warnings

BOLD = Font(bold=True)
RAG_FILLS = {"green": "C6EFCE", "amber": "FFEB9C", "red": "FFC7CE"}
SYNTHETIC_HEADER = "SYNTHETIC DATA — not real spend"


def sheet_title(sheet: Worksheet, result: Reconciliation, text: str) -> None:
    """Row 1 of a sheet: the report's title (SYNTHETIC first when synthetic) and what the sheet holds."""
    sheet.cell(row=1, column=1, value=f"{title(result)} — {text}").font = Font(bold=True, size=12)


def print_setup(sheet: Worksheet, result: Reconciliation, title_rows: str) -> None:
    """A4 landscape, fit to one page wide, the title and header rows repeated, SYNTHETIC in the page header."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = title_rows
    sheet.print_options.gridLines = False
    header = SYNTHETIC_HEADER if result.provenance.synthetic else result.case_name
    sheet.oddHeader.center.text = header
    sheet.evenHeader.center.text = header
    sheet.oddFooter.right.text = "Page &P of &N"


def straight_lines(chart) -> None:
    """Line charts draw straight segments between periods: a smoothed curve invents values between them."""
    for series in chart.series:
        series.smooth = False


def board_summary(sheet: Worksheet, result: Reconciliation) -> None:
    """The board's page as numbers: every line in the open period, plan vs re-forecast, cumulative, unallocated."""
    sheet.title = "Board summary"
    unit = board_unit(result)
    money = unit.excel_format
    sheet["A1"] = f"{title(result)} — board summary ({unit.label})"
    sheet["A1"].font = Font(bold=True, size=14)
    row = 1
    for text in warnings(result):
        row += 1
        sheet.cell(row=row, column=1, value=text).font = Font(bold=True, color="B3261E")
    source = result.provenance
    row += 1
    sheet.cell(row=row, column=1, value=(
        f"Money in {unit.label} ({unit.words}, as the case states its figures); each cell holds the exact amount in "
        f"{result.currency} and shows it in {unit.label}. Case: {source.case_file}; actual spend: cost store "
        f"{source.store} ({result.cost_column}). Variance = actual - case to date; RAG: "
        f"{result.thresholds.describe()}."))
    rows = board_rows(result)
    with_class = any(r.classification for r in rows)
    with_direction = any(r.direction for r in rows)
    headers = ["Line", "Kind"] + (["Capital / revenue"] if with_class else []) + [
        "Period", f"Case, whole period ({unit.label})", f"Case to date ({unit.label})",
        f"Actual to date ({unit.label})", f"Variance ({unit.label})", "Variance %"] + (
        ["F/A"] if with_direction else []) + ["RAG", f"Outturn ({unit.label})", "Outturn basis"]
    row += 2
    sheet.cell(row=row - 1, column=1, value=f"By line: {period_heading(result)}").font = BOLD
    _headers(sheet, row, headers)
    for board in rows:
        row += 1
        p = board.period
        values: list[object] = [board.label, board.line.kind] + ([board.classification or ""] if with_class else [])
        if p is None:
            values += ["—", None, None, None, None, None] + ([""] if with_direction else []) + ["", None, ""]
        else:
            actual = p.actual if board.has_actuals else NOT_SPEND if board.line.kind == "baseline" else NO_ACTUALS
            values += [p.period, p.case, p.case_to_date, actual, p.variance,
                       None if p.variance_percent is None else p.variance_percent / 100]
            values += ([{"favourable": "F", "adverse": "A"}.get(board.direction or "", "")] if with_direction
                       else [])
            values += [(p.rag or "").upper(), p.outturn, p.outturn_basis]
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            header = headers[column - 1]
            if isinstance(value, Decimal) and header.endswith(f"({unit.label})"):
                cell.number_format = money
            elif header == "Variance %":
                cell.number_format = "+0.0%;-0.0%;0.0%"
            if header == "RAG" and p is not None and p.rag:
                cell.fill = PatternFill("solid", fgColor=RAG_FILLS[p.rag])
            if board.total:
                cell.font = BOLD
    row = _plan_vs_reforecast(sheet, result, row + 2, money, unit.label)
    row = _cumulative(sheet, result, row + 2, money, unit.label)
    sheet.cell(row=row + 2, column=1, value=f"Unallocated Azure spend to date ({unit.label})").font = BOLD
    sheet.cell(row=row + 2, column=2, value=unallocated_to_date(result)).number_format = money
    widths = {"A": 40, "B": 16, "C": 14, "D": 14, "E": 14, "F": 14, "G": 14, "H": 14, "I": 11, "J": 8, "K": 14,
              "L": 14, "M": 30}
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width


def _headers(sheet: Worksheet, row: int, headers: list[str]) -> None:
    for column, text in enumerate(headers, start=1):
        cell = sheet.cell(row=row, column=column, value=text)
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _plan_vs_reforecast(sheet: Worksheet, result: Reconciliation, row: int, money: str, label: str) -> int:
    sheet.cell(row=row, column=1, value="Plan vs re-forecast").font = BOLD
    _headers(sheet, row + 1, ["Measure", "Plan: period", "Plan", "Re-forecast: period", "Re-forecast", "Unit"])
    row += 1
    for item in plan_vs_reforecast(result):
        row += 1
        cells: list[object] = [item.measure]
        for value in (item.plan, item.reforecast):
            if isinstance(value, Payback):
                cells += [value.period or "never", value.months]
            else:
                cells += ["", value]
        cells.append("months from the start of the first period" if isinstance(item.plan, Payback) else label)
        for column, value in enumerate(cells, start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            if column in (3, 5) and isinstance(value, Decimal):
                cell.number_format = "0.0" if isinstance(item.plan, Payback) else money
    return row


def _cumulative(sheet: Worksheet, result: Reconciliation, row: int, money: str, label: str) -> int:
    sheet.cell(row=row, column=1, value="Cumulative position by period (the basis of each period stated)").font = BOLD
    _headers(sheet, row + 1, ["Period", "Basis", f"Plan net ({label})", f"Re-forecast net ({label})",
                              f"Plan cumulative ({label})", f"Re-forecast cumulative ({label})"])
    row += 1
    for p in result.benefit.periods:
        row += 1
        for column, value in enumerate([p.period, p.basis, p.plan_net, p.reforecast_net, p.plan_cumulative,
                                        p.reforecast_cumulative], start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            if column > 2:
                cell.number_format = money
    return row
