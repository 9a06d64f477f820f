"""Retained on-premises hosts in a forecast: their fixed annual run cost from the estate, as on-premises lines."""

from __future__ import annotations

from decimal import Decimal

from costing.forecast.pricing import MONTHS_PER_YEAR, Forecast, ForecastLine
from estate.definition.model import Estate

ONPREM_TYPE = "estate:onprem:RetainedHosts"


def add_retained_hosts(forecast: Forecast, estate: Estate, estate_file: str) -> None:
    """Append one line per retained host group (monthly = annual run cost / 12, in the billing currency)."""
    for index, group in enumerate(estate.retained):
        monthly = Decimal(group.annual_run_cost) / MONTHS_PER_YEAR
        forecast.lines.append(ForecastLine(
            urn=f"onprem:{group.site}/{group.name}", type=ONPREM_TYPE,
            component=f"fixed run cost ({group.count} hosts at {group.site}, {group.reason})",
            quantity=Decimal(group.count), unit="hosts", unit_price=monthly / group.count, monthly=monthly,
            price_source=f"{estate_file} retained[{index}].annual_run_cost ({group.annual_run_cost} "
                         f"{estate.organisation.billing_currency} a year)",
            resource=group.name, stack="retained", wave="retained", business_case_line=group.business_case_line,
            service="On-premises hosting", region=f"on-premises ({group.site})"))
