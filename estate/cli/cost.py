"""`estate cost load` and `estate cost summary`: actual Azure spend from exports into the cost store, and a look."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Literal

import typer

from estate.cli.app import app

group = typer.Typer(help="Actual Azure spend: load exports into the cost store, summarise it.",
                    no_args_is_help=True)
app.add_typer(group, name="cost")

DEFAULT_STORE = "out/cost-store"
StoreOption = Annotated[str, typer.Option(
    "--store", help="The cost store: a directory, or az://CONTAINER/PATH, abfs://CONTAINER/PATH, "
                    "abfss://CONTAINER@ACCOUNT.dfs.core.windows.net/PATH in Azure Storage.")]
ConnectionStringOption = Annotated[str | None, typer.Option(
    "--connection-string", envvar="AZURE_STORAGE_CONNECTION_STRING", show_envvar=True,
    help="Storage connection string for a Blob URL or store (default: DefaultAzureCredential).")]
FormatOption = Annotated[Literal["text", "json"], typer.Option("--format", help="text (tables) or json.")]
EngineOption = Annotated[Literal["duckdb", "spark"], typer.Option(
    "--engine", help="duckdb (in-process, default) or spark (a local session, or --spark-remote).")]
SparkRemoteOption = Annotated[str | None, typer.Option(
    "--spark-remote", help="Spark Connect URL (sc://HOST:15002) for --engine spark (default: a local session).")]


@group.command("load")
def load(
    source: Annotated[str, typer.Argument(help="A cost export file or folder, or a Blob container URL "
                                               "(https://ACCOUNT.blob.core.windows.net/CONTAINER/PREFIX).")],
    store: StoreOption = DEFAULT_STORE,
    currency: Annotated[str | None, typer.Option(
        help="Billing currency for files with no BillingCurrency column (e.g. GBP).")] = None,
    cost_type: Annotated[str | None, typer.Option(
        "--cost-type", help="actual or amortized, for legacy cost-details files without a manifest "
                            "(default: from the manifest, else from the file name, else actual).")] = None,
    fx_table: Annotated[Path | None, typer.Option(
        "--fx-table", help="CSV from_currency,to_currency,month,rate; allows more than one billing currency.")] = None,
    connection_string: ConnectionStringOption = None,
    output_format: FormatOption = "text",
) -> None:
    """Load FOCUS or EA/MCA cost exports into the cost store (Parquet, one partition per source and month)."""
    from costing.actuals.fx import read_fx_file
    from costing.actuals.load import LoadOptions, SourceResult, check_cost_type, loaded_blob_etags
    from costing.actuals.sources.blob import download_exports, is_blob_url
    from costing.actuals.sources.local import discover
    from costing.actuals.storage import open_storage

    store = open_storage(store, connection_string)
    check_cost_type(cost_type)
    options = LoadOptions(currency=currency, cost_type=cost_type,
                          fx_table=read_fx_file(fx_table) if fx_table else None)
    if is_blob_url(source):
        with tempfile.TemporaryDirectory(prefix="estate-blobs-") as temp:
            download = download_exports(source, Path(temp), connection_string, loaded_blob_etags(store))
            results = [SourceResult(name, "unchanged", notes=[why]) for name, why in download.unchanged]
            results += _load_showing_progress(download.sources(Path(temp)), store, options)
    else:
        root = Path(source)
        sources = discover(root, lambda relative: str(root / relative) if relative else str(root))
        results = _load_showing_progress(sources, store, options)
    if output_format == "json":
        json.dump({"store": str(store), "sources": [r.as_json() for r in results]}, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    for result in results:
        if result.status == "unchanged":
            typer.echo(f"{result.name}: unchanged ({'; '.join(result.notes)}); nothing added")
            continue
        months = ", ".join(f"{month} ({rows})" for month, rows in result.months.items())
        typer.echo(f"{result.name}: loaded {result.rows_stored} rows as {result.data_format}; months: {months}")
        for note in result.notes:
            typer.echo(f"  note: {note}")
    typer.echo(f"store: {store}")


def _load_showing_progress(sources, store, options):
    """load_sources with a progress bar on stderr when it is a terminal (bytes of the export files done)."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    from costing.actuals.load import FileProgress, load_sources

    console = Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn())
    total = sum(export.path.stat().st_size for source in sources for export in source.files)
    with Progress(*columns, console=console, disable=not console.is_terminal, transient=True) as progress:
        task = progress.add_task("loading", total=total or None)
        finished: dict[str, int] = {}

        def show(step: FileProgress) -> None:
            if step.done:
                finished[step.file] = step.size
            reading = 0 if step.done else step.fraction * step.size
            name = step.file.rstrip("/").rsplit("/", 1)[-1]
            progress.update(task, completed=sum(finished.values()) + reading,
                            description=f"{name}: {step.rows:,} rows")

        return load_sources(sources, store, options, progress=show)


@group.command("summary")
def summary(
    store: StoreOption = DEFAULT_STORE,
    by: Annotated[str, typer.Option(help="Group by: month, business-case-line, service (comma-separated).")] = "month",
    output_format: FormatOption = "text",
    engine: EngineOption = "duckdb",
    spark_remote: SparkRemoteOption = None,
    connection_string: ConnectionStringOption = None,
) -> None:
    """Totals of billed (actual) and effective (amortised) cost in the store, by month, business-case line, service."""
    from rich.console import Console
    from rich.table import Table

    from costing.actuals.engines import engine_named
    from costing.actuals.storage import open_storage
    from costing.actuals.summary import parse_by, summarise

    result = summarise(open_storage(store, connection_string), parse_by(by),
                       engine_named(engine, spark_remote=spark_remote))
    if output_format == "json":
        json.dump(result.as_json(), sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    table = Table(title=f"Actual spend in {store} ({result.currency})", title_justify="left")
    for name in result.by:
        table.add_column(name)
    for name in (f"billed cost {result.currency}", f"effective cost {result.currency}", "rows"):
        table.add_column(name, justify="right")
    for row in [*result.rows, result.total]:
        if row is result.total:
            table.add_section()
        keys = row.keys or ("total", *[""] * (len(result.by) - 1))
        table.add_row(*keys, f"{row.billed_cost:,.2f}", f"{row.effective_cost:,.2f}", f"{row.rows:,}")
    Console(highlight=False, width=None if sys.stdout.isatty() else 150).print(table)
