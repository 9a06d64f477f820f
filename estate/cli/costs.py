"""`estate prices refresh`, `estate forecast PLAN...` and `estate forecast diff OLD NEW`."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import typer

from estate.cli.app import app
from estate.foundation.errors import InputError, UsageError

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
Format = Literal["text", "json", "csv", "markdown"]


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
    from costing.prices.retail_api import RetailPricesClient, refresh_snapshot
    from costing.prices.snapshot import RETAIL_API_URL
    from estate.foundation.reference import normalise_region

    regions = []
    for name in region:
        known = normalise_region(name)
        if known is None:
            raise UsageError(f"--region {name!r} is not an Azure region; give an ARM region id such as uksouth")
        regions.append(known)
    if len(currency) != 3 or not currency.isalpha():
        raise UsageError(f"--currency {currency!r} is not an ISO currency code such as GBP")
    client = RetailPricesClient(base_url=base_url or RETAIL_API_URL)
    path, count = refresh_snapshot(client, out_dir, regions=regions, currency=currency.upper(),
                                   services=service or [])
    typer.echo(f"{path}: {count} prices ({currency.upper()}) for {', '.join(regions)}"
               + (f", services {', '.join(service)}" if service else ""))


@app.command()
def forecast(
    plans: Annotated[list[str], typer.Argument(
        metavar="PLAN", help="Plans (pulumi preview --json or estate synth; ARM What-If also read), or: "
                                "diff OLD NEW.")],
    prices: PricesOption = None,
    usage: UsageOption = None,
    by: Annotated[Literal["resource", "wave", "business-case-line", "service"], typer.Option(
        "--by", help="Group totals by resource, wave, business-case-line or service.")] = "resource",
    output_format: Annotated[Format, typer.Option(
        "--format", help="text, json or csv (diff: text, json or markdown).")] = "text",
    estate_file: EstateOption = None,
    as_of: AsOfOption = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file (atomically) instead of stdout.")]
    = None,
    accept_fx_outlier: Annotated[bool, typer.Option(
        "--accept-fx-outlier", help="Accept an FX rate outside the sanity band (docs/limits.md).")] = False,
) -> None:
    """Monthly and annual cost of plans, every price with its source; unpriced resources listed with reasons.

    `estate forecast diff OLD NEW` prints the monthly delta per resource and in total between two plans.
    """
    from costing.forecast.usage import check_fx_band

    check_fx_band(usage, accept_fx_outlier)
    if plans and plans[0] == "diff":
        if len(plans) != 3:
            raise UsageError("`estate forecast diff` takes exactly two plans: OLD NEW")
        if output_format == "csv":
            raise UsageError("`estate forecast diff --format` is text, json or markdown")
        if not prices:
            raise UsageError("give at least one price source with --prices")
        _emit(_diff_text(plans[1], plans[2], prices or [], usage, estate_file, as_of, output_format), out)
        return
    if output_format == "markdown":
        raise UsageError("--format markdown is for `estate forecast diff`; use text, json or csv")
    if not prices:
        raise UsageError("give at least one price source with --prices (a rate card, a snapshot from "
                         "`estate prices refresh`, or an EA/MCA price sheet)")
    from costing.forecast.report import to_csv, to_json

    result = _price(plans, prices or [], usage, estate_file, as_of)
    if output_format == "json":
        _emit(json.dumps(to_json(result, by), indent=2) + "\n", out)
    elif output_format == "csv":
        _emit(to_csv(result), out)
    else:
        from estate.cli.forecast_text import render_forecast

        _emit(render_forecast(result, by, width=None if sys.stdout.isatty() and not out else 160), out)


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text)
        return
    from estate.foundation.files import write_atomic

    write_atomic(out, text)
    typer.echo(f"{out}: written", err=True)


def _load(path_text: str):  # -> Plan
    from costing.forecast.arm_whatif import load_what_if
    from estate.foundation.jsonfile import read_json
    from estate.foundation.plan import load_plan

    try:
        return load_plan(path_text)
    except InputError as error:
        try:
            document = read_json(path_text, what="plan", fix="write it again")
        except InputError:
            raise error from None
        if isinstance(document, dict) and "changes" in document and "steps" not in document:
            return load_what_if(path_text, stack=Path(path_text).stem)
        raise


def _price(plan_paths: list[str], price_paths: list[Path], usage_path: Path | None, estate_path: Path | None,
           as_of: str | None):  # -> Forecast
    from costing.forecast.onprem import add_retained_hosts
    from costing.forecast.pricing import Pricer, billing_currency, estate_file_of
    from costing.forecast.usage import load_usage
    from costing.prices.sources import load_prices
    from estate.definition.loader import load_estate

    day = _day(as_of)
    plans = [_load(path) for path in plan_paths]
    prices = load_prices(price_paths, as_of=day)
    usage = load_usage(usage_path)
    found = estate_file_of(plans, estate_path)
    estate = load_estate(found) if found else None
    currency = billing_currency(estate.organisation.billing_currency if estate else None, prices)
    result = Pricer(prices, usage, currency).forecast(plans)
    retained = any("retained" in plan.stacks or Path(plan.source).stem == "retained" for plan in plans)
    if estate is not None and retained:
        add_retained_hosts(result, estate, str(found))
    return result


def _day(text: str | None) -> date:
    if not text:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--as-of {text!r} is not a date; give YYYY-MM-DD") from None


def _diff_text(old: str, new: str, price_paths: list[Path], usage_path: Path | None, estate_path: Path | None,
               as_of: str | None, output_format: str) -> str:
    from costing.forecast.diff import diff_forecasts, diff_json, diff_markdown

    diff = diff_forecasts(_price([old], price_paths, usage_path, estate_path, as_of),
                          _price([new], price_paths, usage_path, estate_path, as_of))
    if output_format == "json":
        return json.dumps(diff_json(diff), indent=2) + "\n"
    if output_format == "markdown":
        return diff_markdown(diff)
    from estate.cli.forecast_text import render_diff

    return render_diff(diff, width=None if sys.stdout.isatty() else 160)
