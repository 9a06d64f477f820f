"""`estate case show`: the business case as a finance officer reads it, its derived figures and its inconsistencies."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from estate.app.case import DEFAULT_CASE_FILE
from estate.cli.app import app

if TYPE_CHECKING:
    from rich.table import Table

    from costing.business_case import BusinessCase, Check, Derived

group = typer.Typer(help="The business case: its financial table, derived figures and consistency checks.",
                    no_args_is_help=True)
app.add_typer(group, name="case")

CaseFile = Annotated[Path, typer.Argument(help="The business case (YAML).", show_default=True)]


@group.command("show")
def show(
    file: CaseFile = DEFAULT_CASE_FILE,
    output_format: Annotated[
        Literal["text", "json"], typer.Option("--format", help="text (tables) or json.")
    ] = "text",
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 if any stated figure disagrees.")] = False,
) -> None:
    """Show the case's lines by period, benefit, cumulative position, payback, NPV and every stated-figure check."""
    from costing.business_case.report import case_json
    from estate.app.case import show_case

    view = show_case(file)
    case, derived, checks = view.case, view.derived, view.checks
    if output_format == "json":
        json.dump(case_json(case, derived, checks), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        _print_text(case, derived, checks)
    failed = view.disagreements
    if failed and strict:
        sys.stderr.write(f"estate: {len(failed)} stated figure{'s' if len(failed) != 1 else ''} disagree with "
                         f"the case's lines (--strict)\n")
        raise typer.Exit(1)


def _print_text(case: BusinessCase, derived: Derived, checks: list[Check]) -> None:
    from estate.cli.console import data_console

    # Piped output (CI logs, `make demo` into out/) gets a fixed width wide enough for the tables.
    console = data_console(width=None if sys.stdout.isatty() else 150)  # labels are data: no markup
    console.print(_table(case, derived))
    console.print(_summary(case, derived))
    console.print(_checks(checks))
    failed = [check for check in checks if not check.ok]
    console.print(f"Warnings: {len(failed)}" if failed else "Warnings: none")
    for number, check in enumerate(failed, start=1):
        console.print(f"  {number}. {check.warning}", soft_wrap=True)


def _table(case: BusinessCase, derived: Derived) -> Table:
    from rich.table import Table

    from costing.business_case.report import rounded
    from estate.foundation.money import exact_amount

    table = Table(title=f"{case.name} ({case.organisation}): financial case, {case.money_unit}",
                  title_justify="left")
    for column in ("line", "id", "kind", "cap/rev"):
        table.add_column(column)
    for period in derived.periods:
        table.add_column(period.label, justify="right")
    table.add_column("total", justify="right")
    for line in case.lines:
        label = line.label if line.in_totals else f"{line.label} *"
        table.add_row(label, line.id, line.kind, line.classification, *_cells(line.values))
    table.add_section()
    for name, values in (("Baseline", derived.baseline), ("Transformed cost", derived.transformed),
                         ("Benefit", derived.benefit), ("One-off cost", derived.one_off),
                         ("Annual saving (benefit - one-off)", derived.net)):
        table.add_row(name, "", "", "", *_cells(values))
    table.add_row("Cumulative position", "", "", "", *(exact_amount(value) for value in derived.cumulative), "")
    table.add_section()
    table.add_row("Capital (costs)", "", "", "", *_cells(derived.capital))
    table.add_row("Revenue (costs)", "", "", "", *_cells(derived.revenue))
    table.add_section()
    table.add_row("Discount factor", "", "", "", *(f"{factor:.4f}" for factor in derived.discount_factors), "")
    table.add_row("Discounted cumulative", "", "", "",
                  *(exact_amount(rounded(value)) for value in derived.discounted_cumulative), "")
    if derived.outside_totals:
        table.caption = "* shown for tracking, not counted in any total (outside the case's own table)"
    return table


def _cells(values: list[Decimal]) -> list[str]:
    from estate.foundation.money import exact_amount

    return [exact_amount(value) for value in values] + [exact_amount(sum(values, Decimal(0)))]


def _summary(case: BusinessCase, derived: Derived) -> Table:
    from rich.table import Table

    from costing.business_case.checks import months_text
    from costing.business_case.report import rounded
    from estate.foundation.money import exact_amount

    table = Table(title="Derived", show_header=False, title_justify="left")
    table.add_column("what", style="bold")
    table.add_column("value")
    for name, payback in (("Payback", derived.payback), ("Discounted payback", derived.discounted_payback)):
        table.add_row(name, f"in {payback.period}, {months_text(payback.months)} months" if payback.months is not None
                      else f"not reached by the end of {derived.periods[-1].label}")
    table.add_row(f"NPV at {derived.discount_rate_percent}%", f"{exact_amount(rounded(derived.npv))} {case.money_unit}")
    table.add_row("Convention", derived.convention)
    for measure in case.savings_measures:
        table.add_row(measure.label, f"{exact_amount(measure.monthly_saving)} a month x 12 = "
                      f"{exact_amount(measure.annual_saving)} {case.money_unit} a year (not in the totals)")
    if case.savings_measures:
        table.add_row("Savings measures, a year", f"{exact_amount(derived.savings_measures_annual)} {case.money_unit}")
    return table


def _checks(checks: list[Check]) -> Table:
    from rich.table import Table

    table = Table(title="Stated figures against the lines", title_justify="left")
    for column in ("figure", "stated", "computed", "result", "where the case states it"):
        table.add_column(column, overflow="fold")
    for check in checks:
        table.add_row(check.what, check.stated, check.computed, "ok" if check.ok else "MISMATCH", check.source)
    return table


@group.command("budgets")
def budgets(
    file: CaseFile = DEFAULT_CASE_FILE,
    financial_year: Annotated[
        str | None, typer.Option("--financial-year", help="e.g. 2026/27 (default: the current one).")
    ] = None,
    emails: Annotated[list[str], typer.Option("--email", help="Alert contact e-mail (repeat for more).")] = [],  # noqa: B006
    carry_forward: Annotated[
        bool, typer.Option("--carry-forward", help="Price months after the case's last period at its run rate.")
    ] = False,
    output_format: Annotated[
        Literal["text", "json"], typer.Option("--format", help="text (table) or json.")
    ] = "text",
) -> None:
    """The Azure budgets the platform stack derives from the case: one per cloud-run line for a financial year."""
    from estate.app.case import case_budgets

    budgets_view = case_budgets(file, financial_year=financial_year, emails=emails, carry_forward=carry_forward)
    case, year, specs = budgets_view.case, budgets_view.financial_year, budgets_view.specs
    if output_format == "json":
        json.dump([_budget_json(spec) for spec in specs], sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    from rich.table import Table

    from estate.cli.console import data_console

    table = Table(title=f"Budgets for {year} (azure-native:consumption:Budget, filtered by tag business-case-line)",
                  title_justify="left")
    for column in ("budget", "line", f"amount ({case.currency})", "from", "to", "alerts", "basis"):
        table.add_column(column, justify="right" if column.startswith("amount") else "left",
                         no_wrap=column in ("budget", "line", "from", "to"))
    for spec in specs:
        alerts = ", ".join(f"{alert.threshold_percent}% {alert.threshold_type.lower()}" for alert in spec.alerts)
        table.add_row(spec.name, spec.line, f"{spec.amount:,}", spec.start_date.isoformat(), spec.end_date.isoformat(),
                      alerts, spec.basis)
    data_console(width=None if sys.stdout.isatty() else 150).print(table)


def _budget_json(spec: object) -> dict[str, object]:
    from costing.business_case import BudgetSpec

    assert isinstance(spec, BudgetSpec)
    return {"name": spec.name, "line": spec.line, "amount": str(spec.amount), "currency": spec.currency,
            "start_date": spec.start_date.isoformat(), "end_date": spec.end_date.isoformat(),
            "alerts": [{"threshold_percent": str(alert.threshold_percent), "threshold_type": alert.threshold_type}
                       for alert in spec.alerts],
            "contact_emails": list(spec.contact_emails), "basis": spec.basis}


@group.command("init")
def init(
    estate_file: Annotated[Path, typer.Option("--estate", help="The estate definition (YAML).")],
    baseline_annual: Annotated[str, typer.Option("--baseline-annual", help="Today's yearly cost, in the estate's "
                                                 "billing currency (e.g. 1872000).")],
    forecast: Annotated[Path | None, typer.Option("--forecast", help="JSON of `estate forecast --format json` for "
                                                  "this estate: fills the cloud-run lines.")] = None,
    first_year: Annotated[int | None, typer.Option("--first-year", help="Start year of the first financial year "
                                                   "(default: the current one).")] = None,
    years: Annotated[int, typer.Option("--years", min=1, max=15, help="Financial years in the case.")] = 5,
    out: Annotated[Path, typer.Option("--out", help="The business case to write.")] = Path("business-case.yaml"),
    force: Annotated[bool, typer.Option("--force", help="Replace --out if it exists.")] = False,
) -> None:
    """Start a business-case skeleton from an estate: baseline, cloud-run lines from its forecast, retained-run
    lines from its retained hosts, each marked [assumption]."""
    from estate.app.case import init_case

    made = init_case(estate_file, baseline_annual, forecast=forecast, first_year=first_year, years=years, out=out,
                     force=force)
    case = made.case
    typer.echo(f"wrote {made.written}: {len(case.lines)} lines over {len(case.periods)} years "
               f"({case.periods[0]} to {case.periods[-1]}); every figure is marked [assumption]")
