"""The reconciliation as an XLSX workbook (openpyxl): summary, lines x periods, monthly, unallocated, native charts.

Cells hold exact decimals as numbers with a number format naming the currency; charts are Excel's own
(openpyxl.chart), drawn from the workbook's cells, so a finance officer can restyle or extend them.
"""

from __future__ import annotations

from typing import IO

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from costing.reconcile.model import LineFigures, PeriodFigures, Reconciliation
from costing.reports.display import conventions, fa, reported_lines, title, warnings
from costing.reports.json_report import payback_json
from costing.reports.xlsx_board import board_summary, print_setup, sheet_title, straight_lines
from estate.foundation.safe_text import neutralise_workbook

BOLD = Font(bold=True)
RAG_FILLS = {"green": "C6EFCE", "amber": "FFEB9C", "red": "FFC7CE"}


def write_xlsx(result: Reconciliation, handle: IO[bytes]) -> None:
    """Write the workbook to an open binary file."""
    book = Workbook()
    money_format = f'#,##0.00 "{result.currency}";-#,##0.00 "{result.currency}"'
    board_summary(book.active, result)
    _summary(book.create_sheet("Summary"), result, money_format)
    _lines(book.create_sheet("Lines x periods"), result, money_format)
    _benefit(book.create_sheet("Cumulative position"), result, money_format)
    _monthly(book.create_sheet("Monthly"), result, money_format)
    _unallocated(book.create_sheet("Unallocated"), result, money_format)
    for sheet in book.worksheets:
        print_setup(sheet, result, title_rows="1:2" if sheet.title not in ("Summary", "Board summary") else "1:1")
    # Labels, ids and notes come from the case and the cost data: every string cell is text, never a formula.
    neutralise_workbook(book)
    book.save(handle)


HEAD = 2  # every detail sheet: row 1 its title (SYNTHETIC when synthetic), row 2 the column headers


def _header(sheet: Worksheet, row: int, headers: list[str]) -> None:
    for column, text in enumerate(headers, start=1):
        cell = sheet.cell(row=row, column=column, value=text)
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _summary(sheet: Worksheet, result: Reconciliation, money_format: str) -> None:
    sheet.title = "Summary"
    sheet["A1"] = title(result)
    sheet["A1"].font = Font(bold=True, size=14)
    row = 2
    for text in warnings(result):
        sheet.cell(row=row, column=1, value=text).font = Font(bold=True, color="B3261E")
        row += 1
    plan, reforecast = payback_json(result.benefit.plan_payback), payback_json(result.benefit.reforecast_payback)
    facts = [("Organisation", result.organisation), ("Currency", result.currency),
             ("Actual cost column", f"{result.cost_column}: {result.cost_column_meaning}"),
             ("As of", str(result.as_of)), ("Open period", result.open_period or "(none)"),
             ("Payback (plan)", f"{plan['period'] or 'never'} ({plan['months'] or '-'} months)"),
             ("Payback (re-forecast)", f"{reforecast['period'] or 'never'} ({reforecast['months'] or '-'} months)"),
             ("Re-forecast method", f"{result.reforecast}" + (f" (adjust: {result.reforecast_adjust})"
                                                              if result.reforecast == "profile" else "")),
             (f"NPV at {result.benefit.discount_rate_percent}% (plan)", f"{result.benefit.plan_npv:,.2f} "
                                                                        f"{result.currency}"),
             (f"NPV at {result.benefit.discount_rate_percent}% (re-forecast)",
              f"{result.benefit.reforecast_npv:,.2f} {result.currency} {fa(result.benefit.npv_direction)}")]
    for label, value in facts:
        row += 1
        sheet.cell(row=row, column=1, value=label).font = BOLD
        sheet.cell(row=row, column=2, value=value)
    row += 2
    sheet.cell(row=row, column=1, value="How the figures are made").font = BOLD
    source = result.provenance
    notes = [*conventions(result), f"Business case: {source.case_file} ({source.case_source})",
             f"Cost store: {source.store}, {source.rows} rows in {source.files} files; sources: "
             + "; ".join(source.store_sources), *source.notes]
    for note in notes:
        row += 1
        sheet.cell(row=row, column=1, value=note)
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 90


