"""The reconciliation as one self-contained HTML file: inline CSS, inline SVG charts, no script, nothing fetched.

Every figure in the main table carries its provenance as a tooltip (the cell's `title`): which file, line,
period, months and rule it comes from; the notes at the end state every convention.
"""

from __future__ import annotations

import re
from decimal import Decimal
from html import escape

from costing.reconcile.model import LineFigures, PeriodFigures, Reconciliation
from costing.reports.charts import cumulative_chart, monthly_chart
from costing.reports.display import (
    RAG_COLOURS,
    actual_text,
    conventions,
    money_fa,
    percent,
    reforecast_label,
    reported_lines,
    title,
    unmeasured_lines,
    warnings,
)
from costing.reports.html_board import BOARD_CSS, PRINT_CSS, board_summary
from costing.reports.json_report import payback_json
from estate.foundation.money import pennies

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:24px 32px;color:#1d1d1f;
max-width:1400px}
h1{font-size:22px;margin:0 0 6px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.synthetic{background:#b3261e;color:#fff;padding:8px 12px;font-weight:600;border-radius:4px;margin:8px 0}
.facts{display:grid;grid-template-columns:repeat(5,minmax(0,1fr));gap:8px;margin:12px 0}
.fact{background:#f4f5f7;border-radius:6px;padding:8px 10px}.fact b{display:block;font-size:12px;color:#555}
table{border-collapse:collapse;font-size:12.5px;margin:6px 0 12px}th,td{padding:4px 8px;border-bottom:1px solid #e5e5e5}
th{background:#f4f5f7;text-align:left;vertical-align:bottom}td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.first td{border-top:2px solid #bbb}.rag{color:#fff;border-radius:3px;padding:1px 6px;font-weight:600;font-size:11px}
.muted{color:#666}.charts{display:grid;grid-template-columns:1fr 1fr;gap:24px}.chart svg{width:100%;height:auto}
@media (max-width:900px){.charts{grid-template-columns:1fr}}ul.notes li{margin:3px 0;font-size:13px}
"""


def _cell(text: str, provenance: str = "", numeric: bool = True) -> str:
    title_attr = f' title="{escape(provenance)}"' if provenance else ""
    return f"<td{' class=n' if numeric else ''}{title_attr}>{escape(text)}</td>"


def _rag(period: PeriodFigures) -> str:
    if not period.rag:
        return "<td>—</td>"
    return (f'<td><span class="rag" style="background:{RAG_COLOURS[period.rag]}">{period.rag.upper()}</span></td>')


def _line_rows(result: Reconciliation, line: LineFigures) -> list[str]:
    cur, rows = result.currency, []
    found = "; ".join(f"{item.how}: {item.rows} rows" for item in line.found_by) or "no rows"
    for index, p in enumerate(line.periods):
        months = f"{p.months_with_actuals} of {p.months} months with actuals"
        cells = [
            f"<td>{escape(line.label) if index == 0 else ''}</td>", _cell(p.period, numeric=False),
            _cell(p.status, numeric=False),
            _cell(pennies(p.case), f"{result.provenance.case_file}: line {line.id}, period {p.period}, in {cur} "
                                 f"(the case's {result.case_unit} multiplied out)"),
            _cell(pennies(p.case_to_date), f"case for {p.period} spread evenly, {months}"),
            _cell(actual_text(p.actual), f"cost store {result.provenance.store}: sum of {result.cost_column}, "
                                         f"{months}, as of {result.as_of}; rows found by {found}; actuals from "
                                         f"{line.actuals_source}"),
            _cell(money_fa(p.variance, p.direction), "actual - case to date; " + result.sign_convention),
            _cell(percent(p.variance_percent), "variance / case to date"), _rag(p),
            _cell(pennies(p.outturn), f"outturn = {p.outturn_basis}"), _cell(p.reforecast_basis, numeric=False),
        ]
        if result.three_way:
            cells += [_cell(pennies(p.estimate_to_date), f"forecast {result.provenance.forecast_file}, {months}"),
                      _cell(pennies(p.actual_vs_estimate), "actual - estimate to date")]
        rows.append(f"<tr{' class=first' if index == 0 else ''}>{''.join(cells)}</tr>")
    return rows


def _lines_table(result: Reconciliation) -> str:
    cur = result.currency
    headers = ["Line", "Period", "Status", f"Case ({cur})", f"Case to date ({cur})", f"Actual ({cur})",
               f"Variance ({cur})", "Var %", "RAG", f"Outturn ({cur})", "Re-forecast basis"]
    if result.three_way:
        headers += [f"Estimate to date ({cur})", f"Actual − estimate ({cur})"]
    rows = [row for line in reported_lines(result) + result.totals for row in _line_rows(result, line)]
    return _table(headers, rows)


def _table(headers: list[str], rows: list[str]) -> str:
    head = "".join(f"<th>{escape(header)}</th>" for header in headers)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _unmeasured_table(result: Reconciliation) -> str:
    rows = []
    for line in unmeasured_lines(result):
        cells = [f"<td>{escape(line.label)}</td>", f"<td>{escape(line.kind)}"
                 f"{'' if line.in_totals else ' (not in totals)'}</td>"]
        cells += [_cell(pennies(p.case), f"{result.provenance.case_file}: line {line.id}, period {p.period}")
                  for p in line.periods]
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return _table(["Line", "Kind", *(f"{period} ({result.currency})" for period in result.periods)], rows)


def _benefit_table(result: Reconciliation) -> str:
    cur = result.currency
    rows = [f"<tr><td>{escape(p.period)}</td><td>{escape(p.basis)}</td>"
            + "".join(_cell(pennies(value), what) for value, what in (
                (p.plan_net, "case: benefit - one-off costs"), (p.reforecast_net, result.benefit.convention),
                (p.plan_cumulative, "running total of plan net"),
                (p.reforecast_cumulative, "running total of re-forecast net")))
            + "</tr>" for p in result.benefit.periods]
    return _table(["Period", "Basis", f"Plan net ({cur})", f"Re-forecast net ({cur})", f"Plan cumulative ({cur})",
                   f"Re-forecast cumulative ({cur})"], rows)


def _unallocated_table(result: Reconciliation) -> str:
    if not result.unallocated_detail:
        return "<p>No unallocated spend: every row was placed by its tag or a rule.</p>"
    rows = [f"<tr><td>{escape(i.service or '—')}</td><td>{escape(i.resource_group or '—')}</td>"
            f"<td>{escape(i.subscription or '—')}</td><td>{escape(i.line_tag or '—')}</td>"
            f"{_cell(pennies(i.amount), f'sum of {result.cost_column}')}{_cell(str(i.rows))}</tr>"
            for i in result.unallocated_detail]
    return _table(["Service", "Resource group", "Subscription", "Tag value", f"Amount ({result.currency})", "Rows"],
                  rows)


def _facts(result: Reconciliation) -> str:
    plan, reforecast = payback_json(result.benefit.plan_payback), payback_json(result.benefit.reforecast_payback)
    total = next((p for p in result.azure_total.periods if p.period == result.open_period), None)
    facts = [("Currency", result.currency), ("Actual cost column", result.cost_column), ("As of", str(result.as_of)),
             ("Open period", result.open_period or "none"),
             ("Azure spend, open period to date", f"{pennies(total.actual)} {result.currency}" if total else "—"),
             ("Azure outturn, open period", f"{pennies(total.outturn)} {result.currency}" if total else "—"),
             ("Unallocated spend to date", f"{pennies(sum(result.unallocated.actual_monthly.values(), Decimal(0)))} "
                                           f"{result.currency}"),
             ("Cost rows reconciled", f"{result.provenance.rows:,}"),
             ("Payback, plan", f"{plan['period'] or 'never'} ({plan['months'] or '—'} months)"),
             ("Payback, re-forecast", f"{reforecast['period'] or 'never'} ({reforecast['months'] or '—'} months)"),
             (f"NPV at {result.benefit.discount_rate_percent}%, plan", f"{pennies(result.benefit.plan_npv)} "
                                                                       f"{result.currency}"),
             (f"NPV at {result.benefit.discount_rate_percent}%, re-forecast",
              f"{money_fa(result.benefit.reforecast_npv, result.benefit.npv_direction)} {result.currency}"),
             ("Re-forecast", reforecast_label(result))]
    return '<div class="facts">' + "".join(f'<div class="fact"><b>{escape(k)}</b>{escape(v)}</div>'
                                           for k, v in facts) + "</div>"


def _provenance(result: Reconciliation) -> str:
    source = result.provenance
    items = [f"Business case: {source.case_file} — {source.case_source or 'no source given'}",
             f"Actual spend: cost store {source.store}, {source.rows} cost rows in {source.files} Parquet files, "
             f"billing currencies {', '.join(source.store_currencies) or 'none'}"
             + (f"; FX: {source.fx}" if source.fx else "")]
    items += [f"Line {line.id}: {found.how}, {found.rows} rows, {pennies(found.amount)} {result.currency}"
              for line in result.lines for found in line.found_by]
    items += conventions(result) + source.notes
    sources = "".join(f"<li>{escape(name)}</li>" for name in source.store_sources)
    return ('<ul class="notes">' + "".join(f"<li>{escape(item)}</li>" for item in items)
            + f"<li><details><summary>{len(source.store_sources)} store sources (export files loaded)</summary>"
            + f'<ul class="notes">{sources}</ul></details></li></ul>')


def _strip_metadata(svg: str) -> str:
    return re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.DOTALL)


def to_html(result: Reconciliation) -> str:
    """The whole report as one HTML document."""
    banner = "".join(f'<div class="synthetic">{escape(text)}</div>' for text in warnings(result))
    cur = escape(result.currency)  # every data value is escaped, even those the case's schema already checks
    body = [
        f"<h1>{escape(title(result))}</h1>", banner,
        f'<p class="muted">{escape(result.organisation)} · board summary in the case\'s unit, detail in {cur} · '
        "actuals: "
        f"{escape(result.cost_column_meaning)} · RAG: {escape(result.thresholds.describe())}. Hover a figure for "
        "where it comes from.</p>", board_summary(result),
        '<section class="detail"><h2>Detail</h2>', _facts(result),
        '<div class="charts"><div class="chart"><h2>Monthly spend vs case</h2>'
        f"{_strip_metadata(monthly_chart(result))}</div>",
        f'<div class="chart"><h2>Cumulative position</h2>{_strip_metadata(cumulative_chart(result))}</div></div>',
        f"<h2>Case vs actual by line and period ({cur})</h2>", _lines_table(result),
        f"<h2>Cumulative benefit: plan vs actual and re-forecast ({cur})</h2>", _benefit_table(result),
        f"<h2>Unallocated spend ({cur})</h2>", _unallocated_table(result),
        f"<h2>Lines with no actuals in the cost store (taken at the case, {cur})</h2>", _unmeasured_table(result),
        "<h2>Where the figures come from</h2>", _provenance(result), "</section>",
    ]
    return ("<!DOCTYPE html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(title(result))}</title><style>{CSS}{BOARD_CSS}{PRINT_CSS}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")
