"""The cost store as a pull's destination: Query API records -> normalised rows -> one store partition."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

from costing.actuals.convert import tags_json
from costing.actuals.schema import normalised_schema
from costing.actuals.store import Storage, open_storage, read_manifest, write_partition

QUERY_FORMAT = "cost-management-query/2025-03-01"


class StoreChunks:
    """A `ChunkStore` over the Parquet cost store that `estate cost load` fills."""

    def __init__(self, store_dir: Path | str | Storage) -> None:
        self.store_dir = open_storage(store_dir)

    def sources(self) -> dict[str, Any]:
        return read_manifest(self.store_dir)["sources"]

    def has_chunk(self, source: str, month: str) -> bool:
        return month in self.sources().get(source, {}).get("partitions", {})

    def has_source(self, source: str) -> bool:
        return source in self.sources()

    def write_chunk(self, source: str, month: str, records: list[dict[str, Any]], *, currency_hint: str | None,
                    lineage: dict[str, str]) -> int:
        table = records_to_table(records, source, lineage)
        write_partition(self.store_dir, source, month, table, kind="query", origin=lineage["x_SourceFile"],
                        data_format=QUERY_FORMAT)
        return table.num_rows


def records_to_table(records: list[dict[str, Any]], source: str, lineage: dict[str, str]) -> pa.Table:
    """Records keyed by FOCUS column names as a table of the store's schema (absent columns null)."""
    schema = normalised_schema()
    count = len(records)
    filled = {"x_SourceName": [source] * count, "x_SourceRow": list(range(1, count + 1))}
    filled.update({name: [value] * count for name, value in lineage.items()})
    columns = []
    for field in schema:
        if field.name in filled:
            values = filled[field.name]
        elif field.name == "Tags":
            values = [tags_json(record.get("Tags") or {}) for record in records]
        else:
            values = [record.get(field.name) for record in records]
        columns.append(pa.array(values, type=field.type))
    return pa.Table.from_arrays(columns, schema=schema)
