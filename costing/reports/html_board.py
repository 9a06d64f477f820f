"""The HTML board pack's first page: one A4 page a board reads before the detail.

RAG by line (with F/A and capital/revenue where the reconciliation carries them), payback (and NPV where the
reconciliation has it) plan vs re-forecast, the cumulative position with each period's basis, unallocated spend.
Money in the case's unit (`£k` for a case in GBP thousands); the detail that follows is in pounds and pence.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape

from costing.business_case.derive import Payback
from costing.reconcile.model import Reconciliation
from costing.reports.board import (
    NO_ACTUALS,
    NOT_SPEND,
    board_rows,
    payback_text,
    period_heading,
    plan_vs_reforecast,
    unallocated_to_date,
)
from costing.reports.display import RAG_COLOURS, BoardUnit, board_unit, direction_mark, percent

BOARD_CSS = """
.board{break-after:page;page-break-after:always}
.board table{width:100%;font-size:11.5px}.board h2{margin-top:14px}.board td.total{font-weight:700}
.board .unit{font-size:12px;color:#333;margin:4px 0 8px}.board .pair{display:grid;grid-template-columns:1fr 1fr;
gap:18px}.board .pair table{font-size:11.5px}.dir{font-weight:700}.dir.favourable{color:#1b7f3b}
.dir.adverse{color:#b3261e}td.n{white-space:nowrap}.rag{white-space:nowrap}
"""

PRINT_CSS = """
@page{size:A4 portrait;margin:12mm 11mm 14mm}
@page detail{size:A4 landscape;margin:10mm}
@media print{
body{margin:0;max-width:none;font-size:10.5px}
.synthetic{-webkit-print-color-adjust:exact;print-color-adjust:exact}
.rag,th,.fact{-webkit-print-color-adjust:exact;print-color-adjust:exact}
.detail{page:detail}
.detail h2{break-after:avoid;page-break-after:avoid}
table{width:100%;table-layout:auto;font-size:9.5px}th,td{padding:2px 5px}
thead{display:table-header-group}tr{break-inside:avoid;page-break-inside:avoid}
.charts{display:block}.chart{break-inside:avoid;page-break-inside:avoid;max-width:180mm;margin:0 auto}
.facts{grid-template-columns:repeat(5,minmax(0,1fr))}
details>ul{display:block}
h1{font-size:16px}h2{font-size:13px;margin:10px 0 4px}p.muted,.board .unit{font-size:9px;margin:3px 0}
.board table,.board .pair table{font-size:9.5px}td.n,.rag,td:first-child{white-space:nowrap}
.board td:first-child{white-space:normal}
}
"""


def _money(unit: BoardUnit, value: Decimal | None, what: str) -> str:
    return f'<td class="n" title="{escape(what)}">{escape(unit.show(value))}</td>'


def _rag(rag: str | None) -> str:
    if not rag:
        return "<td>—</td>"
    return f'<td><span class="rag" style="background:{RAG_COLOURS[rag]}">{rag.upper()}</span></td>'


def _lines(result: Reconciliation, unit: BoardUnit) -> str:
    rows = board_rows(result)
    with_class = any(r.classification for r in rows)
    with_direction = any(r.direction for r in rows)
    headers = ["Line", "Kind"] + (["Capital / revenue"] if with_class else []) + [
        f"Case, whole period ({unit.label})", f"Case to date ({unit.label})", f"Actual ({unit.label})",
        f"Variance ({unit.label})", "Var %"] + (["F/A"] if with_direction else []) + [
        "RAG", f"Outturn ({unit.label})"]
    body = []
    for board in rows:
        p = board.period
        cls = ' class="total"' if board.total else ""
        cells = [f"<td{cls}>{escape(board.label)}</td>", f"<td>{escape(board.line.kind)}</td>"]
        if with_class:
            cells.append(f"<td>{escape(board.classification or '—')}</td>")
        if p is None:
            cells += ["<td>—</td>"] * (len(headers) - len(cells))
        else:
            source = f"{result.provenance.case_file}: line {board.line.id}, {p.period}"
            cells += [_money(unit, p.case, source), _money(unit, p.case_to_date, f"{source}, months with actuals")]
            if board.has_actuals:
                cells += [_money(unit, p.actual, f"cost store {result.provenance.store}: sum of "
                                                 f"{result.cost_column}, {p.months_with_actuals} months"),
                          _money(unit, p.variance, "actual - case to date"),
                          f'<td class="n">{escape(percent(p.variance_percent))}</td>']
            else:
                words = NOT_SPEND if board.line.kind == "baseline" else NO_ACTUALS
                cells += [f'<td class="muted" colspan="3">{escape(words)}</td>']
            if with_direction:
                cells.append(f'<td><span class="dir {board.direction or ""}">{direction_mark(p)}</span></td>')
            cells += [_rag(p.rag if board.has_actuals else None),
                      _money(unit, p.outturn, f"outturn = {p.outturn_basis}")]
        body.append(f"<tr>{''.join(cells)}</tr>")
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _plan_vs_reforecast(result: Reconciliation, unit: BoardUnit) -> str:
    rows = []
    for item in plan_vs_reforecast(result):
        values = [payback_text(v) if isinstance(v, Payback) else unit.show(v) for v in (item.plan, item.reforecast)]
        rows.append(f"<tr><td>{escape(item.measure)}</td>" + "".join(f"<td>{escape(v)}</td>" for v in values)
                    + "</tr>")
    return ("<table><thead><tr><th>Measure</th><th>Plan (business case)</th><th>Re-forecast</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def _cumulative(result: Reconciliation, unit: BoardUnit) -> str:
    rows = [f"<tr><td>{escape(p.period)}</td><td>{escape(p.basis)}</td>"
            f"{_money(unit, p.plan_cumulative, 'running total of the plan net saving')}"
            f"{_money(unit, p.reforecast_cumulative, 'running total of the re-forecast net saving')}</tr>"
            for p in result.benefit.periods]
    return (f"<table><thead><tr><th>Period</th><th>Basis of the re-forecast</th><th>Plan cumulative ({unit.label})"
            f"</th><th>Re-forecast cumulative ({unit.label})</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")


def board_summary(result: Reconciliation) -> str:
    """The summary section (`<section id="board-summary">`), first in the document."""
    unit = board_unit(result)
    source = result.provenance
    return (
        '<section id="board-summary" class="board"><h2>Board summary</h2>'
        f'<p class="unit">Money in <b>{escape(unit.label)}</b> ({escape(unit.words)}, as the case states its '
        f"figures; the detail after this page is in {escape(result.currency)}, pounds and pence). Case: "
        f"{escape(source.case_file)}; actual spend: cost store {escape(source.store)} "
        f"({escape(result.cost_column)}). Variance = actual − case to date (positive: spent more than the case). "
        f"RAG: {escape(result.thresholds.describe())}.</p>"
        f"<h2>By line — {escape(period_heading(result))}</h2>{_lines(result, unit)}"
        '<div class="pair"><div><h2>Payback: plan vs re-forecast</h2>'
        f"{_plan_vs_reforecast(result, unit)}"
        f"<p class=\"unit\">Unallocated Azure spend to date: <b>{escape(unit.show(unallocated_to_date(result)))}"
        "</b> (no business-case-line tag and no rule matched; counted as a run cost in the re-forecast).</p></div>"
        f"<div><h2>Cumulative position ({escape(unit.label)})</h2>{_cumulative(result, unit)}</div></div>"
        f'<p class="unit">{escape(result.benefit.convention)}</p></section>')
