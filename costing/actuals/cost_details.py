"""Normalising the legacy EA/MCA cost-details export (not FOCUS) to FOCUS columns.

Column renames come from `costing/reference/ea_cost_details_columns.csv`; this module derives what has no
one-to-one column: charge periods (a usage day becomes [day, next day)), charge category and frequency,
pricing category, the billing-period end (exclusive), SubAccountId, regions, services (Services.csv by consumed
service and resource type, else the meter category), and BilledCost / EffectiveCost by dataset: in an actual-cost
export both are `Cost`; in an amortised one, commitment-covered usage was billed at purchase, so its BilledCost
is 0 while EffectiveCost is `Cost`.
"""

from __future__ import annotations

import csv
from datetime import timedelta
from functools import cache

import pyarrow as pa
import pyarrow.compute as pc

from costing.actuals.convert import BadCell, decoded, to_decimal, to_region, to_string, to_tags, to_timestamp
from costing.actuals.formats import ExportFormat
from costing.actuals.normalise import Lineage, assemble, constant, convert_column, located, row_numbers
from costing.actuals.schema import COST_DECIMAL, REFERENCE_DIR, normalised_column_types
from estate.foundation.reference import reference_rows

COST_TYPES = ("actual", "amortized")
CHARGE_CATEGORY = {"usage": "Usage", "purchase": "Purchase", "refund": "Credit", "unusedreservation": "Usage",
                   "unusedsavingsplan": "Usage", "roundingadjustment": "Adjustment", "tax": "Tax"}
CHARGE_FREQUENCY = {"onetime": "One-Time", "recurring": "Recurring", "usagebased": "Usage-Based"}
PRICING_CATEGORY = {"ondemand": "Standard", "spot": "Dynamic", "reservation": "Committed",
                    "savingsplan": "Committed"}
DATE_COLUMNS = ("ChargePeriodStart", "BillingPeriodStart")


@cache
def column_map() -> dict[str, str]:
    """Cost-details column (lower case) -> FOCUS column, from the reference CSV."""
    with (REFERENCE_DIR / "ea_cost_details_columns.csv").open(newline="", encoding="utf-8") as handle:
        return {row["cost_details_column"].lower(): row["focus_column"] for row in csv.DictReader(handle)}


@cache
def services() -> dict[str, tuple[str, str]]:
    """`consumedservice|resourcetype` and `|resourcetype` (lower case) -> (ServiceName, ServiceCategory)."""
    table: dict[str, tuple[str, str]] = {}
    for row in reference_rows("Services.csv"):
        value = (row["ServiceName"], row["ServiceCategory"])
        resource_type = row["ResourceType"].lower()
        table[f"{row['ConsumedService'].lower()}|{resource_type}"] = value
        table.setdefault(f"|{resource_type}", value)
    return table


def normalise_cost_details(batch: pa.RecordBatch, export_format: ExportFormat, lineage: Lineage,
                           currency: str | None, cost_type: str) -> pa.RecordBatch:
    """Normalise one batch of an EA/MCA cost-details export."""
    rows = row_numbers(lineage, batch.num_rows)
    source = {name.lower(): batch.column(name) for name in batch.schema.names}
    for canonical, written in export_format.columns.items():
        source.setdefault(canonical.lower(), batch.column(written))
    try:
        columns = _renamed(source, lineage)
        _add_costs(columns, source, cost_type, lineage)
    except BadCell as cell:
        raise located(lineage, rows, cell) from cell
    _add_derived(columns, source, batch.num_rows, currency)
    return assemble(columns, batch.num_rows, lineage, rows)


def _renamed(source: dict[str, pa.Array], lineage: Lineage) -> dict[str, pa.Array]:
    types = normalised_column_types()
    columns: dict[str, pa.Array] = {}
    for written, focus in column_map().items():
        if written not in source:
            continue
        if focus in DATE_COLUMNS:
            columns[focus] = to_timestamp(source[written], focus, us_date_format=True)
        elif focus == "x_SkuDetails":
            columns[focus] = to_string(source[written])
        else:
            columns[focus] = convert_column(focus, types[focus], source[written], lineage.rounded)
    if "billingperiodenddate" in source:
        end = to_timestamp(source["billingperiodenddate"], "BillingPeriodEndDate", us_date_format=True)
        columns["BillingPeriodEnd"] = _next_day(end)
    columns["ChargePeriodEnd"] = _next_day(columns["ChargePeriodStart"])
    if "tags" in source:
        columns["Tags"] = to_tags(source["tags"], "Tags")
    # Cost details carry one quantity and one unit; FOCUS has a consumed and a pricing pair.
    if "ConsumedQuantity" in columns:
        columns["PricingQuantity"] = columns["ConsumedQuantity"]
    if "PricingUnit" in columns:
        columns["ConsumedUnit"] = columns["PricingUnit"]
    return columns


