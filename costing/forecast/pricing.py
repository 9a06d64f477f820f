"""Cost synthesis: price every resource of one or more plans through the registry and the price sources.

A forecast is a priced plan (monthly, and annual = 12 x monthly), not a time series. Each line is one cost
component of one resource with its quantity, unit price and the provenance of that price; anything that could
not be priced is listed in `unpriced` with the reason, never counted as zero. Retained on-premises hosts add
their fixed annual run cost from the estate as on-premises lines.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from costing.forecast.arm_types import service_name
from costing.forecast.model import BadQuantity, CostComponent, Resource
from costing.forecast.registry import components_for
from costing.forecast.usage import CurrencyError, Usage
from costing.prices.catalogue import Price
from costing.prices.sources import Prices
from estate.foundation.plan import Plan, PlanResource
from estate.foundation.reference import normalise_region
from estate.foundation.tags import LINE_TAG

MONTHS_PER_YEAR = Decimal(12)


@dataclass(frozen=True)
class ForecastLine:
    urn: str
    type: str
    component: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    monthly: Decimal
    price_source: str
    resource: str
    stack: str
    wave: str
    business_case_line: str
    service: str
    region: str


@dataclass(frozen=True)
class Unpriced:
    urn: str
    type: str
    component: str
    reason: str
    resource: str
    stack: str
    wave: str
    business_case_line: str
    service: str


@dataclass
class Forecast:
    currency: str
    plans: list[str]
    lines: list[ForecastLine] = field(default_factory=list)
    unpriced: list[Unpriced] = field(default_factory=list)
    free: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    fx: list[str] = field(default_factory=list)

    @property
    def monthly_total(self) -> Decimal:
        return sum((line.monthly for line in self.lines), Decimal(0))

    @property
    def annual_total(self) -> Decimal:
        return self.monthly_total * MONTHS_PER_YEAR


@dataclass
class Pricer:
    """Prices plans into one forecast in `currency`, converting other currencies only at stated FX rates."""

    prices: Prices
    usage: Usage
    currency: str

    def __post_init__(self) -> None:
        self._rates: dict[str, Decimal] = {}
        self._fx_notes: dict[str, str] = {}
        for source in self.prices.sources:
            if source.source.currency != self.currency:
                rate = self.usage.fx_rate(source.source.currency, self.currency, f"{source.source.label}")
                self._rates[source.source.currency] = rate.rate
                self._fx_notes[source.source.currency] = rate.describe()

    def forecast(self, plans: Iterable[Plan]) -> Forecast:
        plans = list(plans)
        result = Forecast(self.currency, [plan.source for plan in plans],
                          sources=[source.source.label for source in self.prices.sources],
                          fx=list(self._fx_notes.values()))
        for plan in plans:
            for planned in plan.staying():
                if planned.custom and not planned.type.startswith("pulumi:"):
                    self._price_resource(planned, plan.placement(planned).region, result)
        return result

    def _price_resource(self, planned: PlanResource, location: str | None, result: Forecast) -> None:
        # The same placement the guardrails read (its own location, else its provider's, else the stack's).
        region = normalise_region(location) if location else None
        resource = Resource(planned.urn, planned.type, planned.name, planned.inputs, region,
                            self.usage.for_resource(planned.type, planned.name, planned.urn))
        tags = resource.tags
        context = {"resource": planned.name, "stack": planned.stack, "wave": str(tags.get("wave", "")),
                   "business_case_line": str(tags.get(LINE_TAG, "")),
                   "service": service_name(planned.type)}
        try:
            components = components_for(resource)
        except BadQuantity as exc:
            result.unpriced.append(Unpriced(planned.urn, planned.type, "", f"{exc}; fix the plan's inputs",
                                            **context))
            return
        if components is None:
            reason = (f"no cost model for {planned.type}; add a cost function in costing/forecast/ "
                      "(or list the type in FREE_TYPES)")
            result.unpriced.append(Unpriced(planned.urn, planned.type, "", reason, **context))
            return
        if not components:
            result.free.append(planned.urn)
        for component in components:
            self._price_component(resource, component, context, result)

    def _price_component(self, resource: Resource, component: CostComponent, context: dict[str, str],
                         result: Forecast) -> None:
        def unpriced(reason: str) -> None:
            result.unpriced.append(Unpriced(resource.urn, resource.type, component.name, reason, **context))

        if component.problem or component.query is None:
            return unpriced(component.problem or "no price query")
        if component.monthly_quantity is None:
            return unpriced(f"usage not given: set `{component.usage_key}` for {resource.name} (or for "
                            f"{resource.type}) in the usage file")
        found = self.prices.lookup(component.query)
        if found.price is None:
            return unpriced(found.reason)
        price = found.price
        if (component.unit == "hours") != (price.unit.is_hours or bool(price.reservation_years)):
            return unpriced(f"the price found is per {price.unit.unit_of_measure!r}, the component counts "
                            f"{component.unit}; fix the price key ({price.provenance})")
        quantity = component.monthly_quantity
        monthly, unit_price, source = self._convert(price, quantity)
        result.lines.append(ForecastLine(resource.urn, resource.type, component.name, quantity, component.unit,
                                         unit_price, monthly, source, region=resource.region or "", **context))
        return None

    def _convert(self, price: Price, quantity: Decimal) -> tuple[Decimal, Decimal, str]:
        monthly, unit_price, source = price.monthly_cost(quantity), price.unit_price(quantity), price.provenance
        if price.currency != self.currency:
            rate = self._rates.get(price.currency)
            if rate is None:
                rate = self.usage.fx_rate(price.currency, self.currency, f"a price from {price.source.label}").rate
            monthly, unit_price = monthly * rate, unit_price * rate
            source += f"; {price.currency} converted at {self._fx_notes.get(price.currency, rate)}"
        return monthly, unit_price, source


def billing_currency(estate_currency: str | None, prices: Prices) -> str:
    """The estate's billing currency, else the one currency of the price sources."""
    if estate_currency:
        return estate_currency
    found = sorted({source.source.currency for source in prices.sources})
    if len(found) > 1:
        raise CurrencyError(f"the price sources are in {', '.join(found)} and no estate says which currency it is "
                            "billed in; give --estate (its organisation.billing_currency) and an FX rate in the "
                            "usage file, or prices in one currency")
    return found[0] if found else "GBP"
