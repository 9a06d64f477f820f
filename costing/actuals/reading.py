"""Reading one export file (CSV, gzip CSV or parquet) as a stream of Arrow record batches.

CSV columns are read as text, so type checks happen in one place (`convert`) and can name the bad cell. Any
failure to read (a truncated gzip, a ragged row, a corrupt parquet footer) becomes an `InputError` naming the file.
"""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from estate.foundation.errors import CostDataError, InputError

# Arrow's CSV reader held ~50 bytes of memory per byte of block and parsed big blocks slower: reading a 2M-row
# export took 2.0 s and 430 MB with 8 MB blocks, 1.35 s and 125 MB with 1 MB ones. Blocks are gathered into
# PARQUET_BATCH_ROWS-row batches for staging (`_gathered`). A single row cannot be longer than a block.
CSV_BLOCK_BYTES = 1 << 20


@dataclass(frozen=True)
class ReadLimits:
    """Per-file bounds on what one export may cost to read (`estate cost load --max-...`; docs/limits.md)."""

    max_uncompressed_mib: int = 16 * 1024  # a Cost Management export part is far smaller
    max_line_kib: int = 1024  # one CSV row; a FOCUS row with tags is a few KiB

    @property
    def max_bytes(self) -> int:
        return self.max_uncompressed_mib * 1024 * 1024

    @property
    def max_line(self) -> int:
        return self.max_line_kib * 1024


class FileTooLarge(Exception):
    """Raised from inside the read when a file's decompressed bytes pass the limit."""


class _BoundedReader(io.RawIOBase):
    """The decompressed bytes of a file, stopping with FileTooLarge past `limit` (a gzip bomb stops early)."""

    def __init__(self, inner: io.IOBase, limit: int) -> None:
        self.inner, self.limit, self.count = inner, limit, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.inner.read(len(buffer))
        self.count += len(data)
        if self.count > self.limit:
            raise FileTooLarge
        buffer[:len(data)] = data
        return len(data)
PARQUET_BATCH_ROWS = 128_000
DATA_SUFFIXES = (".csv", ".csv.gz", ".parquet", ".snappy.parquet", ".gz.parquet")


@dataclass(frozen=True)
class ExportFile:
    """A data file to read: where it is on disk and the name to show the user (a path or a blob URL)."""

    path: Path
    display_name: str

    @property
    def kind(self) -> str:
        name = self.path.name.lower()
        if name.endswith(".parquet"):
            return "parquet"
        if name.endswith(".csv.gz") or name.endswith(".gz"):
            return "csv.gz"
        return "csv"


def is_data_file(path: Path) -> bool:
    """True for the file types Cost Management exports write."""
    return path.name.lower().endswith(DATA_SUFFIXES)


def read_header(export: ExportFile, limits: ReadLimits = ReadLimits()) -> list[str]:
    """The column names of an export file; an empty, unreadable or over-long first line is an InputError."""
    if export.path.stat().st_size == 0:
        raise CostDataError(f"{export.display_name}: the file is empty (0 bytes); re-run the export or remove the file",
                         file=export.display_name)
    if export.kind == "parquet":
        try:
            return _unique(export, pq.ParquetFile(export.path).schema_arrow.names)
        except (pa.ArrowException, OSError) as exc:
            raise _unreadable(export, exc) from exc
    try:
        with _open_text(export) as handle:
            line = handle.readline(limits.max_line + 1)  # never more than one bounded line in memory
        if len(line) > limits.max_line:
            raise _line_too_long(export, limits)
        header = next(csv.reader([line]), None)
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, csv.Error) as exc:
        raise _unreadable(export, exc) from exc
    if not header or not any(name.strip() for name in header):
        raise CostDataError(f"{export.display_name}: the file has no header row; it is not a cost export",
                         file=export.display_name)
    return _unique(export, [name.strip() for name in header])


def _unique(export: ExportFile, names: list[str]) -> list[str]:
    """Column names once each: a repeated column would leave which value is meant to chance."""
    seen: set[str] = set()
    repeated = sorted({name for name in names if name in seen or seen.add(name)})
    if repeated:
        raise CostDataError(f"{export.display_name}: the header names {', '.join(map(repr, repeated[:5]))} more than "
                            "once; a cost export has each column once: re-run the export or remove the extra column",
                         file=export.display_name)
    return names


@dataclass
class ReadMeter:
    """How far through its file a reader has got, 0 to 1, for a progress display (updated as it reads)."""

    fraction: float = 0.0


