"""`estate prices refresh`, `estate forecast PLAN...` and `estate forecast diff OLD NEW`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Literal

import typer

from estate.cli.app import app
from estate.cli.console import emit_text
from estate.cli.groups import DefaultCommandGroup

prices_group = typer.Typer(help="Azure retail prices: download dated snapshots from the Retail Prices API.",
                           no_args_is_help=True)
app.add_typer(prices_group, name="prices")

PricesOption = Annotated[list[Path] | None, typer.Option(
    "--prices", help="A price source, repeatable, first wins: rate card (.yaml), price snapshot or API page "
                     "(.json), EA/MCA price sheet (.csv, replaces prices by meter id).")]
UsageOption = Annotated[Path | None, typer.Option("--usage", help="Usage and FX rates (e.g. stacks/usage.yaml).")]
EstateOption = Annotated[Path | None, typer.Option(
    "--estate", help="The estate definition (default: the plans' estate:estateFile setting).")]
AsOfOption = Annotated[str | None, typer.Option(
    "--as-of", help="Price date YYYY-MM-DD (prices outside their effective dates are ignored; default today).")]
OutOption = Annotated[Path | None, typer.Option("--out", help="Write to this file (atomically) instead of stdout.")]
FxOutlierOption = Annotated[bool, typer.Option(
    "--accept-fx-outlier", help="Accept an FX rate outside the sanity band (docs/limits.md).")]


@prices_group.command("refresh")
def prices_refresh(
    region: Annotated[list[str], typer.Option("--region", help="ARM region, repeatable (e.g. uksouth).")],
    currency: Annotated[str, typer.Option("--currency", help="ISO currency code of the prices.")] = "GBP",
    service: Annotated[list[str] | None, typer.Option(
        "--service", help="Only this serviceName, repeatable (e.g. 'Virtual Machines').")] = None,
    out_dir: Annotated[Path, typer.Option("--out-dir", help="Where the dated snapshot is written.")] = Path("prices"),
    base_url: Annotated[str, typer.Option("--base-url", help="The Retail Prices API endpoint.")] = "",
) -> None:
    """Download retail prices for regions (and services) into a dated snapshot, written atomically."""
    from estate.app.forecast import refresh_prices

    snapshot = refresh_prices(region, currency=currency, services=service or [], out_dir=out_dir, base_url=base_url)
    typer.echo(f"{snapshot.path}: {snapshot.count} prices ({snapshot.currency}) for {', '.join(snapshot.regions)}"
               + (f", services {', '.join(snapshot.services)}" if snapshot.services else ""))


forecast_group = typer.Typer(
    cls=DefaultCommandGroup, no_args_is_help=False,
    help="Monthly and annual cost of plans, every price with its source; unpriced resources listed with reasons. "
         "`estate forecast PLAN... --prices SRC` prices plans; `estate forecast diff OLD NEW` shows the change.")
app.add_typer(forecast_group, name="forecast")


@forecast_group.command(DefaultCommandGroup.DEFAULT, hidden=True)
def forecast(
    plans: Annotated[list[str], typer.Argument(
        metavar="PLAN", help="Plans (pulumi preview --json or estate synth; ARM What-If also read).")],
    prices: PricesOption = None,
    usage: UsageOption = None,
    by: Annotated[Literal["resource", "wave", "business-case-line", "service"], typer.Option(
        "--by", help="Group totals by resource, wave, business-case-line or service.")] = "resource",
    output_format: Annotated[Literal["text", "json", "csv"], typer.Option(
        "--format", help="text, json or csv.")] = "text",
    estate_file: EstateOption = None,
    as_of: AsOfOption = None,
    out: OutOption = None,
    accept_fx_outlier: FxOutlierOption = False,
) -> None:
    """Monthly and annual cost of plans, every price with its source; unpriced resources listed with reasons.

    `estate forecast diff OLD NEW` shows the monthly cost change between two plans (see its --help).
    """
    from costing.forecast.report import to_csv, to_json
    from estate.app.forecast import forecast as run_forecast

    result = run_forecast(plans, prices or [], usage=usage, estate_file=estate_file, as_of=as_of,
                          accept_fx_outlier=accept_fx_outlier)
    if output_format == "json":
        emit_text(json.dumps(to_json(result, by), indent=2) + "\n", out)
    elif output_format == "csv":
        emit_text(to_csv(result), out)
    else:
        from estate.cli.forecast_text import render_forecast

        emit_text(render_forecast(result, by, width=None if sys.stdout.isatty() and not out else 160), out)


@forecast_group.command("diff")
def forecast_diff(
    old: Annotated[str, typer.Argument(metavar="OLD", help="The plan before the change.")],
    new: Annotated[str, typer.Argument(metavar="NEW", help="The plan after the change.")],
    prices: PricesOption = None,
    usage: UsageOption = None,
    output_format: Annotated[Literal["text", "json", "markdown"], typer.Option(
        "--format", help="text, json or markdown (a pull-request comment).")] = "text",
    estate_file: EstateOption = None,
    as_of: AsOfOption = None,
    out: OutOption = None,
    accept_fx_outlier: FxOutlierOption = False,
) -> None:
    """The monthly cost delta per resource and in total between two plans."""
    from costing.forecast.diff import diff_json, diff_markdown
    from estate.app.forecast import forecast_diff as run_diff

    diff = run_diff(old, new, prices or [], usage=usage, estate_file=estate_file, as_of=as_of,
                    accept_fx_outlier=accept_fx_outlier)
    if output_format == "json":
        emit_text(json.dumps(diff_json(diff), indent=2) + "\n", out)
    elif output_format == "markdown":
        emit_text(diff_markdown(diff), out)
    else:
        from estate.cli.forecast_text import render_diff

        emit_text(render_diff(diff, width=None if sys.stdout.isatty() and not out else 160), out)