def _lines(sheet: Worksheet, result: Reconciliation, money_format: str) -> None:
    cur = result.currency
    headers = ["Line", "Period", "Status", f"Case ({cur})", f"Case to date ({cur})", f"Actual ({cur})",
               f"Variance ({cur})", "Variance %", "RAG", f"Outturn ({cur})", "Outturn basis"]
    if result.three_way:
        headers += [f"Estimate ({cur})", f"Estimate to date ({cur})", f"Actual - estimate ({cur})"]
    headers += ["Where the figures come from", "F/A", "Actuals source", "Actuals status", "Re-forecast basis"]
    sheet_title(sheet, result, f"Case vs actual by line and period ({cur}, pounds and pence)")
    _header(sheet, HEAD, headers)
    row = HEAD
    for line in reported_lines(result) + [line for line in result.lines if not line.measured] + result.totals:
        for p in line.periods:
            row += 1
            values = [line.label, p.period, p.status, p.case, p.case_to_date, p.actual, p.variance,
                      None if p.variance_percent is None else p.variance_percent / 100, p.rag or "", p.outturn,
                      p.outturn_basis]
            if result.three_way:
                values += [p.estimate, p.estimate_to_date, p.actual_vs_estimate]
            values += [_source(result, line, p), fa(p.direction), line.actuals_source, p.actuals_status,
                       p.reforecast_basis]
            for column, value in enumerate(values, start=1):
                cell = sheet.cell(row=row, column=column, value=value)
                if column in (4, 5, 6, 7, 10, 12, 13, 14):
                    cell.number_format = money_format
            sheet.cell(row=row, column=8).number_format = "0.0%"
            if p.rag:
                sheet.cell(row=row, column=9).fill = PatternFill("solid", fgColor=RAG_FILLS[p.rag])
    for column, width in zip("ABCDEFGHIJKLMN", (34, 9, 8, 16, 16, 16, 16, 10, 7, 16, 40, 16, 16, 16), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.column_dimensions[get_column_letter(len(headers) - 4)].width = 100
    sheet.freeze_panes = "B3"


def _source(result: Reconciliation, line: LineFigures, period: PeriodFigures) -> str:
    """Where one row's figures come from, in words."""
    source = result.provenance
    text = f"case: {source.case_file}, line {line.id}, {period.period} (the case's {result.case_unit} x 1000)" \
        if result.case_unit.endswith("thousands") else f"case: {source.case_file}, line {line.id}, {period.period}"
    if line.measured and period.months_with_actuals:
        found = ", ".join(f"{item.how} {item.rows} rows" for item in line.found_by)
        text += (f"; actual: sum of {result.cost_column} in cost store {source.store}, {period.months_with_actuals} "
                 f"months to {result.as_of}" + (f" ({found})" if found else ""))
    if period.estimate is not None:
        text += f"; estimate: forecast {source.forecast_file}"
    return text


def _benefit(sheet: Worksheet, result: Reconciliation, money_format: str) -> None:
    cur = result.currency
    sheet_title(sheet, result, f"Cumulative position: plan vs actual and re-forecast ({cur})")
    _header(sheet, HEAD, ["Period", "Basis", f"Plan net ({cur})", f"Re-forecast net ({cur})",
                          f"Plan cumulative ({cur})", f"Re-forecast cumulative ({cur})"])
    for row, p in enumerate(result.benefit.periods, start=HEAD + 1):
        for column, value in enumerate([p.period, p.basis, p.plan_net, p.reforecast_net, p.plan_cumulative,
                                        p.reforecast_cumulative], start=1):
            sheet.cell(row=row, column=column, value=value).number_format = money_format
    last = len(result.benefit.periods) + HEAD
    chart = LineChart()
    chart.title = _chart_title(result, f"Cumulative position: case vs actual/re-forecast ({cur})")
    chart.y_axis.title = cur
    chart.x_axis.title = "Period"
    chart.add_data(Reference(sheet, min_col=5, max_col=6, min_row=HEAD, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=HEAD + 1, max_row=last))
    straight_lines(chart)
    _show_axes(chart)
    chart.width, chart.height = 22, 11
    sheet.add_chart(chart, "H3")
    sheet.column_dimensions["B"].width = 26
    for column in "CDEF":
        sheet.column_dimensions[column].width = 20


def _monthly(sheet: Worksheet, result: Reconciliation, money_format: str) -> None:
    cur = result.currency
    total = result.azure_total
    columns = [(f"Actual Azure spend ({cur}, {result.cost_column})", total.actual_monthly),
               (f"Case, measured lines ({cur})", total.case_monthly)]
    if result.three_way:
        columns.append((f"Estimate ({cur})", total.estimate_monthly))
    columns.append((f"Unallocated ({cur})", result.unallocated.actual_monthly))
    sheet_title(sheet, result, f"Monthly Azure spend ({cur}, {result.cost_column})")
    _header(sheet, HEAD, ["Month", *(name for name, _ in columns)])
    for row, month in enumerate(result.months, start=HEAD + 1):
        sheet.cell(row=row, column=1, value=str(month))
        for column, (_, series) in enumerate(columns, start=2):
            sheet.cell(row=row, column=column, value=series.get(month, 0)).number_format = money_format
    last = len(result.months) + HEAD
    months = Reference(sheet, min_col=1, min_row=HEAD + 1, max_row=last)
    chart = BarChart()
    chart.title = _chart_title(result, f"Monthly Azure spend vs case ({cur}, {result.cost_column})")
    chart.y_axis.title = cur
    chart.add_data(Reference(sheet, min_col=2, min_row=HEAD, max_row=last), titles_from_data=True)
    chart.set_categories(months)
    planned = LineChart()  # the case (and the estimate) drawn over the bars, on the same axes
    planned.add_data(Reference(sheet, min_col=3, max_col=4 if result.three_way else 3, min_row=HEAD,
                               max_row=last), titles_from_data=True)
    planned.set_categories(months)
    straight_lines(planned)
    chart += planned
    _show_axes(chart)
    chart.width, chart.height = 26, 12
    sheet.add_chart(chart, "H3")
    for column in "ABCDE":
        sheet.column_dimensions[column].width = 22


def _chart_title(result: Reconciliation, text: str) -> str:
    return f"SYNTHETIC — {text}" if result.provenance.synthetic else text


def _show_axes(chart) -> None:
    # openpyxl 3.1 leaves `delete` unset and recent Excel then hides both axes; say they are shown.
    chart.x_axis.delete = False
    chart.y_axis.delete = False


def _unallocated(sheet: Worksheet, result: Reconciliation, money_format: str) -> None:
    sheet_title(sheet, result, f"Unallocated spend: no business-case-line tag and no rule matched ({result.currency})")
    _header(sheet, HEAD, ["Service", "Resource group", "Subscription", "business-case-line tag",
                          f"Amount ({result.currency})", "Rows"])
    for row, item in enumerate(result.unallocated_detail, start=HEAD + 1):
        for column, value in enumerate([item.service, item.resource_group, item.subscription, item.line_tag,
                                        item.amount, item.rows], start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            if column == 5:
                cell.number_format = money_format
    for column in "ABCDE":
        sheet.column_dimensions[column].width = 26
