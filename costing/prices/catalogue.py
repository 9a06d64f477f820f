"""The price catalogue: retail-shaped price items from one source, found by declarative price queries.

Knows no resource types: a `PriceQuery` names Retail Prices API fields (`serviceName`, `productName`,
`skuName`, `meterName`, `armRegionName`, `armSkuName`) and the catalogue answers with one `Price` or a reason
why not. The real quirks live here, once: reservation `retailPrice` is the whole-term price although
`unitOfMeasure` says `1 Hour`; unit blocks (`100 Hours`, `10K`); Spot, Low Priority and DevTest prices are
only used when a query asks for them; prices outside their `effectiveStartDate`..`effectiveEndDate` are
ignored; several `tierMinimumUnits` of one meter make a graduated price.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any

from costing.prices.units import PricingUnit, pricing_unit

HOURS_PER_YEAR = Decimal(8760)
MONTHS_PER_YEAR = Decimal(12)
RESERVATION_YEARS = {"1 Year": 1, "3 Years": 3, "5 Years": 5, "10 Years": 10}
SPOT_WORDS = ("spot", "low priority")


@dataclass(frozen=True)
class PriceSource:
    """Where a set of prices came from: what kind of source, which file or URL, when, in which currency."""

    kind: str
    location: str
    retrieved: str
    currency: str
    note: str = ""

    @property
    def label(self) -> str:
        return f"{self.kind} {self.location} ({self.retrieved}, {self.currency})"


@dataclass(frozen=True)
class PriceQuery:
    """Which price a cost component needs, in the Retail Prices API's own field names.

    `match` fields must be equal; `require`/`exclude` are (field, word) pairs tested case-insensitively
    (e.g. Windows VM meters have "Windows" in `productName`). `variant` allows Spot/Low Priority meters.
    """

    match: tuple[tuple[str, str], ...]
    price_type: str = "Consumption"
    reservation_term: str | None = None
    require: tuple[tuple[str, str], ...] = ()
    exclude: tuple[tuple[str, str], ...] = ()
    allow_spot: bool = False

    def __post_init__(self) -> None:
        # Queries are dictionary keys for every component priced: hash them once.
        object.__setattr__(self, "_hash", hash((self.match, self.price_type, self.reservation_term, self.require,
                                                self.exclude, self.allow_spot)))

    def __hash__(self) -> int:
        return self._hash  # type: ignore[attr-defined, no-any-return]

    @classmethod
    def of(cls, *, price_type: str = "Consumption", reservation_term: str | None = None,
           require: Mapping[str, str] | None = None, exclude: Mapping[str, str] | None = None,
           allow_spot: bool = False, **match: str) -> PriceQuery:
        return cls(match=tuple(sorted(match.items())), price_type=price_type, reservation_term=reservation_term,
                   require=tuple(sorted((require or {}).items())), exclude=tuple(sorted((exclude or {}).items())),
                   allow_spot=allow_spot)

    @property
    def exact_fields(self) -> tuple[str, ...]:
        return (*(name for name, _ in self.match), "type", "reservationTerm")

    @property
    def exact_values(self) -> tuple[str | None, ...]:
        # Empty text and a missing field index alike (global meters have armRegionName "").
        return (*(value or None for _, value in self.match), self.price_type, self.reservation_term or None)

    def describe(self) -> str:
        """A one-line key a person can read and a rate card entry can copy."""
        parts = [f"{name}={value!r}" for name, value in self.match]
        parts += [f"{name} contains {word!r}" for name, word in self.require]
        parts += [f"{name} without {word!r}" for name, word in self.exclude]
        parts.append(f"type={self.price_type!r}")
        if self.reservation_term:
            parts.append(f"reservationTerm={self.reservation_term!r}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Price:
    """One meter's price, normalised: per distinct unit, with its tiers, term and provenance."""

    tiers: tuple[tuple[Decimal, Decimal], ...]  # (tierMinimumUnits, price per block), ascending
    unit: PricingUnit
    currency: str
    source: PriceSource
    item: Mapping[str, Any]
    reservation_years: int | None = None
    overridden_by: str | None = None
    # Thousands of components share one price and one quantity (730 hours): compute each cost once.
    _costs: dict[Decimal, Decimal] = field(default_factory=dict, init=False, compare=False, repr=False)

    def monthly_cost(self, quantity: Decimal) -> Decimal:
        """The cost of `quantity` distinct units a month (hours, GB, operations, months...)."""
        cost = self._costs.get(quantity)
        if cost is None:
            cost = self._costs[quantity] = self._monthly_cost(quantity)
        return cost

    def _monthly_cost(self, quantity: Decimal) -> Decimal:
        if self.reservation_years:
            return self.tiers[0][1] * quantity / self._term_units()
        total = Decimal(0)
        for index, (minimum, price) in enumerate(self.tiers):
            ceiling = self.tiers[index + 1][0] if index + 1 < len(self.tiers) else None
            in_tier = (min(quantity, ceiling) if ceiling is not None else quantity) - minimum
            if in_tier > 0:
                total += in_tier * price / self.unit.block_size
        return total

    def unit_price(self, quantity: Decimal) -> Decimal:
        """The rate per distinct unit at `quantity` (the marginal tier; term price spread over its units)."""
        if self.reservation_years:
            return self.tiers[0][1] / self._term_units()
        rate = self.tiers[0][1]
        for minimum, price in self.tiers:
            if quantity > minimum:
                rate = price
        return rate / self.unit.block_size

    def _term_units(self) -> Decimal:
        per_year = HOURS_PER_YEAR if self.unit.is_hours else MONTHS_PER_YEAR
        return per_year * self.reservation_years * self.unit.block_size  # type: ignore[operator]

    @cached_property
    def provenance(self) -> str:
        item = self.item
        text = item.get("x_source") or self.source.label
        details = []
        if item.get("meterId") and not item.get("x_source"):
            details.append(f"meter {item['meterId']}" + (f", sku {item['skuId']}" if item.get("skuId") else ""))
        if self.reservation_years:
            details.append(f"{item.get('reservationTerm')} term price {self.tiers[0][1]} spread over the term")
        if self.overridden_by:
            return f"{self.overridden_by}; replaces {text}"
        return "; ".join([text, *details])


