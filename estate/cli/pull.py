"""`estate cost pull`: actual spend straight from Azure Cost Management into the cost store."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Literal

import typer

from estate.cli.cost import DEFAULT_STORE, ConnectionStringOption, FormatOption, StoreOption, group


@group.command("pull")
def pull(
    scope: Annotated[list[str], typer.Option(
        "--scope", help="A Cost Management scope: /subscriptions/<id>, .../resourceGroups/<name>, "
                        "/providers/Microsoft.Management/managementGroups/<id> or "
                        "/providers/Microsoft.Billing/billingAccounts/<id>. Repeat for several.")],
    from_month: Annotated[str, typer.Option("--from", help="First month, YYYY-MM.")],
    to_month: Annotated[str, typer.Option("--to", help="Last month, YYYY-MM.")],
    store: StoreOption = DEFAULT_STORE,
    metric: Annotated[Literal["ActualCost", "AmortizedCost"], typer.Option(
        "--metric", help="ActualCost (as invoiced) or AmortizedCost (reservations spread over their term).")
    ] = "ActualCost",
    endpoint: Annotated[str | None, typer.Option(
        "--endpoint", help="Management endpoint of another cloud, e.g. https://management.usgovcloudapi.net "
                           "(default: Azure public cloud).")] = None,
    method: Annotated[Literal["query", "details"], typer.Option(
        "--method", help="query: daily cost by resource and business-case line (Query API); details: every "
                         "column and tag (Cost Details API report).")] = "query",
    group_by: Annotated[list[str] | None, typer.Option(
        "--group-by", help="Query groupings instead of the default ResourceId + tag:business-case-line: a "
                           "dimension (ServiceName) or tag:<key>; at most two.")] = None,
    refresh: Annotated[bool, typer.Option(
        "--refresh", help="Pull closed months again even if the store has them.")] = False,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="The open month, YYYY-MM (default: this month); it is always pulled again.")] = None,
    max_retries: Annotated[int, typer.Option(
        "--max-retries", min=0, max=20, help="Retries of a throttled (429) or failing (5xx) query before the "
                                             "pull stops with the month it could not get.")] = 6,
    output_format: FormatOption = "text",
    connection_string: ConnectionStringOption = None,
) -> None:
    """Pull daily cost per scope and month into the store; resumable: rerun to continue, no row twice."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from estate.app.costs import PullRequest, pull_costs

    request = PullRequest(scopes=scope, from_month=from_month, to_month=to_month, store=store, metric=metric,
                          method=method, group_by=group_by or [], refresh=refresh, as_of=as_of, endpoint=endpoint,
                          max_retries=max_retries, connection_string=connection_string)
    console = Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, disable=not console.is_terminal) as progress:
        task = progress.add_task(f"{method} {metric}", total=None)

        def advance(scope_done: str, month: str, what: str) -> None:
            progress.update(task, advance=1, description=f"/{scope_done} {month}: {what}")

        report = pull_costs(request, on_start=lambda total: progress.update(task, total=total), advance=advance)
    if output_format == "json":
        json.dump(report.as_json(), sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    typer.echo(f"{store}: pulled {len(report.pulled)} month(s) ({report.rows} rows, {report.queries} "
               f"{'queries' if method == 'query' else 'reports'}), kept {len(report.kept)} closed month(s) "
               f"already in the store; metric {metric}")
