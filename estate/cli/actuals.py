"""`estate actuals load`: the council's finance ledger (spend Azure never bills) into the cost store."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Literal

import typer

from estate.app.costs import DEFAULT_STORE
from estate.cli.app import app
from estate.cli.cost import StoreOption

group = typer.Typer(help="Actual spend from the finance ledger, for the business-case lines Azure does not bill.",
                    no_args_is_help=True)
app.add_typer(group, name="actuals")


@group.command("load")
def load(
    ledger: Annotated[Path, typer.Argument(help="LEDGER.csv or LEDGER.xlsx with header "
                                                "period,line,amount,currency,supplier,reference,classification.")],
    store: StoreOption = DEFAULT_STORE,
    case: Annotated[Path | None, typer.Option(
        "--case", help="Check every row's line against this business case now (otherwise at reconcile).")] = None,
    output_format: Annotated[Literal["text", "json"], typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """Load a finance-ledger extract into the cost store: exact amounts, idempotent, all or nothing."""
    from estate.app.costs import load_ledger_actuals

    result = load_ledger_actuals(ledger, store, case_file=case)
    if output_format == "json":
        json.dump({"store": str(store), "ledgers": [result.as_json()]}, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    if result.status == "unchanged":
        typer.echo(f"{result.name}: unchanged ({'; '.join(result.notes)}); nothing added")
    else:
        months = ", ".join(f"{month} ({rows})" for month, rows in result.months.items())
        totals = ", ".join(f"{amount} {currency}" for currency, amount in result.totals.items())
        typer.echo(f"{result.name}: {result.status} {result.rows} ledger rows, {totals}; months: {months}")
        if case is None:
            typer.echo("  note: lines not checked against a case now (give --case); `estate cost reconcile` checks "
                       "them")
        else:
            typer.echo(f"  every row's line checked against {case}")
    typer.echo(f"store: {store}")