@dataclass
class Lookup:
    """The answer to a query: a price, or the reason there is none."""

    price: Price | None
    reason: str = ""


@dataclass
class Catalogue:
    """Price items of one source, indexed lazily by the exact fields each query shape uses."""

    source: PriceSource
    items: list[Mapping[str, Any]]
    _indexes: dict[tuple[Any, ...], dict[tuple[Any, ...], list[int]]] = field(default_factory=dict, repr=False)
    _by_region: dict[Any, list[int]] = field(default_factory=dict, repr=False)
    _answers: dict[tuple[PriceQuery, date], Lookup] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.items)

    def _region_positions(self, region: str | None) -> list[int]:
        """Positions of the items of one `armRegionName` (all items for None), indexed once."""
        if region is None:
            return list(range(len(self.items)))
        if not self._by_region:
            for position, name in enumerate([item.get("armRegionName") for item in self.items]):
                self._by_region.setdefault(name, []).append(position)
        return self._by_region.get(region, [])

    def _index(self, fields: tuple[str, ...], region: str | None) -> dict[tuple[Any, ...], list[int]]:
        # Built per region first: queries name one or two regions, so most items are never indexed again.
        index = self._indexes.get((region, fields))
        if index is None:
            index = defaultdict(list)
            positions = self._region_positions(region)
            items = [self.items[position] for position in positions]
            columns = [[item.get(name) or None for item in items] for name in fields]
            for position, key in zip(positions, zip(*columns, strict=True), strict=True):
                index[key].append(position)
            self._indexes[(region, fields)] = index
        return index

    def candidates(self, query: PriceQuery, as_of: date) -> list[Mapping[str, Any]]:
        """Items that satisfy every condition of `query` and are in effect on `as_of`."""
        region = dict(query.match).get("armRegionName")
        positions = self._index(query.exact_fields, region).get(query.exact_values, [])
        found = []
        for position in positions:
            item = self.items[position]
            if _words_ok(item, query) and _in_effect(item, as_of):
                found.append(item)
        return found

    def lookup(self, query: PriceQuery, as_of: date) -> Lookup:
        """The one price `query` names here, or why there is none (nothing matches, or it is ambiguous)."""
        answer = self._answers.get((query, as_of))
        if answer is None:
            answer = self._answers[(query, as_of)] = self._lookup(query, as_of)
        return answer

    def _lookup(self, query: PriceQuery, as_of: date) -> Lookup:
        items = self.candidates(query, as_of)
        if not items:
            return Lookup(None, f"no price in {self.source.kind} {self.source.location} for {query.describe()}")
        meters: dict[tuple[Any, ...], dict[Decimal, Mapping[str, Any]]] = {}
        for item in items:
            meter = (item.get("meterId") or "", item.get("productName"), item.get("skuName"), item.get("meterName"))
            tiers = meters.setdefault(meter, {})
            minimum = Decimal(str(item.get("tierMinimumUnits") or 0))
            if minimum not in tiers or _start(item) > _start(tiers[minimum]):
                tiers[minimum] = item
        distinct = {tuple((m, _amount(i)) for m, i in sorted(t.items())) for t in meters.values()}
        if len(distinct) > 1:
            names = sorted({f"{p} / {s} / {n}" for _, p, s, n in meters})[:4]
            return Lookup(None, f"{len(meters)} different prices match {query.describe()} in "
                                f"{self.source.location} (e.g. {'; '.join(names)}); narrow the key or add a "
                                "rate card entry")
        tiers = next(iter(meters.values()))
        return self._price(tiers)

    def _price(self, tiers: Mapping[Decimal, Mapping[str, Any]]) -> Lookup:
        first = tiers[min(tiers)]
        unit = pricing_unit(str(first.get("unitOfMeasure") or ""))
        if unit is None:
            return Lookup(None, f"unit {first.get('unitOfMeasure')!r} of meter {first.get('meterId')} is not a known "
                                "pricing unit; add it to PricingUnits.csv")
        term = first.get("reservationTerm") if first.get("type") == "Reservation" else None
        years = RESERVATION_YEARS.get(term) if term else None
        if term and years is None:
            return Lookup(None, f"reservation term {term!r} of meter {first.get('meterId')} is not understood")
        ordered = tuple((minimum, _amount(tiers[minimum])) for minimum in sorted(tiers))
        currency = str(first.get("currencyCode") or self.source.currency)
        return Lookup(Price(ordered, unit, currency, self.source, first, years))


def _amount(item: Mapping[str, Any]) -> Decimal:
    value = item.get("retailPrice")
    if value is None:
        value = item.get("unitPrice")
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _words_ok(item: Mapping[str, Any], query: PriceQuery) -> bool:
    for name, word in query.require:
        if word.lower() not in str(item.get(name) or "").lower():
            return False
    for name, word in query.exclude:
        if word.lower() in str(item.get(name) or "").lower():
            return False
    if not query.allow_spot:
        names = f"{item.get('skuName') or ''} {item.get('meterName') or ''}".lower()
        if any(word in names for word in SPOT_WORDS):
            return False
    return True


def _start(item: Mapping[str, Any]) -> str:
    return str(item.get("effectiveStartDate") or "")


def _in_effect(item: Mapping[str, Any], as_of: date) -> bool:
    day = as_of.isoformat()
    start = str(item.get("effectiveStartDate") or "")[:10]
    end = str(item.get("effectiveEndDate") or "")[:10]
    return (not start or start <= day) and (not end or end >= day)


def currencies(items: Iterable[Mapping[str, Any]]) -> set[str]:
    """Every `currencyCode` the items carry."""
    return {str(item.get("currencyCode")) for item in items if item.get("currencyCode")}
