"""`estate cost pull`: actual spend straight from Azure Cost Management into the cost store."""

from __future__ import annotations

import json
import sys
import tempfile
from datetime import date
from pathlib import Path
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

    from costing.costapi.client import cost_client
    from costing.costapi.pull import PullPlan, check_one_metric, check_scopes, pull_details, pull_queries
    from costing.costapi.query import DEFAULT_GROUPINGS, Grouping, check_groupings, months_between
    from costing.costapi.sink import StoreChunks
    from costing.costapi.throttle import CostManagementRetryPolicy

    scopes = check_scopes(scope)
    months = months_between(from_month, to_month)
    today = date.fromisoformat(f"{months_between(as_of, as_of)[0]}-01") if as_of else date.today()
    groupings = check_groupings(tuple(Grouping.parse(g) for g in group_by) if group_by else DEFAULT_GROUPINGS)
    from costing.actuals.storage import open_storage

    chunks = StoreChunks(open_storage(store, connection_string))
    check_one_metric(chunks, scopes, metric)
    client = cost_client(endpoint, retry_policy=CostManagementRetryPolicy(max_retries=max_retries))
    plan = PullPlan(scopes=scopes, months=months, metric=metric, groupings=groupings, refresh=refresh)
    console = Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, disable=not console.is_terminal) as progress:
        task = progress.add_task(f"{method} {metric}", total=len(scopes) * len(months))

        def advance(scope_done: str, month: str, what: str) -> None:
            progress.update(task, advance=1, description=f"/{scope_done} {month}: {what}")

        if method == "query":
            report = pull_queries(client, chunks, plan, today=today, advance=advance)
        else:
            with tempfile.TemporaryDirectory(prefix="estate-cost-details-") as work:
                report = pull_details(client, chunks, plan, today=today, work_dir=Path(work), advance=advance)
    summary = {"store": str(store), "metric": metric, "method": method, "queries": report.queries,
               "rows": report.rows, "pulled": [{"scope": f"/{s}", "month": m} for s, m in report.pulled],
               "kept": [{"scope": f"/{s}", "month": m} for s, m in report.skipped]}
    if output_format == "json":
        json.dump(summary, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    typer.echo(f"{store}: pulled {len(report.pulled)} month(s) ({report.rows} rows, {report.queries} "
               f"{'queries' if method == 'query' else 'reports'}), kept {len(report.skipped)} closed month(s) "
               f"already in the store; metric {metric}")
