"""The reconciliation as rich terminal tables (`--format text`)."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from costing.reconcile.model import LineFigures, Reconciliation
from costing.reports.display import (
    actual_text,
    conventions,
    fa,
    money_fa,
    percent,
    reforecast_label,
    reported_lines,
    title,
    unmeasured_lines,
    warnings,
)
from costing.reports.json_report import payback_json
from estate.foundation.money import pennies
from estate.foundation.safe_text import plain_text

RAG_STYLES = {"green": "green", "amber": "yellow", "red": "bold red"}


def render_text(result: Reconciliation, width: int | None = 160) -> str:
    """Every table of the report as text.

    Labels, tags and notes come from the case and the cost data, so markup is off (styles are `Text` objects) and
    control characters are removed from the result: no data value becomes a link, a style or an escape sequence.
    """
    buffer = io.StringIO()
    console = Console(file=buffer, width=width or 160, highlight=False, markup=False, force_terminal=False)
    for text in warnings(result):
        console.print(Text(text, style="bold red"))
    console.print(Text(title(result), style="bold"))
    thresholds = result.thresholds
    console.print(f"Money in {result.currency}; actuals = {result.cost_column} (Azure) and the finance ledger; open "
                  f"period {result.open_period or '(none)'}; RAG overspend green <= {thresholds.green_percent}%, "
                  f"amber <= {thresholds.amber_percent}%; underspend green <= {thresholds.underspend_green_percent}%, "
                  f"amber <= {thresholds.underspend_amber_percent}%; {reforecast_label(result)}")
    console.print(result.sign_convention)
    console.print(_lines_table(result))
    console.print(_unmeasured_table(result))
    console.print(_totals_table(result))
    console.print(_benefit_table(result))
    console.print(_npv_table(result))
    if result.unallocated_detail:
        console.print(_unallocated_table(result))
    console.print(_provenance_table(result))
    return plain_text(buffer.getvalue())


def _lines_table(result: Reconciliation) -> Table:
    table = Table(title=f"Case vs actual by line and period ({result.currency})", title_justify="left")
    headers = ["Line", "Period", "Status", "Source", f"Case ({result.currency})", f"Case to date ({result.currency})",
               f"Actual ({result.currency})", f"Variance ({result.currency})", "Var %", "RAG",
               f"Outturn ({result.currency})", "Re-forecast basis"]
    if result.three_way:
        headers += [f"Estimate to date ({result.currency})", f"Actual - estimate ({result.currency})"]
    for index, header in enumerate(headers):
        # Labels and bases wrap rather than lose their end to an ellipsis; money columns keep room for a full
        # figure (to 99,999,999.99) and fold rather than cut one.
        money = f"({result.currency})" in header
        table.add_column(header, justify="left" if index < 4 or header in ("RAG", "Re-forecast basis") else "right",
                         overflow="fold", min_width=20 if index == 0 else (13 if money else None))
    for line in reported_lines(result):
        _add_line_rows(table, line, result.three_way)
    return table


def _add_line_rows(table: Table, line: LineFigures, three_way: bool) -> None:
    for index, period in enumerate(line.periods):
        rag = Text(period.rag.upper(), style=RAG_STYLES[period.rag]) if period.rag else "—"
        row = [line.label if index == 0 else "", period.period, period.status,
               line.actuals_source if index == 0 else "", pennies(period.case), pennies(period.case_to_date),
               actual_text(period.actual), money_fa(period.variance, period.direction),
               percent(period.variance_percent), rag, pennies(period.outturn), period.reforecast_basis]
        if three_way:
            row += [pennies(period.estimate_to_date), pennies(period.actual_vs_estimate)]
        table.add_row(*row, end_section=index == len(line.periods) - 1)


def _unmeasured_table(result: Reconciliation) -> Table:
    table = Table(title=f"Lines with no actuals yet, from Azure or the ledger (re-forecast at the case, "
                        f"{result.currency})",
                  title_justify="left")
    table.add_column("Line")
    table.add_column("Kind")
    for period in result.periods:
        table.add_column(f"{period} ({result.currency})", justify="right")
    for line in unmeasured_lines(result):
        table.add_row(line.label, line.kind + ("" if line.in_totals else " (not in totals)"),
                      *(pennies(period.case) for period in line.periods))
    return table


def _totals_table(result: Reconciliation) -> Table:
    cur = result.currency
    table = Table(title=f"Totals: capital and revenue as the case classifies each line ({cur}); each the sum of its "
                        "rows", title_justify="left")
    for header in ("Total", "Period", f"Case ({cur})", f"Actual ({cur})", f"Variance ({cur})", "RAG",
                   f"Outturn ({cur})", f"Outturn variance ({cur})"):
        table.add_column(header, justify="left" if header in ("Total", "Period", "RAG") else "right")
    for total in [*result.totals, result.azure_total]:
        for index, period in enumerate(total.periods):
            table.add_row(total.label if index == 0 else "", period.period, pennies(period.case),
                          actual_text(period.actual), money_fa(period.variance, period.direction),
                          (period.rag or "—").upper(), pennies(period.outturn),
                          money_fa(period.outturn_variance, period.outturn_direction),
                          end_section=index == len(total.periods) - 1)
    return table


def _npv_table(result: Reconciliation) -> Table:
    benefit, cur = result.benefit, result.currency
    table = Table(title=f"Payback and NPV at {benefit.discount_rate_percent}%: plan vs {reforecast_label(result)} "
                        f"({cur})", title_justify="left")
    for header in ("Measure", "Plan", "Re-forecast", "Variance"):
        table.add_column(header, justify="left" if header == "Measure" else "right")
    for name, plan, reforecast in (("Payback", benefit.plan_payback, benefit.reforecast_payback),
                                   ("Discounted payback", benefit.plan_discounted_payback,
                                    benefit.reforecast_discounted_payback)):
        plan_text, reforecast_text = payback_json(plan), payback_json(reforecast)
        table.add_row(name, f"{plan_text['period'] or 'never'} ({plan_text['months'] or '—'} months)",
                      f"{reforecast_text['period'] or 'never'} ({reforecast_text['months'] or '—'} months)", "")
    table.add_row(f"NPV ({cur})", pennies(benefit.plan_npv), pennies(benefit.reforecast_npv),
                  money_fa(benefit.npv_variance, benefit.npv_direction))
    table.caption = benefit.discounting_convention
    return table


def _benefit_table(result: Reconciliation) -> Table:
    benefit = result.benefit
    plan, reforecast = payback_json(benefit.plan_payback), payback_json(benefit.reforecast_payback)
    table = Table(title=f"Cumulative benefit: plan vs actual/re-forecast ({result.currency}); payback plan "
                        f"{plan['period'] or 'never'} ({plan['months'] or '—'} months), re-forecast "
                        f"{reforecast['period'] or 'never'} ({reforecast['months'] or '—'} months)",
                  title_justify="left")
    for header in ("Period", "Basis", f"Plan net ({result.currency})", f"Re-forecast net ({result.currency})",
                   "F/A", f"Plan cumulative ({result.currency})", f"Re-forecast cumulative ({result.currency})",
                   f"Plan discounted ({result.currency})", f"Re-forecast discounted ({result.currency})"):
        table.add_column(header, justify="left" if header in ("Period", "Basis", "F/A") else "right")
    for period in benefit.periods:
        table.add_row(period.period, period.basis, pennies(period.plan_net), pennies(period.reforecast_net),
                      fa(period.direction), pennies(period.plan_cumulative), pennies(period.reforecast_cumulative),
                      pennies(period.plan_discounted_net), pennies(period.reforecast_discounted_net))
    return table


def _unallocated_table(result: Reconciliation) -> Table:
    table = Table(title=f"Unallocated spend: no business-case-line tag and no rule matched ({result.currency})",
                  title_justify="left")
    for header in ("Service", "Resource group", "Subscription", "Tag value", f"Amount ({result.currency})", "Rows"):
        table.add_column(header, justify="right" if header.startswith(("Amount", "Rows")) else "left")
    for item in result.unallocated_detail:
        table.add_row(item.service or "—", item.resource_group or "—", item.subscription or "—",
                      item.line_tag or "—", pennies(item.amount), str(item.rows))
    return table


def _provenance_table(result: Reconciliation) -> Table:
    source = result.provenance
    table = Table(title="Where the figures come from", title_justify="left", show_header=False)
    table.add_column("What")
    table.add_column("Source")
    table.add_row("Business case", f"{source.case_file} ({source.case_source or 'no source given'})")
    table.add_row("Actual spend", f"cost store {source.store}: {source.rows} rows in {source.files} files, "
                                  f"currencies {', '.join(source.store_currencies) or 'none'}"
                                  + (f"; FX {source.fx}" if source.fx else ""))
    for name in source.store_sources:
        table.add_row("  store source", name)
    for name in source.ledgers:
        table.add_row("  ledger", name)
    for line in result.lines:
        for found in line.found_by:
            table.add_row(f"  {line.id}", f"{found.how}: {found.rows} rows, {pennies(found.amount)} {result.currency}")
    for note in conventions(result) + source.notes:
        table.add_row("Note", note)
    return table
