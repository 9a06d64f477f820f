"""Vectorised conversions of export columns to the stored types, naming the first bad cell when one fails.

Each function takes an Arrow array (strings from CSV, or whatever a parquet file holds) and returns an array of
the stored type. Text columns stay dictionary-encoded end to end when the file is read so (parquet exports write
them so): regions and tags are then worked out once per distinct value and the writer does not hash them again.
Per-row Python runs only on distinct values and, when a conversion fails, to find the first bad cell for the
error message.
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from costing.actuals.schema import COST_DECIMAL, TEXT_DICTIONARY, TIMESTAMP_UTC
from estate.foundation.reference import normalise_region, region_names

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
    array = decoded(array)
    if pa.types.is_decimal(array.type) and array.type == COST_DECIMAL:
        return array
    if pa.types.is_decimal128(array.type) and array.type.scale < DECIMAL_PLACES:
        rescaled = _rescaled(array)
        if rescaled is not None:
            return rescaled
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


# Scale-ups by at most 10^9 keep every partial product below 2^64 (see `_rescaled`).
MAX_FAST_PLACES = 9
LOW_BITS = np.uint64(0xFFFFFFFF)
HALF = np.uint64(32)


def _rescaled(array: pa.Array) -> pa.Array | None:
    """A decimal128 array of a smaller scale (parquet exports use 18) at scale 24, by exact integer arithmetic.

    Arrow's own cast checks every value for overflow one at a time; here one look at the high 64-bit words shows
    no value can overflow, and the 128-bit multiplication by 10^places runs on whole columns in NumPy (two's
    complement, so negatives need nothing special). None when the shortcut does not apply (too many places, or a
    value near the limit): the caller then uses Arrow's cast, which checks and reports.
    """
    places = DECIMAL_PLACES - array.type.scale
    if places > MAX_FAST_PLACES:
        return None
    words = np.frombuffer(array.buffers()[1], dtype=np.uint64, count=2 * (array.offset + len(array)))
    low, high = words[0::2], words[1::2]
    # |x| < 2^64 * limit (limit = floor(10^(38 - places) / 2^64)) ensures x * 10^places stays below 10^38, the
    # most decimal128(38, 24) holds. Slots under nulls count too: a false alarm only means the slower cast.
    limit = 10 ** (COST_DECIMAL.precision - places) >> 64
    signed_high = high.view(np.int64)
    if len(array) and (signed_high.max() >= limit or signed_high.min() < -limit):
        return None
    factor = np.uint64(10 ** places)
    # x * f = high * f * 2^64 + low_hi * f * 2^32 + low_lo * f with low = low_hi * 2^32 + low_lo; every partial
    # product is below 2^64 because both of its factors are below 2^32.
    low_lo = low & LOW_BITS
    low_lo *= factor
    low_hi = low >> HALF
    low_hi *= factor
    result = np.empty_like(words)
    new_low, new_high = result[0::2], result[1::2]
    np.left_shift(low_hi, HALF, out=new_low)
    new_low += low_lo
    np.multiply(high, factor, out=new_high)
    low_hi >>= HALF
    new_high += low_hi
    new_high += new_low < low_lo  # the carry out of the low word
    return pa.Array.from_buffers(COST_DECIMAL, len(array), [array.buffers()[0], pa.py_buffer(result)],
                                 null_count=array.null_count, offset=array.offset)


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


EARLIEST_CHARGE, LATEST_CHARGE = datetime(2000, 1, 1, tzinfo=UTC), datetime(2101, 1, 1, tzinfo=UTC)


def to_timestamp(array: pa.Array, column: str, us_date_format: bool = False) -> pa.Array:
    """UTC timestamps from ISO 8601 (`2025-05-01T00:00:00Z`, `2024-09-18 22:00:00`) or `MM/DD/YYYY` text.

    Fails closed: a value before 2000 or after 2100 (or beyond what a timestamp holds) is a `BadCell`.
    """
    result = _to_timestamp(decoded(array), column, us_date_format)
    outside = pc.or_(pc.less(result, pa.scalar(EARLIEST_CHARGE, TIMESTAMP_UTC)),
                     pc.greater_equal(result, pa.scalar(LATEST_CHARGE, TIMESTAMP_UTC)))
    if pc.any(outside).as_py():
        index = pc.index(outside, True).as_py()
        raise BadCell(column, index, result[index].as_py().isoformat(), "a date from 2000 to 2100")
    return result


def _to_timestamp(array: pa.Array, column: str, us_date_format: bool) -> pa.Array:
    if pa.types.is_timestamp(array.type) or pa.types.is_date(array.type):
        try:
            return _typed_timestamp(array)
        except pa.ArrowInvalid:
            raise BadCell(column, _first_out_of_range(array), "a value out of range",
                          "a date from 2000 to 2100") from None
    us_dated = us_date_format and _looks_us_dated(array)
    if not us_dated:
        # Exports write the zone (`Z`, `+00:00`): Arrow parses and converts those in one pass. Values without a
        # zone (the FOCUS sample's `2024-09-18 22:00:00`) are UTC and take the slower path below.
        with contextlib.suppress(pa.ArrowInvalid):
            return pc.cast(array, TIMESTAMP_UTC)
    try:
        if us_dated:
            naive = pc.strptime(array, format="%m/%d/%Y", unit="us")
        else:
            naive = pc.cast(pc.replace_substring_regex(array, r"(Z|[+-]00:?00)$", ""), pa.timestamp("us"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise _first_bad_timestamp(array, column, us_date_format) from None
    return naive.cast(TIMESTAMP_UTC)


def _typed_timestamp(array: pa.Array) -> pa.Array:
    if pa.types.is_date(array.type):
        return array.cast(pa.timestamp("us")).cast(TIMESTAMP_UTC)
    if array.type.tz is None:
        return pc.assume_timezone(array.cast(pa.timestamp("us")), "UTC").cast(TIMESTAMP_UTC)
    return array.cast(TIMESTAMP_UTC)


def _first_out_of_range(array: pa.Array) -> int:
    for index in range(len(array)):
        try:
            _typed_timestamp(array.slice(index, 1))
        except pa.ArrowInvalid:
            return index
    return 0


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
    array = decoded(array)
    if pa.types.is_boolean(array.type):
        return array
    lowered = pc.utf8_lower(array.cast(pa.string()))
    valid = pc.or_kleene(pc.is_in(lowered, pa.array(["true", "false"])), pc.is_null(lowered))
    if not pc.all(valid).as_py():
        index = pc.index(valid, False).as_py()
        raise BadCell(column, index, array[index].as_py(), "true or false")
    return pc.equal(lowered, "true")


def decoded(array: pa.Array) -> pa.Array:
    """A dictionary-encoded array as a plain one (other arrays as they are)."""
    return array.dictionary_decode() if pa.types.is_dictionary(array.type) else array


def to_string(array: pa.Array) -> pa.Array:
    """Any column as plain text (a parquet export may type ids as integers)."""
    array = decoded(array)
    return array if pa.types.is_string(array.type) else array.cast(pa.string())


def to_text_dictionary(array: pa.Array) -> pa.DictionaryArray:
    """Any column as dictionary-encoded text; a dictionary of text read from parquet passes through untouched."""
    if array.type == TEXT_DICTIONARY:
        return array
    if pa.types.is_dictionary(array.type):
        return pa.DictionaryArray.from_arrays(array.indices.cast(pa.int32()), to_string(array.dictionary))
    return pc.dictionary_encode(to_string(array))


def with_dictionary(encoded: pa.DictionaryArray, values: list[str | None]) -> pa.DictionaryArray:
    """`encoded` with dictionary entry i replaced by values[i]; equal values merge, None becomes null."""
    unique: dict[str, int] = {}
    positions = [None if value is None else unique.setdefault(value, len(unique)) for value in values]
    dictionary = pa.array(list(unique), pa.string())
    if len(unique) == len(values):
        return pa.DictionaryArray.from_arrays(encoded.indices, dictionary)
    # Parquet wants a dictionary without repeats: point every row at the merged entry instead.
    return pa.DictionaryArray.from_arrays(pa.array(positions, pa.int32()).take(encoded.indices), dictionary)


def to_tags(array: pa.Array, column: str = "Tags") -> pa.DictionaryArray:
    """Compact JSON object text from JSON text; also accepts the legacy `"k": "v","k2": "v2"` (no braces)."""
    encoded = to_text_dictionary(array)
    texts = encoded.dictionary.to_pylist()
    canonical = [None if text is None else _canonical_tags(text) for text in texts]
    for position, (text, tags) in enumerate(zip(texts, canonical, strict=True)):
        if text is not None and tags is None:
            index = pc.index(encoded.indices, position).as_py()
            raise BadCell(column, index, text, "a JSON object of tags")
    return with_dictionary(encoded, canonical)


@lru_cache(maxsize=1 << 16)  # a file repeats its tag sets batch after batch
def _canonical_tags(value: str) -> str | None:
    stripped = value.strip()
    if not stripped:
        return "{}"
    if not stripped.startswith("{"):
        stripped = "{" + stripped + "}"
    try:
        document = json.loads(stripped)
    except json.JSONDecodeError:
        return None
    if not isinstance(document, dict):
        return None
    return tags_json(document)


def tags_json(tags: dict[str, object]) -> str:
    """Tags as the store writes them: compact JSON object text, keys in the order given, non-ASCII as is."""
    return json.dumps(tags, ensure_ascii=False, separators=(",", ":"))


def to_region(array: pa.Array) -> tuple[pa.DictionaryArray, pa.DictionaryArray]:
    """(RegionId, RegionName) from any spelling Cost Management uses; unknown spellings are kept as written."""
    encoded = to_text_dictionary(array)
    names = region_names()
    ids, display = [], []
    for value in encoded.dictionary.to_pylist():
        region_id = normalise_region(value) if value else None
        ids.append(region_id or value)
        display.append(names.get(region_id) if region_id else None)
    return with_dictionary(encoded, ids), with_dictionary(encoded, display)