class _CountingFile(io.FileIO):
    """A file that tells a ReadMeter how much of it has been read (compressed bytes, for a gzip file)."""

    def __init__(self, path: Path, meter: ReadMeter) -> None:
        super().__init__(path, "rb")
        self.meter = meter
        self.size = max(1, path.stat().st_size)

    def read(self, size: int = -1) -> bytes:
        data = super().read(size)
        self.meter.fraction = min(1.0, self.tell() / self.size)
        return data

    def readinto(self, buffer) -> int | None:
        count = super().readinto(buffer)
        self.meter.fraction = min(1.0, self.tell() / self.size)
        return count


def _open_text(export: ExportFile) -> io.TextIOBase:
    if export.kind == "csv.gz":
        return gzip.open(export.path, "rt", encoding="utf-8-sig", newline="")
    return export.path.open(encoding="utf-8-sig", newline="")


def iter_batches(export: ExportFile, header: list[str], null_values: list[str],
                 meter: ReadMeter | None = None, limits: ReadLimits = ReadLimits()) -> Iterator[pa.RecordBatch]:
    """Stream the file's rows in batches; CSV cells arrive as text (null where a null literal was written).

    `meter` follows how far through the file the reading is: by rows for parquet, by bytes for CSV.
    """
    meter = meter or ReadMeter()
    try:
        if export.kind == "parquet":
            yield from _parquet_batches(export, meter)
            return
        yield from _csv_batches(export, header, null_values, meter, limits)
    except FileTooLarge:
        raise CostDataError(f"{export.display_name}: more than {limits.max_uncompressed_mib} MiB once decompressed "
                            "(--max-uncompressed-mib); if the export is genuine, raise it, e.g. "
                            f"--max-uncompressed-mib {limits.max_uncompressed_mib * 2}",
                         file=export.display_name) from None
    except (pa.ArrowException, OSError, EOFError, zlib.error) as exc:
        if "straddl" in str(exc):
            raise _line_too_long(export, limits) from exc
        raise _unreadable(export, exc) from exc


def _parquet_batches(export: ExportFile, meter: ReadMeter) -> Iterator[pa.RecordBatch]:
    # pre_buffer holds every row group's bytes until the file is closed: memory would grow with the file.
    footer = pq.ParquetFile(export.path)
    schema, rows = footer.schema_arrow, max(1, footer.metadata.num_rows)
    # Text read as dictionaries: exports write text dictionary-encoded, so this skips expanding every value.
    text = [f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
    parquet = pq.ParquetFile(export.path, pre_buffer=False, buffer_size=1 << 20, read_dictionary=text)
    read = 0
    for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS):
        read += batch.num_rows
        meter.fraction = min(1.0, read / rows)
        yield batch


def _csv_batches(export: ExportFile, header: list[str], null_values: list[str],
                 meter: ReadMeter, limits: ReadLimits) -> Iterator[pa.RecordBatch]:
    raw = _CountingFile(export.path, meter)
    inner = gzip.GzipFile(fileobj=raw, mode="rb") if export.kind == "csv.gz" else raw
    stream = pa.input_stream(io.BufferedReader(_BoundedReader(inner, limits.max_bytes), CSV_BLOCK_BYTES))
    with raw, stream:
        # A row longer than the block is refused by Arrow ("straddling"), so the block size is the line limit.
        reader = pacsv.open_csv(
            stream,
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1,
                                           block_size=max(CSV_BLOCK_BYTES, limits.max_line)),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(header, pa.string()),
                null_values=null_values,
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
            ),
        )
        yield from _gathered(reader)


def _gathered(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Small CSV blocks gathered into batches of about PARQUET_BATCH_ROWS rows (one row group each in the store)."""
    held: list[pa.RecordBatch] = []
    rows = 0
    for batch in batches:
        held.append(batch)
        rows += batch.num_rows
        if rows >= PARQUET_BATCH_ROWS:
            yield _one_batch(held)
            held, rows = [], 0
    if held:
        yield _one_batch(held)


def _one_batch(batches: list[pa.RecordBatch]) -> pa.RecordBatch:
    if len(batches) == 1:
        return batches[0]
    return pa.Table.from_batches(batches).combine_chunks().to_batches()[0]


def _line_too_long(export: ExportFile, limits: ReadLimits) -> InputError:
    return InputError(f"{export.display_name}: a line is longer than {limits.max_line_kib} KiB (--max-line-kib); "
                      "a cost export's rows are a few KiB, so the file is damaged or not an export; if it is "
                      f"genuine, raise it, e.g. --max-line-kib {limits.max_line_kib * 4}", file=export.display_name)


def _unreadable(export: ExportFile, exc: BaseException) -> InputError:
    detail = str(exc).strip() or type(exc).__name__
    hint = "the file looks truncated or corrupt; download or re-run the export" if export.kind != "csv" else (
        "check the row named (a missing or extra delimiter, or an unclosed quote)")
    return InputError(f"{export.display_name}: cannot read the {export.kind} file: {detail}; {hint}",
                      file=export.display_name)
