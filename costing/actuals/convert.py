"""Vectorised conversions of export columns to the stored types, naming the first bad cell when one fails.

Each function takes an Arrow array (strings from CSV, or whatever a parquet file holds) and returns an array of
the stored type. Per-row Python runs only on the distinct values of repetitive columns (tags, regions) and, when a
conversion fails, to find the first bad cell for the error message.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from decimal import Decimal, InvalidOperation

import pyarrow as pa
import pyarrow.compute as pc

from costing.actuals.schema import COST_DECIMAL, TAGS_MAP, TIMESTAMP_UTC
from estate.reference import normalise_region, region_names

DECIMAL_PLACES = COST_DECIMAL.scale
WIDE_DECIMAL = pa.decimal256(76, 38)


class BadCell(Exception):
    """A value that cannot become its column's type; `index` is its position in the array converted."""

    def __init__(self, column: str, index: int, value: object, expected: str) -> None:
        super().__init__(f"{column} is {value!r}, which is not {expected}")
        self.column = column
        self.index = index
        self.value = value
        self.expected = expected


def to_decimal(array: pa.Array, column: str, rounded: Counter[str] | None = None) -> pa.Array:
    """Exact decimal128(38, 24); strings like `1.5`, `-300`, `1.5E-05` parse exactly, floats via their repr.

    Values with more than 24 decimal places are rounded half-even to 24 and counted in `rounded[column]`.
    """
    if pa.types.is_decimal(array.type) and array.type == COST_DECIMAL:
        return array
    source = array
    if pa.types.is_floating(array.type):
        # The shortest repr of a float is the number the export wrote; casting the binary value would not be.
        source = pc.cast(array, pa.string())
    try:
        return pc.cast(source, COST_DECIMAL)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    try:
        wide = pc.cast(source, WIDE_DECIMAL)
        exact = pc.round(wide, ndigits=DECIMAL_PLACES, round_mode="half_to_even")
        result = pc.cast(exact, COST_DECIMAL)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise _first_bad_decimal(source, column) from None
    if rounded is not None:
        rounded[column] += pc.sum(pc.not_equal(exact, wide)).as_py() or 0
    return result


def _first_bad_decimal(array: pa.Array, column: str) -> BadCell:
    for index, value in enumerate(array.to_pylist()):
        if value is None:
            continue
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return BadCell(column, index, value, "a number")
        if not number.is_finite():
            return BadCell(column, index, value, "a finite number")
        if abs(number) >= Decimal(10) ** (38 - DECIMAL_PLACES):
            return BadCell(column, index, value, f"a number below 10^{38 - DECIMAL_PLACES}")
    return BadCell(column, 0, None, "a number")


def to_timestamp(array: pa.Array, column: str, us_date_format: bool = False) -> pa.Array:
    """UTC timestamps from ISO 8601 (`2025-05-01T00:00:00Z`, `2024-09-18 22:00:00`) or `MM/DD/YYYY` text."""
    if pa.types.is_timestamp(array.type):
        if array.type.tz is None:
            return pc.assume_timezone(array.cast(pa.timestamp("us")), "UTC").cast(TIMESTAMP_UTC)
        return array.cast(TIMESTAMP_UTC)
    if pa.types.is_date(array.type):
        return array.cast(pa.timestamp("us")).cast(TIMESTAMP_UTC)
    try:
        if us_date_format and _looks_us_dated(array):
            naive = pc.strptime(array, format="%m/%d/%Y", unit="us")
        else:
            naive = pc.cast(pc.replace_substring_regex(array, r"(Z|[+-]00:?00)$", ""), pa.timestamp("us"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise _first_bad_timestamp(array, column, us_date_format) from None
    return naive.cast(TIMESTAMP_UTC)


def _looks_us_dated(array: pa.Array) -> bool:
    first = pc.drop_null(array)
    return len(first) > 0 and "/" in first[0].as_py()


def _first_bad_timestamp(array: pa.Array, column: str, us_date_format: bool) -> BadCell:
    for index, value in enumerate(array.to_pylist()):
        if value is None:
            continue
        try:
            if us_date_format and "/" in value:
                datetime.strptime(value, "%m/%d/%Y")
            else:
                datetime.fromisoformat(value.replace("Z", "+00:00"))
        except (TypeError, ValueError):
            expected = "a date MM/DD/YYYY" if us_date_format else "an ISO 8601 date and time"
            return BadCell(column, index, value, expected)
    return BadCell(column, 0, None, "a date and time")


def to_bool(array: pa.Array, column: str) -> pa.Array:
    """Booleans from `true`/`false` text (any case) or a boolean column."""
    if pa.types.is_boolean(array.type):
        return array
    lowered = pc.utf8_lower(array.cast(pa.string()))
    valid = pc.or_kleene(pc.is_in(lowered, pa.array(["true", "false"])), pc.is_null(lowered))
    if not pc.all(valid).as_py():
        index = pc.index(valid, False).as_py()
        raise BadCell(column, index, array[index].as_py(), "true or false")
    return pc.equal(lowered, "true")


def to_string(array: pa.Array) -> pa.Array:
    """Any column as text (a parquet export may type ids as integers)."""
    return array if pa.types.is_string(array.type) else array.cast(pa.string())


def to_tags(array: pa.Array, column: str = "Tags") -> pa.Array:
    """A map<string, string> from JSON object text; also accepts the legacy `"k": "v","k2": "v2"` (no braces)."""
    text = to_string(array)
    encoded = pc.dictionary_encode(text)
    parsed = []
    for value in encoded.dictionary.to_pylist():
        parsed.append(_parse_tags(value))
    bad = [i for i, tags in enumerate(parsed) if tags is None]
    if bad:
        bad_value = encoded.dictionary[bad[0]].as_py()
        index = pc.index(text, bad_value).as_py()
        raise BadCell(column, index, bad_value, "a JSON object of tags")
    dictionary = pa.array(parsed, type=TAGS_MAP)
    return dictionary.take(encoded.indices)


def _parse_tags(value: str) -> list[tuple[str, str]] | None:
    stripped = value.strip()
    if not stripped:
        return []
    if not stripped.startswith("{"):
        stripped = "{" + stripped + "}"
    try:
        document = json.loads(stripped)
    except json.JSONDecodeError:
        return None
    if not isinstance(document, dict):
        return None
    return [(str(key), val if isinstance(val, str) or val is None else json.dumps(val))
            for key, val in document.items()]


def to_region(array: pa.Array) -> tuple[pa.Array, pa.Array]:
    """(RegionId, RegionName) from any spelling Cost Management uses; unknown spellings are kept as written."""
    text = to_string(array)
    encoded = pc.dictionary_encode(text)
    names = region_names()
    ids, display = [], []
    for value in encoded.dictionary.to_pylist():
        region_id = normalise_region(value) if value else None
        ids.append(region_id or value)
        display.append(names.get(region_id) if region_id else None)
    return (pa.array(ids, pa.string()).take(encoded.indices),
            pa.array(display, pa.string()).take(encoded.indices))
