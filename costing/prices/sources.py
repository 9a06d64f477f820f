"""Every price source a forecast uses, consulted in the order given (`--prices A --prices B`).

Retail-shaped sources (rate cards, snapshots, API pages) answer queries in order: the first with a price wins,
so a rate card given first overrides the snapshot behind it. EA/MCA price sheets replace the price of the same
meter id. Rate card discounts apply to prices found in the other sources.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from costing.prices.catalogue import Catalogue, Lookup, Price, PriceQuery
from costing.prices.price_sheet import load_price_sheet
from costing.prices.rate_card import Discount, load_rate_card
from costing.prices.snapshot import load_price_file
from estate.foundation.errors import InputError, PriceError

HUNDRED = Decimal(100)


@dataclass
class Prices:
    """Price sources in order of preference, plus negotiated price sheets and contract discounts."""

    catalogues: list[Catalogue] = field(default_factory=list)
    sheets: list[Catalogue] = field(default_factory=list)
    discounts: list[tuple[Discount, str]] = field(default_factory=list)
    as_of: date = field(default_factory=date.today)
    _answers: dict[PriceQuery, Lookup] = field(default_factory=dict, repr=False)

    @property
    def sources(self) -> list[Catalogue]:
        return [*self.catalogues, *self.sheets]

    def lookup(self, query: PriceQuery) -> Lookup:
        """The price `query` names in the first source that has one, negotiated or discounted where it applies."""
        answer = self._answers.get(query)
        if answer is None:
            answer = self._answers[query] = self._lookup(query)
        return answer

    def _lookup(self, query: PriceQuery) -> Lookup:
        if not self.catalogues:
            return Lookup(None, "no retail-shaped price source given (--prices rate card, snapshot or API page)")
        reasons = []
        for catalogue in self.catalogues:
            found = catalogue.lookup(query, self.as_of)
            if found.price is not None:
                return Lookup(self._adjusted(found.price))
            reasons.append(found.reason)
        return Lookup(None, "; ".join(reasons))

    def _adjusted(self, price: Price) -> Price:
        meter = str(price.item.get("meterId") or "").lower()
        if meter:
            for sheet in self.sheets:
                query = PriceQuery.of(price_type=str(price.item.get("type") or "Consumption"),
                                      reservation_term=price.item.get("reservationTerm"), meterId=meter)
                negotiated = sheet.lookup(query, self.as_of)
                if negotiated.price is not None:
                    return replace(negotiated.price, overridden_by=negotiated.price.provenance)
        if price.source.kind == "rate card":
            return price
        for discount, where in self.discounts:
            if all(str(price.item.get(name) or "") == value for name, value in discount.match.items()):
                factor = (HUNDRED - discount.percent) / HUNDRED
                tiers = tuple((minimum, amount * factor) for minimum, amount in price.tiers)
                note = f"{price.provenance}; less {discount.percent}% ({where}: {discount.source})"
                return replace(price, tiers=tiers, overridden_by=note)
        return price


def load_prices(paths: list[Path], as_of: date | None = None) -> Prices:
    """Read each `--prices` file by its kind: .yaml rate card, .csv price sheet, .json snapshot or API page."""
    prices = Prices(as_of=as_of or date.today())
    for path in paths:
        suffix = path.suffix.lower()
        if suffix in (".yaml", ".yml"):
            catalogue, discounts = load_rate_card(path)
            prices.catalogues.append(catalogue)
            prices.discounts.extend((discount, str(path)) for discount in discounts)
        elif suffix == ".csv":
            prices.sheets.append(load_price_sheet(path))
        elif suffix == ".json":
            prices.catalogues.append(load_price_file(path))
        else:
            raise PriceError(f"{path}: unknown kind of price source; give a rate card (.yaml), an EA/MCA price "
                             "sheet (.csv) or a price snapshot / API page (.json)", file=str(path))
    return prices
