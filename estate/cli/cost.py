"""`estate cost load` and `estate cost summary`: actual Azure spend from exports into the cost store, and a look."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Literal

import typer

from estate.app.costs import DEFAULT_STORE
from estate.cli.app import app

group = typer.Typer(help="Actual Azure spend: load exports into the cost store, summarise it.",
                    no_args_is_help=True)
app.add_typer(group, name="cost")

StoreOption = Annotated[str, typer.Option(
    "--store", help="The cost store: a directory, or az://CONTAINER/PATH, abfs://CONTAINER/PATH, "
                    "abfss://CONTAINER@ACCOUNT.dfs.core.windows.net/PATH in Azure Storage.")]
ConnectionStringOption = Annotated[str | None, typer.Option(
    "--connection-string", envvar="AZURE_STORAGE_CONNECTION_STRING", show_envvar=True,
    help="Storage connection string for a Blob URL or store (default: the URL's SAS, if it has one, else "
    "DefaultAzureCredential).")]
EngineOption = Annotated[Literal["duckdb", "spark"], typer.Option(
    "--engine", help="duckdb (in-process, default) or spark (a local session, or --spark-remote).")]
SparkRemoteOption = Annotated[str | None, typer.Option(
    "--spark-remote", help="Spark Connect URL (sc://HOST:15002) for --engine spark (default: a local session).")]
FormatOption = Annotated[Literal["text", "json"], typer.Option("--format", help="text (tables) or json.")]


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
    max_uncompressed_mib: Annotated[int, typer.Option(
        "--max-uncompressed-mib", min=1, help="Refuse a file larger than this once decompressed (gzip bombs); "
                                              "see docs/limits.md.")] = 16 * 1024,
    max_line_kib: Annotated[int, typer.Option(
        "--max-line-kib", min=1, max=1024 * 1024, help="Refuse a file with a line longer than this.")] = 1024,
    accept_fx_outlier: Annotated[bool, typer.Option(
        "--accept-fx-outlier", help="Accept an --fx-table rate outside the sanity band (docs/limits.md).")] = False,
    output_format: FormatOption = "text",
) -> None:
    """Load FOCUS or EA/MCA cost exports into the cost store (Parquet, one partition per source and month)."""
    from estate.app.costs import load_costs
    from estate.foundation.safe_text import plain_text

    with _ProgressBar() as bar:
        results = load_costs(source, store, currency=currency, cost_type=cost_type, fx_table=fx_table,
                             connection_string=connection_string, on_total=bar.start, on_progress=bar.show,
                             max_uncompressed_mib=max_uncompressed_mib, max_line_kib=max_line_kib,
                             accept_fx_outlier=accept_fx_outlier)
    if output_format == "json":
        json.dump({"store": str(store), "sources": [r.as_json() for r in results]}, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    for result in results:
        if result.status == "unchanged":
            typer.echo(plain_text(f"{result.name}: unchanged ({'; '.join(result.notes)}); nothing added"))
            continue
        months = ", ".join(f"{month} ({rows})" for month, rows in result.months.items())
        typer.echo(plain_text(f"{result.name}: loaded {result.rows_stored} rows as {result.data_format}; "
                              f"months: {months}"))
        for note in result.notes:
            typer.echo(plain_text(f"  note: {note}"))
    typer.echo(f"store: {store}")


class _ProgressBar:
    """A progress bar on stderr when it is a terminal: bytes of the export files done."""

    def __enter__(self) -> _ProgressBar:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

        console = Console(stderr=True)
        columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn())
        self.progress = Progress(*columns, console=console, disable=not console.is_terminal, transient=True)
        self.progress.__enter__()
        self.task = None
        self.finished: dict[str, int] = {}
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(*exc)

    def start(self, total: int) -> None:
        if self.task is None:
            self.task = self.progress.add_task("loading", total=total or None)
        else:
            self.progress.update(self.task, total=total or None)

    def show(self, step) -> None:  # step: costing.actuals.load.FileProgress
        from estate.cli.console import terminal_text

        if self.task is None:
            self.start(0)
        if step.done:
            self.finished[step.file] = step.size
        reading = 0 if step.done else step.fraction * step.size
        name = step.file.rstrip("/").rsplit("/", 1)[-1]
        self.progress.update(self.task, completed=sum(self.finished.values()) + reading,
                             description=f"{terminal_text(name)}: {step.rows:,} rows")


@group.command("summary")
def summary(
    store: StoreOption = DEFAULT_STORE,
    by: Annotated[str, typer.Option(help="Group by: month, business-case-line, service (comma-separated).")] = "month",
    output_format: FormatOption = "text",
    case: Annotated[Path | None, typer.Option(
        "--case", help="Place spend on business-case lines as `cost reconcile` does (tag, then the case's rules).")]
    = None,
    engine: EngineOption = "duckdb",
    spark_remote: SparkRemoteOption = None,
    connection_string: ConnectionStringOption = None,
) -> None:
    """Totals of billed (actual) and effective (amortised) cost in the store, by month, business-case line, service."""
    from rich.table import Table

    from estate.app.costs import summarise_costs
    from estate.cli.console import data_console

    result = summarise_costs(store, by, case_file=case, engine=engine, spark_remote=spark_remote,
                             connection_string=connection_string)
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
    data_console(width=None if sys.stdout.isatty() else 150).print(table)  # services and tags are data