def _next_day(array: pa.Array) -> pa.Array:
    return pc.add(array, pa.scalar(timedelta(days=1), pa.duration("us")))


def _add_costs(columns: dict[str, pa.Array], source: dict[str, pa.Array], cost_type: str, lineage: Lineage) -> None:
    cost = to_decimal(source["cost"], "Cost", lineage.rounded)
    columns["EffectiveCost"] = cost
    columns["BilledCost"] = cost
    if cost_type == "amortized" and "pricingmodel" in source and "chargetype" in source:
        model = pc.utf8_lower(to_string(source["pricingmodel"]))
        charge = pc.utf8_lower(to_string(source["chargetype"]))
        covered = pc.and_(pc.is_in(model, pa.array(["reservation", "savingsplan"])),
                          pc.is_in(charge, pa.array(["usage", "unusedreservation", "unusedsavingsplan"])))
        zero = pa.scalar(0, COST_DECIMAL)
        columns["BilledCost"] = pc.if_else(pc.fill_null(covered, False), zero, cost)


def _add_derived(columns: dict[str, pa.Array], source: dict[str, pa.Array], length: int,
                 currency: str | None) -> None:
    if currency is not None:
        columns.setdefault("BillingCurrency", constant(currency, length))
    microsoft = constant("Microsoft", length)
    columns["ProviderName"] = microsoft
    columns["InvoiceIssuerName"] = microsoft
    columns["PublisherName"] = pc.coalesce(decoded(columns.get("PublisherName", microsoft)), "Microsoft")
    for written, focus, values in (("chargetype", "ChargeCategory", CHARGE_CATEGORY),
                                   ("frequency", "ChargeFrequency", CHARGE_FREQUENCY),
                                   ("pricingmodel", "PricingCategory", PRICING_CATEGORY)):
        if written in source:
            columns[focus] = _mapped(source[written], values)
    if "subscriptionid" in source:
        subscription = to_string(source["subscriptionid"])
        columns["SubAccountId"] = pc.binary_join_element_wise("/subscriptions/", subscription, "")
        columns["x_AccountId"] = subscription
    for fallback, focus in (("reservationid", "CommitmentDiscountId"), ("reservationname", "CommitmentDiscountName")):
        if fallback in source:
            columns[focus] = pc.coalesce(decoded(columns.get(focus, pa.nulls(length, pa.string()))),
                                         to_string(source[fallback]))
    if "resourcelocation" in source:
        columns["RegionId"], columns["RegionName"] = to_region(source["resourcelocation"])
    _add_service(columns, source, length)


def _mapped(array: pa.Array, values: dict[str, str]) -> pa.Array:
    """Map enum text through `values` (case-insensitive); unknown text is kept as written."""
    encoded = pc.dictionary_encode(to_string(array))
    mapped = [values.get(value.lower(), value) if value else None for value in encoded.dictionary.to_pylist()]
    return pa.array(mapped, pa.string()).take(encoded.indices)


def _add_service(columns: dict[str, pa.Array], source: dict[str, pa.Array], length: int) -> None:
    consumed = pc.utf8_lower(to_string(source.get("consumedservice", pa.nulls(length, pa.string()))))
    resource_id = to_string(source.get("resourceid", pa.nulls(length, pa.string())))
    resource_type = pc.utf8_lower(pc.struct_field(
        pc.extract_regex(resource_id, r"/providers/(?P<type>[^/]+/[^/]+)"), [0]))
    key = pc.binary_join_element_wise(pc.fill_null(consumed, ""), pc.fill_null(resource_type, ""), "|")
    encoded = pc.dictionary_encode(key)
    table = services()
    names, categories = [], []
    for value in encoded.dictionary.to_pylist():
        found = table.get(value) or table.get("|" + value.split("|", 1)[1])
        names.append(found[0] if found else None)
        categories.append(found[1] if found else None)
    meter_category = decoded(columns.get("x_SkuMeterCategory", pa.nulls(length, pa.string())))
    columns["ServiceName"] = pc.coalesce(pa.array(names, pa.string()).take(encoded.indices), meter_category)
    columns["ServiceCategory"] = pa.array(categories, pa.string()).take(encoded.indices)
    if "ResourceType" not in columns:
        columns["x_ResourceType"] = resource_type
