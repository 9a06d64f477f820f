"""The normalised cost-row schema every actuals source writes into the cost store.

Columns are FOCUS names, taken from Microsoft's Cost Management FOCUS column catalogues shipped in
`costing/reference/` (`FocusCost_1.2-preview.json`, then the 1.0 columns 1.2 renamed: `x_InvoiceId`,
`x_PricingCurrency`), plus `AvailabilityZone` (a FOCUS 1.0 column Microsoft does not export) and the
lineage columns below. Types follow the catalogue's `DataType`:

| catalogue type | Arrow type | examples |
| --- | --- | --- |
| Decimal, Number | `decimal128(38, 24)`, exact: 14 + 24 digits | BilledCost, EffectiveCost, ConsumedQuantity |
| DateTime | `timestamp[us, tz=UTC]` | ChargePeriodStart, ChargePeriodEnd, BillingPeriodStart |
| String | `string` | BillingCurrency, RegionId (ARM region id, e.g. `uksouth`), ResourceId, ServiceName |
| JSON | `string` (the JSON text) | Tags (`{"business-case-line":"azure-run"}`), x_SkuDetails |
| Boolean | `bool` | x_SkuIsCreditEligible |

Tags are stored as compact JSON object text, as FOCUS specifies the column and as Cost Management writes it; the
load checks every distinct value is a JSON object and rewrites the legacy brace-less form
(`"k": "v","k2": "v2"`) with its braces. In DuckDB, `Tags->>'business-case-line'` reads one tag.

Real exports write up to 22 decimal places (`0.0001188669167459011366` in Microsoft's own EA sample), hence 24.
A value with more places is rounded half-even to 24 and the load reports how many were (never silently).

One correction to the catalogue: it types `ConsumedUnit` as Decimal, but the FOCUS specification and every
export carry a unit name there (`Hours`), so it is a string.

Lineage columns (FinOps-toolkit style), filled by the loader:

| column | type | meaning |
| --- | --- | --- |
| `x_SourceName` | string | the store source the row belongs to (an export and its billing period, a file) |
| `x_SourceType` | string | the input format: `focus-1.0`, `focus-1.2`, `ea-cost-details/actual`, ... |
| `x_SourceFile` | string | the file (or blob) the row was read from |
| `x_SourceRow` | int64 | the data row in that file (1 = first row after the header) |
"""

from __future__ import annotations

import json
from functools import cache, lru_cache
from pathlib import Path

import pyarrow as pa

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "reference"
FOCUS_CATALOGUES = {"1.0": "FocusCost_1.0.json", "1.2": "FocusCost_1.2-preview.json"}

COST_DECIMAL = pa.decimal128(38, 24)
TIMESTAMP_UTC = pa.timestamp("us", tz="UTC")
TEXT_DICTIONARY = pa.dictionary(pa.int32(), pa.string())

# Columns whose catalogue type is wrong (see the module docstring).
TYPE_CORRECTIONS = {"ConsumedUnit": "String"}
EXTRA_FOCUS_COLUMNS = {"AvailabilityZone": "String"}
LINEAGE_COLUMNS = {
    "x_SourceName": pa.string(),
    "x_SourceType": pa.string(),
    "x_SourceFile": pa.string(),
    "x_SourceRow": pa.int64(),
}


@cache
def focus_catalogue(version: str) -> dict[str, str]:
    """FOCUS column name -> catalogue DataType for a Microsoft FOCUS export version (`1.0` or `1.2`)."""
    document = json.loads((REFERENCE_DIR / FOCUS_CATALOGUES[version]).read_text(encoding="utf-8"))
    columns = {column["ColumnName"]: column["DataType"] for column in document["Columns"]}
    columns.update({name: kind for name, kind in TYPE_CORRECTIONS.items() if name in columns})
    return columns


def arrow_type(data_type: str) -> pa.DataType:
    """The Arrow type a catalogue column is stored as."""
    if data_type in ("Decimal", "Number"):
        return COST_DECIMAL
    if data_type == "DateTime":
        return TIMESTAMP_UTC
    if data_type == "Boolean":
        return pa.bool_()
    return pa.string()


@cache
def normalised_column_types() -> dict[str, str]:
    """Every stored FOCUS column (lineage excluded) -> catalogue DataType, in stored order."""
    columns = dict(focus_catalogue("1.2"))
    for name, kind in focus_catalogue("1.0").items():
        columns.setdefault(name, kind)
    columns.update(EXTRA_FOCUS_COLUMNS)
    return columns


@cache
def normalised_schema() -> pa.Schema:
    """The Arrow schema of the cost store: FOCUS columns, Microsoft `x_` extras, then lineage."""
    fields = [pa.field(name, arrow_type(kind)) for name, kind in normalised_column_types().items()]
    fields += [pa.field(name, kind) for name, kind in LINEAGE_COLUMNS.items()]
    return pa.schema(fields)


# Written to every partition file, even when a source has no value for them: the FOCUS columns every reader of
# the store groups or sums by. Other columns are written only where the source carries them (see `stored_names`).
CORE_COLUMNS = ("BilledCost", "EffectiveCost", "BillingCurrency", "BillingPeriodStart", "ChargeCategory",
                "ChargePeriodStart", "ChargePeriodEnd", "RegionId", "RegionName", "ResourceId", "ServiceName",
                "SubAccountId", "SubAccountName", "Tags", *LINEAGE_COLUMNS)


def stored_names(carried) -> tuple[str, ...]:
    """The columns a partition file holds: the core ones and those its source carries, in the store's order.

    An export with 20 of the schema's 110 columns is stored as about 25; the rest would be nulls on every row, and
    writing those costs as much time as writing real data (Parquet still encodes a level per row). Readers see
    the full schema either way: `relation` and `open_dataset` put back the missing columns as nulls.
    """
    wanted = set(carried).union(CORE_COLUMNS)
    return tuple(name for name in normalised_schema().names if name in wanted)


@lru_cache(maxsize=64)
def storage_schema(names: tuple[str, ...] | None = None) -> pa.Schema:
    """The schema batches are written with (all columns, or `names`): text columns dictionary-encoded.

    Parquet stores a dictionary-encoded text column the same way whichever form Arrow hands it over in; handing it
    over as a dictionary saves the writer hashing every value again, and read back the column is plain text.
    """
    schema = normalised_schema()
    fields = schema if names is None else [schema.field(name) for name in names]
    return pa.schema([pa.field(f.name, TEXT_DICTIONARY) if pa.types.is_string(f.type) else f for f in fields])


def empty_column(name: str, length: int) -> pa.Array:
    """An all-null column of the stored type, for columns a source does not carry."""
    return pa.nulls(length, type=normalised_schema().field(name).type)
