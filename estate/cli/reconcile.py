"""`estate cost reconcile` (actual spend vs the business case) and `estate cost synthesise` (synthetic demo spend).

Both live in the `estate cost` group beside `cost load` and `cost summary`.
"""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

import typer

from estate.cli.cost import ConnectionStringOption, EngineOption, SparkRemoteOption, StoreOption, group

ReportFormat = Literal["text", "json", "csv", "xlsx", "html"]
BINARY_FORMATS = ("xlsx",)


@group.command("reconcile")
def reconcile(
    case: Annotated[Path, typer.Option("--case", help="The business case (YAML).")] = Path("stacks/business-case.yaml"),
    store: StoreOption = "out/cost-store",
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
    output_format: Annotated[ReportFormat, typer.Option(
        "--format", help="text (terminal tables), json, csv, xlsx or html.")] = "text",
    out: Annotated[Path | None, typer.Option("--out", help="Write the report to this file (atomically).")] = None,
    engine: EngineOption = "duckdb",
    spark_remote: SparkRemoteOption = None,
    connection_string: ConnectionStringOption = None,
) -> None:
    """Case vs actual (vs forecast) per business-case line and period: variance, RAG, outturn, payback."""
    from costing.actuals.engines import engine_named
    from costing.actuals.storage import open_storage
    from costing.reconcile.model import RagThresholds
    from costing.reconcile.run import ReconcileRequest
    from costing.reconcile.run import reconcile as run_reconcile
    from estate.foundation.errors import UsageError

    if output_format in BINARY_FORMATS and out is None:
        raise UsageError(f"--format {output_format} writes a file: give --out FILE.{output_format}")
    thresholds = RagThresholds(Decimal(str(green)), Decimal(str(amber)))
    result = run_reconcile(ReconcileRequest(case_file=case, store=open_storage(store, connection_string),
                                            forecast_file=forecast, estate_file=estate_file, as_of=as_of,
                                            cost_column=cost_column, thresholds=thresholds),
                           engine=engine_named(engine, spark_remote=spark_remote))
    _emit(result, output_format, out)


def _emit(result, output_format: str, out: Path | None) -> None:
    from estate.foundation.files import write_atomic, write_atomic_with

    if output_format == "xlsx":
        from costing.reports.xlsx_report import write_xlsx

        write_atomic_with(out, lambda handle: write_xlsx(result, handle))
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
    if out is None:
        sys.stdout.write(text)
        return
    write_atomic(out, text)
    typer.echo(f"{out}: written", err=True)


@group.command("synthesise")
def synthesise(
    forecast: Annotated[Path, typer.Option("--forecast", help="FORECAST.json from `estate forecast --format json`.")],
    estate_file: Annotated[Path, typer.Option("--estate", help="The estate definition (waves, tags, names).")]
    = Path("stacks/estate.yaml"),
    months: Annotated[int, typer.Option("--months", min=1, max=120, help="How many months of spend.")] = 18,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed, same files.")] = 418,
    start: Annotated[str | None, typer.Option(
        "--start", help="First month YYYY-MM (default: the month before the first wave).")] = None,
    out: Annotated[Path, typer.Option("--out", help="Folder for the export files.")] = Path("out/synthetic-export"),
) -> None:
    """Write a SYNTHETIC FOCUS 1.0 export for the estate, priced from its forecast with seeded noise (demo data)."""
    from costing.reconcile.estimate import read_forecast
    from costing.reconcile.run import parse_month
    from costing.synthetic import SyntheticOptions
    from costing.synthetic import synthesise as write_synthetic
    from estate.definition.loader import load_estate

    estate = load_estate(estate_file)
    options = SyntheticOptions(months=months, seed=seed, start=parse_month(start, "--start") if start else None)
    priced = read_forecast(forecast)
    result = write_synthetic(estate, priced, out, options)
    typer.echo(f"{out}: SYNTHETIC FOCUS 1.0 export, {len(result.files)} files, {result.rows} rows, "
               f"{result.first_month} to {result.last_month}, {result.total:,.2f} {result.currency} in all "
               f"({result.untagged_resources} resources untagged); load it with `estate cost load {out}`")
    if priced.unpriced:
        typer.echo(f"note: {forecast} leaves {priced.unpriced} components unpriced; they have no synthetic spend "
                   "(give `estate forecast` fuller prices, e.g. a snapshot from `estate prices refresh`)", err=True)
