"""`estate waves plan`: group the estate's servers into migration waves from their dependencies."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from estate.cli.app import app

group = typer.Typer(help="Plan migration waves from dependencies.", no_args_is_help=True)
app.add_typer(group, name="waves")


@group.command("plan")
def plan(
    estate_file: Annotated[Path, typer.Option("--estate", help="The estate definition (YAML).")],
    dependencies: Annotated[Path | None, typer.Option("--dependencies", help="Azure Migrate dependency export or a "
                                                      "source,destination CSV.")] = None,
    max_servers: Annotated[int, typer.Option("--max-servers-per-wave", min=1, help="Cap on servers per wave.")] = 50,
    first_month: Annotated[str | None, typer.Option("--first-wave-month", help="YYYY-MM of the first wave "
                                                    "(default: next month).")] = None,
    months_between: Annotated[int, typer.Option("--months-between-waves", min=0)] = 1,
    keep_together: Annotated[Literal["application", "folder", "cluster"] | None,
                             typer.Option("--keep-together", help="Also keep these groups in one wave.")] = None,
    pilot_size: Annotated[int, typer.Option("--pilot-servers", min=0, help="Most servers in the pilot wave.")] = 10,
    out: Annotated[Path | None, typer.Option("--out", help="Write here instead of back into --estate.")] = None,
) -> None:
    """Group the servers into waves: dependencies together, pilot first, then by complexity; report every cut."""
    import sys

    from rich.table import Table

    from estate.app.inventory import plan_waves
    from estate.cli.console import data_console

    planned = plan_waves(estate_file, dependencies=dependencies, max_servers=max_servers, first_month=first_month,
                         months_between=months_between, keep_together=keep_together, pilot_size=pilot_size, out=out)
    result, written = planned.result, planned.written
    console = data_console(width=None if sys.stdout.isatty() else 150)  # server names are data
    table = Table(title=f"Waves (at most {max_servers} servers each) -> {written}", title_justify="left")
    for column in ("wave", "month", "complexity"):
        table.add_column(column)
    for column in ("servers", "dependencies cut"):
        table.add_column(column, justify="right")
    for wave in result.plan.waves:
        table.add_row(wave.name, result.months[wave.name], wave.complexity, str(wave.servers), str(wave.cuts))
    console.print(table)
    if result.plan.cuts:
        cuts = Table(title="Dependencies cut (servers in different waves)", title_justify="left")
        for column in ("from", "to", "reason"):
            cuts.add_column(column, overflow="fold")
        for cut in result.plan.cuts:
            cuts.add_row(cut.source, cut.destination, cut.reason)
        console.print(cuts)
    else:
        console.print("No dependency was cut: every linked group fits in one wave.")
    for flag in result.flags:
        console.print(f"flag: {flag.server} has a latency-critical link to retained host {flag.retained_host}"
                      + (f" (port {flag.port})" if flag.port else ""))
    for key in result.plan.oversized:
        console.print(f"warning: {key} is more servers than --max-servers-per-wave {max_servers} on its own: it has a "
                      "wave of its own (split the entry to spread it)", soft_wrap=True)
    for message in result.out_of_support:
        console.print(f"warning: {message}", soft_wrap=True)
    if result.unknown_links:
        console.print(f"{result.unknown_links} of {result.links} links name servers that are in neither the waves "
                      "nor the retained hosts: left out")
