"""`estate cost reconcile` (actual spend vs the business case) and `estate cost synthesise` (synthetic demo spend).

Both live in the `estate cost` group beside `cost load` and `cost summary`.
"""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

import typer

from estate.app.costs import DEFAULT_STORE
from estate.cli.cost import ConnectionStringOption, EngineOption, SparkRemoteOption, StoreOption, group

ReportFormat = Literal["text", "json", "csv", "xlsx", "html", "pdf"]
BINARY_FORMATS = ("xlsx", "pdf")


@group.command("reconcile")
def reconcile(
    case: Annotated[Path, typer.Option("--case", help="The business case (YAML).")] = Path("stacks/business-case.yaml"),
    store: StoreOption = DEFAULT_STORE,
    forecast: Annotated[Path | None, typer.Option(
        "--forecast", help="FORECAST.json from `estate forecast --format json`: adds the three-way view.")] = None,
    estate_file: Annotated[Path | None, typer.Option(
        "--estate", help="The estate definition: phases the forecast in from each wave's planned month.")] = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Reconcile up to this month, YYYY-MM (default: the store's latest month).")] = None,
    cost_column: Annotated[Literal["EffectiveCost", "BilledCost"], typer.Option(
        "--cost-column", help="EffectiveCost (amortised, default) or BilledCost (as invoiced).")] = "EffectiveCost",
    green: Annotated[float, typer.Option("--green", min=0, help="Green up to this |variance| in % of the case.")] = 5.0,
    amber: Annotated[float, typer.Option("--amber", min=0, help="Amber up to this |variance| in %, red beyond.")] = 10,
    underspend_green: Annotated[float, typer.Option(
        "--underspend-green", min=0, help="An underspend is green up to this |variance| in % of the case.")] = 10,
    underspend_amber: Annotated[float, typer.Option(
        "--underspend-amber", min=0, help="An underspend is amber up to this |variance| in %, red beyond.")] = 25,
    reforecast: Annotated[Literal["profile", "run-rate"], typer.Option(
        "--reforecast", help="profile (default): actuals, then the case's own remaining profile; run-rate: "
                             "actuals, then the recent monthly run rate for run costs.")] = "profile",
    reforecast_adjust: Annotated[Literal["none", "ytd-variance"], typer.Option(
        "--reforecast-adjust", help="For the profile: ytd-variance (default) carries each line's year-to-date "
                                    "variance, at the same %, into its remaining months; none keeps the case.")]
    = "ytd-variance",
    output_format: Annotated[ReportFormat, typer.Option(
        "--format", help="text (terminal tables), json, csv, xlsx, html or pdf (the HTML board pack on A4).")] = "text",
    out: Annotated[Path | None, typer.Option("--out", help="Write the report to this file (atomically).")] = None,
    engine: EngineOption = "duckdb",
    spark_remote: SparkRemoteOption = None,
    connection_string: ConnectionStringOption = None,
) -> None:
    """Case vs actual (vs forecast) per business-case line and period: variance, RAG, outturn, payback."""
    from estate.app.costs import reconcile as run_reconcile
    from estate.foundation.errors import UsageError

    if output_format in BINARY_FORMATS and out is None:
        raise UsageError(f"--format {output_format} writes a file: give --out FILE.{output_format}")
    result = run_reconcile(case, store, forecast_file=forecast, estate_file=estate_file, as_of=as_of,
                           cost_column=cost_column, green=Decimal(str(green)), amber=Decimal(str(amber)),
                           underspend_green=Decimal(str(underspend_green)),
                           underspend_amber=Decimal(str(underspend_amber)), reforecast=reforecast,
                           reforecast_adjust=reforecast_adjust, engine=engine, spark_remote=spark_remote,
                           connection_string=connection_string)
    _emit(result, output_format, out)


def _emit(result, output_format: str, out: Path | None) -> None:
    from estate.cli.console import emit_text
    from estate.foundation.files import write_atomic_with

    if output_format == "xlsx":
        from costing.reports.xlsx_report import write_xlsx

        write_atomic_with(out, lambda handle: write_xlsx(result, handle))
        typer.echo(f"{out}: written", err=True)
        return
    if output_format == "pdf":
        from costing.reports.pdf_report import write_pdf

        write_atomic_with(out, lambda handle: write_pdf(result, handle))
        typer.echo(f"{out}: written", err=True)
        return
    if output_format == "json":
        import json

        from costing.reports.json_report import to_json

        text = json.dumps(to_json(result), indent=2) + "\n"
    elif output_format == "csv":
        from costing.reports.csv_report import to_csv

        text = to_csv(result)
    elif output_format == "html":
        from costing.reports.html_report import to_html

        text = to_html(result)
    else:
        from costing.reports.text_report import render_text

        text = render_text(result, width=None if sys.stdout.isatty() and out is None else 160)
    emit_text(text, out)


@group.command("synthesise")
def synthesise(
    forecast: Annotated[Path | None, typer.Option(
        "--forecast", help="FORECAST.json from `estate forecast --format json`: price the spend from it (without "
                           "--case).")] = None,
    case: Annotated[Path | None, typer.Option(
        "--case", help="The business case: shape the spend by the estate's waves and scale it to the case's "
                       "cloud-run lines (the demo's default), and write a synthetic ledger for the other lines.")]
    = None,
    estate_file: Annotated[Path, typer.Option("--estate", help="The estate definition (waves, tags, names).")]
    = Path("stacks/estate.yaml"),
    months: Annotated[int, typer.Option("--months", min=1, max=120, help="How many months of spend.")] = 18,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed, same files.")] = 418,
    start: Annotated[str | None, typer.Option(
        "--start", help="First month YYYY-MM (default: the month before the first wave).")] = None,
    out: Annotated[Path, typer.Option("--out", help="Folder for the export files.")] = Path("out/synthetic-export"),
    ledger_out: Annotated[Path | None, typer.Option(
        "--ledger-out", help="With --case: where the synthetic ledger CSV goes (default: synthetic-ledger.csv "
                             "beside the --out folder, so that `estate cost load` of the folder never reads it).")]
    = None,
) -> None:
    """Write a SYNTHETIC FOCUS 1.0 export for the estate (demo data): shaped by the waves and scaled to the case
    (--case), or priced from the forecast (--forecast) with seeded noise."""
    from estate.app.costs import synthesise_costs

    synthetic = synthesise_costs(estate_file, out, case_file=case, forecast_file=forecast, ledger_out=ledger_out,
                                 months=months, seed=seed, start=start)
    result = synthetic.result
    typer.echo(f"{out}: SYNTHETIC FOCUS 1.0 export, {len(result.files)} files, {result.rows} rows, "
               f"{result.first_month} to {result.last_month}, {result.total:,.2f} {result.currency} in all "
               f"({result.untagged_resources} resources untagged); load it with `estate cost load {out}`")
    ledger = synthetic.ledger
    if ledger is not None:
        typer.echo(f"{synthetic.ledger_path}: SYNTHETIC ledger, {ledger.rows} rows for {', '.join(ledger.lines)}, "
                   f"{ledger.first_month} to {ledger.last_month}, {ledger.total:,.0f} {ledger.currency} in all")
        if forecast is not None:
            typer.echo(f"note: with --case the spend is scaled to the case, not priced from {forecast}; give the "
                       "forecast to `estate cost reconcile --forecast` for the three-way view", err=True)
    elif synthetic.unpriced:
        typer.echo(f"note: {forecast} leaves {synthetic.unpriced} components unpriced; they have no synthetic spend "
                   "(give `estate forecast` fuller prices, e.g. a snapshot from `estate prices refresh`)", err=True)
