"""Jobs on prices and plans: refresh a retail price snapshot, forecast plans, diff two forecasts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from estate.foundation.errors import InputError, UsageError

if TYPE_CHECKING:
    from costing.forecast.diff import ForecastDiff
    from costing.forecast.pricing import Forecast
    from estate.foundation.plan import Plan


@dataclass(frozen=True)
class Snapshot:
    """A price snapshot written by `refresh_prices`."""

    path: Path
    count: int
    regions: list[str]
    currency: str
    services: list[str]


def refresh_prices(regions: list[str], *, currency: str = "GBP", services: list[str] | None = None,
                   out_dir: Path = Path("prices"), base_url: str = "") -> Snapshot:
    """Download retail prices for `regions` (and `services`) into a dated snapshot under `out_dir`."""
    from costing.prices.retail_api import RetailPricesClient, refresh_snapshot
    from costing.prices.snapshot import RETAIL_API_URL
    from estate.foundation.reference import normalise_region

    known = []
    for name in regions:
        region = normalise_region(name)
        if region is None:
            raise UsageError(f"--region {name!r} is not an Azure region; give an ARM region id such as uksouth")
        known.append(region)
    if len(currency) != 3 or not currency.isalpha():
        raise UsageError(f"--currency {currency!r} is not an ISO currency code such as GBP")
    client = RetailPricesClient(base_url=base_url or RETAIL_API_URL)
    path, count = refresh_snapshot(client, out_dir, regions=known, currency=currency.upper(), services=services or [])
    return Snapshot(path, count, known, currency.upper(), list(services or []))


def forecast(plan_paths: list[str], price_paths: list[Path], *, usage: Path | None = None,
             estate_file: Path | None = None, as_of: str | None = None, accept_fx_outlier: bool = False) -> Forecast:
    """Price plans (synthesised, `pulumi preview --json` or ARM What-If): monthly cost with every price's source.

    Retained on-premises hosts are added when a plan belongs to the `retained` stack and the estate is known.
    """
    from costing.forecast.onprem import add_retained_hosts
    from costing.forecast.pricing import Pricer, billing_currency
    from costing.forecast.usage import check_fx_band, load_usage
    from costing.prices.sources import load_prices
    from estate.definition.loader import load_estate
    from estate.foundation.plan import estate_file_of

    check_fx_band(usage, accept_fx_outlier)
    if not price_paths:
        raise UsageError("give at least one price source with --prices (a rate card, a snapshot from "
                         "`estate prices refresh`, or an EA/MCA price sheet)")
    day = price_day(as_of)
    plans = [read_plan(path) for path in plan_paths]
    prices = load_prices(price_paths, as_of=day)
    found = estate_file_of(plans, estate_file)
    estate = load_estate(found) if found else None
    currency = billing_currency(estate.organisation.billing_currency if estate else None, prices)
    result = Pricer(prices, load_usage(usage), currency).forecast(plans)
    if estate is not None and any("retained" in plan.stacks for plan in plans):
        add_retained_hosts(result, estate, str(found))
    return result


def forecast_diff(old: str, new: str, price_paths: list[Path], *, usage: Path | None = None,
                  estate_file: Path | None = None, as_of: str | None = None,
                  accept_fx_outlier: bool = False) -> ForecastDiff:
    """The monthly cost delta per resource and in total between two plans, priced the same way."""
    from costing.forecast.diff import diff_forecasts

    def priced(path: str) -> Forecast:
        return forecast([path], price_paths, usage=usage, estate_file=estate_file, as_of=as_of,
                        accept_fx_outlier=accept_fx_outlier)

    return diff_forecasts(priced(old), priced(new))


def read_plan(path_text: str) -> Plan:
    """A plan from `estate synth` or `pulumi preview --json`; an ARM What-If result is read as the stack of its
    file name."""
    from costing.forecast.arm_whatif import load_what_if
    from estate.foundation.plan import load_plan

    try:
        return load_plan(path_text)
    except InputError as error:
        from estate.foundation.jsonfile import read_json

        try:
            document = read_json(path_text, what="plan", fix="write it again")
        except InputError:
            raise error from error
        if isinstance(document, dict) and "changes" in document and "steps" not in document:
            return load_what_if(path_text, stack=Path(path_text).stem)
        raise


def price_day(text: str | None) -> date:
    """The day prices must be effective on (`--as-of YYYY-MM-DD`, default today)."""
    if not text:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--as-of {text!r} is not a date; give YYYY-MM-DD") from None
