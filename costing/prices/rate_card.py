"""A rate card a user maintains: fixed prices and contract discounts, each with its provenance, in YAML.

    rate_card: 1
    name: ...                 # what this card is
    currency: GBP
    source: ...               # where the figures come from, in general
    retrieved: 2026-08-22
    prices:                   # retail-shaped: `key` uses the Retail Prices API's field names
      - key: {serviceName: Storage, productName: Standard SSD Managed Disks, skuName: E10 LRS,
              meterName: E10 LRS Disk, armRegionName: uksouth}
        price: 10.56
        unit: 1/Month         # a unitOfMeasure, e.g. "1 Hour", "1/Month", "1 GB", "10K"
        source: ...           # this figure's provenance (required)
    discounts:                # applied to prices found in the other sources
      - match: {serviceName: Virtual Machines}
        percent: 12.5
        source: ...           # e.g. the contract clause
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from costing.prices.catalogue import Catalogue, PriceSource
from estate.definition.model import Spec
from estate.foundation.yamlfile import read_yaml, validate

Text = Annotated[str, StringConstraints(min_length=1)]
KeyField = Literal["serviceName", "productName", "skuName", "meterName", "armRegionName", "armSkuName", "meterId"]


class RateEntry(Spec):
    key: dict[KeyField, Text] = Field(min_length=1)
    price: Annotated[Decimal, Field(ge=0, le=Decimal(10) ** 9, allow_inf_nan=False)]
    unit: Text
    type: Literal["Consumption", "Reservation", "DevTestConsumption"] = "Consumption"
    reservation_term: Literal["1 Year", "3 Years", "5 Years"] | None = None
    tier_minimum_units: Annotated[Decimal, Field(ge=0)] = Decimal(0)
    effective_start: date | None = None
    effective_end: date | None = None
    source: Text
    retrieved: date | None = None


class Discount(Spec):
    match: dict[KeyField, Text] = Field(min_length=1)
    percent: Annotated[Decimal, Field(gt=0, le=100)]
    source: Text


class RateCard(Spec):
    rate_card: Literal[1] = 1
    name: Text
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
    source: Text
    retrieved: date
    prices: list[RateEntry] = Field(default_factory=list)
    discounts: list[Discount] = Field(default_factory=list)


def load_rate_card(path: str | Path) -> tuple[Catalogue, list[Discount]]:
    """Read a rate card into a catalogue of retail-shaped items plus its discounts; errors are located."""
    document = read_yaml(path, what="rate card")
    card = validate(document, RateCard)
    source = PriceSource("rate card", str(path), f"retrieved {card.retrieved.isoformat()}", card.currency, card.name)
    items = [_item(entry, card, str(path)) for entry in card.prices]
    return Catalogue(source, items), list(card.discounts)


def _item(entry: RateEntry, card: RateCard, path: str) -> dict[str, object]:
    item: dict[str, object] = dict(entry.key)
    item.update({
        "retailPrice": entry.price,
        "currencyCode": card.currency,
        "unitOfMeasure": entry.unit,
        "type": entry.type,
        "tierMinimumUnits": entry.tier_minimum_units,
        "x_source": f"rate card {path}: {entry.source} (retrieved "
                    f"{(entry.retrieved or card.retrieved).isoformat()}, {card.currency})",
    })
    if entry.reservation_term:
        item["reservationTerm"] = entry.reservation_term
    if entry.effective_start:
        item["effectiveStartDate"] = entry.effective_start.isoformat()
    if entry.effective_end:
        item["effectiveEndDate"] = entry.effective_end.isoformat()
    return item
