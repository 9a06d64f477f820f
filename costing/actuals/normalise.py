"""Turning a batch of FOCUS export rows into normalised rows (the store schema), batch by batch.

Multi-provider FOCUS data (the FinOps Foundation sample) keeps only `ProviderName == 'Microsoft'` rows. Every
catalogued column is converted to its stored type; the first cell that does not convert stops the load with the
file, the data row and the column named.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from costing.actuals.convert import (
    BadCell,
    to_bool,
    to_decimal,
    to_region,
    to_tags,
    to_text_dictionary,
    to_timestamp,
)
from costing.actuals.formats import ExportFormat
from costing.actuals.schema import normalised_column_types, storage_schema, stored_names
from estate.foundation.errors import InputError

MICROSOFT = "Microsoft"
NULL_ROWS = 1 << 17  # at least the rows of one batch (reading.PARQUET_BATCH_ROWS), usually


@dataclass(frozen=True)
class Lineage:
    """Where a batch came from: the store source, the input format, the file, and its first data row number."""

    source_name: str
    source_type: str
    file: str
    first_row: int  # 1-based data row number of the batch's first row
    rounded: Counter[str] = field(default_factory=Counter)  # values rounded to 24 places, by column


def _from_numpy(values: np.ndarray, data_type: pa.DataType) -> pa.Array:
    # Straight from the buffer: pa.array(ndarray) would first import pandas to look for pandas types (0.2 s).
    return pa.Array.from_buffers(data_type, len(values), [None, pa.py_buffer(values)])


def row_numbers(lineage: Lineage, length: int) -> pa.Array:
    """The 1-based data row numbers of a batch of `length` rows."""
    return _from_numpy(np.arange(lineage.first_row, lineage.first_row + length, dtype=np.int64), pa.int64())


def constant(value: str, length: int) -> pa.DictionaryArray:
    """A text column holding one value on every row (a one-entry dictionary: nothing to hash or copy per row)."""
    indices = _from_numpy(np.zeros(length, np.int32), pa.int32())
    return pa.DictionaryArray.from_arrays(indices, pa.array([value], pa.string()))


def located(lineage: Lineage, rows: pa.Array, cell: BadCell) -> InputError:
    """An InputError for a bad cell, naming file, data row and column."""
    row = rows[cell.index].as_py() if cell.index < len(rows) else "?"
    return InputError(
        f"{lineage.file}: data row {row} (line {row + 1 if isinstance(row, int) else '?'}): {cell}; "
        f"fix or remove the row, or re-run the export",
        file=lineage.file,
    )


def convert_column(name: str, data_type: str, array: pa.Array, rounded: Counter[str] | None = None) -> pa.Array:
    """One export column in its stored type (raises BadCell)."""
    if pa.types.is_null(array.type):
        return pa.nulls(len(array), storage_schema().field(name).type)
    if data_type in ("Decimal", "Number"):
        return to_decimal(array, name, rounded)
    if data_type == "DateTime":
        return to_timestamp(array, name)
    if data_type == "Boolean":
        return to_bool(array, name)
    if data_type == "JSON" and name == "Tags":
        return to_tags(array, name)
    return to_text_dictionary(array)


@lru_cache(maxsize=16)
def _null_column(data_type: pa.DataType) -> pa.Array:
    return pa.nulls(NULL_ROWS, data_type)


def _nulls(data_type: pa.DataType, length: int) -> pa.Array:
    """An all-null column: a zero-copy slice of one shared array per type (arrays are immutable)."""
    if length > NULL_ROWS:
        return pa.nulls(length, data_type)
    return _null_column(data_type).slice(0, length)


def assemble(columns: dict[str, pa.Array], length: int, lineage: Lineage, rows: pa.Array) -> pa.RecordBatch:
    """A record batch of the columns given (plus the core ones, null if not given), in the store's order.

    The columns a batch has depend only on the file's header, so every batch of a file has the same schema.
    """
    columns = dict(columns)
    columns.update({
        "x_SourceName": constant(lineage.source_name, length),
        "x_SourceType": constant(lineage.source_type, length),
        "x_SourceFile": constant(lineage.file, length),
        "x_SourceRow": rows,
    })
    # Text may still be plain here (CSV, derived columns); the stager hands every text column over as a dictionary.
    schema = storage_schema(stored_names(columns))
    return pa.RecordBatch.from_arrays([columns[f.name] if f.name in columns else _nulls(f.type, length)
                                       for f in schema], names=schema.names)


def microsoft_rows(batch: pa.RecordBatch) -> pa.Array | None:
    """A mask of Microsoft rows when the batch says which provider each row is from, else None (keep all)."""
    if "ProviderName" not in batch.schema.names:
        return None
    provider = to_text_dictionary(batch.column("ProviderName"))
    # Worked out on the distinct names, then spread over the rows; a Microsoft-only export needs no filter.
    is_microsoft = pc.fill_null(pc.equal(provider.dictionary, MICROSOFT), False)
    if provider.null_count == 0 and pc.all(is_microsoft).as_py():
        return None
    return pc.fill_null(is_microsoft.take(provider.indices), False)


def normalise_focus(batch: pa.RecordBatch, export_format: ExportFormat, lineage: Lineage,
                    currency: str | None) -> pa.RecordBatch:
    """Normalise one batch of a FOCUS export (Microsoft 1.0 / 1.2, or the FinOps Foundation sample)."""
    rows = row_numbers(lineage, batch.num_rows)
    mask = microsoft_rows(batch)
    if mask is not None:
        batch = batch.filter(mask)
        rows = rows.filter(mask)
    types = normalised_column_types()
    columns: dict[str, pa.Array] = {}
    try:
        for name in batch.schema.names:
            if name in types:
                columns[name] = convert_column(name, types[name], batch.column(name), lineage.rounded)
    except BadCell as cell:
        raise located(lineage, rows, cell) from cell
    if "RegionId" in columns:
        region_id, region_name = to_region(columns["RegionId"])
        columns["RegionId"] = region_id
        if "RegionName" in columns and region_name.null_count:
            # Our name for a known region, the export's for one we do not know.
            region_name = pc.coalesce(region_name.dictionary_decode(), columns["RegionName"].dictionary_decode())
        columns["RegionName"] = region_name
    if "BillingCurrency" not in columns and currency:
        columns["BillingCurrency"] = constant(currency, batch.num_rows)
    return assemble(columns, batch.num_rows, lineage, rows)
