"""The price catalogue: the bundled Retail Prices snapshot and the quirks of real price items."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from costing.prices.catalogue import Catalogue, PriceQuery, PriceSource
from costing.prices.snapshot import load_price_file
from costing.prices.units import pricing_unit

AS_OF = date(2026, 8, 22)


@pytest.fixture
def snapshot(third_party: Path) -> Catalogue:
    return load_price_file(third_party / "azure-prices-snapshot" / "azure_prices.json")


def catalogue_of(items: list[dict], currency: str = "USD") -> Catalogue:
    return Catalogue(PriceSource("test items", "memory", "retrieved 2026-01-01", currency), items)


def item(**fields) -> dict:
    base = {"currencyCode": "USD", "tierMinimumUnits": 0.0, "armRegionName": "uksouth",
            "serviceName": "Virtual Machines",
            "productName": "Virtual Machines DSv3 Series", "skuName": "D2s v3", "meterName": "D2s v3",
            "armSkuName": "Standard_D2s_v3", "unitOfMeasure": "1 Hour", "type": "Consumption",
            "effectiveStartDate": "2020-01-01T00:00:00Z", "meterId": "m-linux", "retailPrice": 0.1}
    base.update(fields)
    return base


def test_bundled_snapshot_has_uk_items_in_usd(snapshot: Catalogue) -> None:
    regions = [entry["armRegionName"] for entry in snapshot.items]
    assert len(snapshot) == 1000
    assert (regions.count("uksouth"), regions.count("ukwest")) == (22, 13)
    assert snapshot.source.currency == "USD"


def test_reservation_whole_term_price_is_spread_over_the_term(snapshot: Catalogue) -> None:
    base = {"serviceName": "Virtual Machines", "armSkuName": "Standard_E2a_v4", "armRegionName": "ukwest"}
    one_year = snapshot.lookup(PriceQuery.of(price_type="Reservation", reservation_term="1 Year", **base), AS_OF).price
    three_years = snapshot.lookup(PriceQuery.of(price_type="Reservation", reservation_term="3 Years", **base),
                                  AS_OF).price
    payg = snapshot.lookup(PriceQuery.of(**base), AS_OF).price
    assert one_year and three_years and payg
    # 801 USD for a year although unitOfMeasure says "1 Hour": 730 hours are 1/12 of it.
    assert one_year.monthly_cost(Decimal(730)) == Decimal("66.75")
    assert three_years.monthly_cost(Decimal(730)) == Decimal(1603) * 730 / (8760 * 3)
    assert payg.monthly_cost(Decimal(730)) == Decimal("110.960")
    assert one_year.monthly_cost(Decimal(730)) < payg.monthly_cost(Decimal(730))


def test_devtest_price_is_not_used_for_a_windows_vm(snapshot: Catalogue) -> None:
    query = PriceQuery.of(require={"productName": "Windows"}, serviceName="Virtual Machines",
                          armSkuName="Standard_D1", armRegionName="uksouth")
    price = snapshot.lookup(query, AS_OF).price
    assert price is not None and price.tiers[0][1] == Decimal("0.142")
    devtest = PriceQuery.of(price_type="DevTestConsumption", require={"productName": "Windows"},
                            serviceName="Virtual Machines", armSkuName="Standard_D1", armRegionName="uksouth")
    assert snapshot.lookup(devtest, AS_OF).price.tiers[0][1] == Decimal("0.0962")


def test_spot_and_low_priority_meters_are_excluded_unless_asked(snapshot: Catalogue) -> None:
    base = {"serviceName": "Virtual Machines", "armSkuName": "Standard_D64as_v4", "armRegionName": "ukwest"}
    assert snapshot.lookup(PriceQuery.of(**base), AS_OF).price is None
    asked = snapshot.lookup(PriceQuery.of(allow_spot=True, require={"skuName": "Low Priority"}, **base), AS_OF)
    assert asked.price is not None and asked.price.tiers[0][1] == Decimal("0.743")


def test_prices_past_their_effective_end_date_are_ignored(snapshot: Catalogue) -> None:
    query = PriceQuery.of(allow_spot=True, serviceName="Virtual Machines", armSkuName="Standard_E4bs_v6",
                          armRegionName="uksouth")
    assert snapshot.lookup(query, date(2026, 8, 31)).price is not None
    gone = snapshot.lookup(query, date(2026, 9, 1))
    assert gone.price is None and "no price" in gone.reason


def test_windows_and_linux_meters_are_told_apart() -> None:
    catalogue = catalogue_of([item(), item(productName="Virtual Machines DSv3 Series Windows", meterId="m-win",
                                           retailPrice=0.2)])
    base = {"serviceName": "Virtual Machines", "armSkuName": "Standard_D2s_v3", "armRegionName": "uksouth"}
    linux = catalogue.lookup(PriceQuery.of(exclude={"productName": "Windows"}, **base), AS_OF).price
    windows = catalogue.lookup(PriceQuery.of(require={"productName": "Windows"}, **base), AS_OF).price
    assert (linux.tiers[0][1], windows.tiers[0][1]) == (Decimal("0.1"), Decimal("0.2"))
    ambiguous = catalogue.lookup(PriceQuery.of(**base), AS_OF)
    assert ambiguous.price is None and "2 different prices" in ambiguous.reason


def test_tiered_meter_is_priced_by_graduated_tiers() -> None:
    tiers = [item(serviceName="Log Analytics", productName="Log Analytics", skuName="Pay-as-you-go",
                  meterName="Data Ingestion", armSkuName="", unitOfMeasure="1 GB", meterId="la",
                  tierMinimumUnits=minimum, retailPrice=price)
             for minimum, price in ((0.0, 0.0), (5.0, 2.3), (100.0, 2.0))]
    price = catalogue_of(tiers).lookup(PriceQuery.of(serviceName="Log Analytics", meterName="Data Ingestion",
                                                     armRegionName="uksouth"), AS_OF).price
    assert price.monthly_cost(Decimal(3)) == 0
    assert price.monthly_cost(Decimal(50)) == Decimal("2.3") * 45
    assert price.monthly_cost(Decimal(150)) == Decimal("2.3") * 95 + Decimal("2.0") * 50
    assert price.unit_price(Decimal(150)) == Decimal("2.0")


def test_unit_blocks_are_normalised_per_unit() -> None:
    assert pricing_unit("10K").block_size == 10000
    assert pricing_unit("100 Hours").block_size == 100 and pricing_unit("100 Hours").is_hours
    operations = item(serviceName="Key Vault", productName="Key Vault", skuName="Standard", meterName="Operations",
                      armSkuName="", unitOfMeasure="10K", retailPrice=0.03, meterId="kv")
    price = catalogue_of([operations]).lookup(PriceQuery.of(serviceName="Key Vault", meterName="Operations",
                                                            armRegionName="uksouth"), AS_OF).price
    assert price.monthly_cost(Decimal(200000)) == Decimal("0.60")
    assert price.unit_price(Decimal(1)) == Decimal("0.000003")


def test_latest_effective_price_of_a_meter_wins() -> None:
    older = item(retailPrice=0.1, effectiveStartDate="2020-01-01T00:00:00Z")
    newer = item(retailPrice=0.12, effectiveStartDate="2024-01-01T00:00:00Z")
    price = catalogue_of([older, newer]).lookup(PriceQuery.of(serviceName="Virtual Machines",
                                                             armSkuName="Standard_D2s_v3"), AS_OF).price
    assert price.tiers[0][1] == Decimal("0.12")


def test_snapshot_in_several_currencies_is_refused(tmp_path: Path) -> None:
    from estate.foundation.errors import InputError

    path = tmp_path / "mixed.json"
    path.write_text(json.dumps([item(), item(currencyCode="GBP")]))
    with pytest.raises(InputError, match="several currencies"):
        load_price_file(path)
