"""Limits on what one input may cost: bytes read, nesting depth, alias expansion (see docs/limits.md).

Every file the tool parses (YAML definitions, JSON plans, What-If results, forecasts, price snapshots) goes
through `read_text_bounded`: it refuses anything that is not a regular file before opening it for read, opens
without blocking (a FIFO never hangs), and reads at most the size cap. Each limit can be raised with an
environment variable, named in the message that refuses the input.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from estate.foundation.errors import InputError

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limit:
    """One limit: its default, and the environment variable that raises it."""

    name: str
    default: int
    env: str
    unit: str = ""

    def value(self) -> int:
        text = os.environ.get(self.env, "").strip()
        if not text:
            return self.default
        try:
            number = int(text)
        except ValueError:
            raise InputError(f"{self.env}={text!r} is not a whole number; set it to a positive whole number "
                             f"({self.name}, default {self.default}{self.unit})") from None
        if number <= 0:
            raise InputError(f"{self.env}={text!r} must be positive ({self.name}, default {self.default}{self.unit})")
        return number

    def how_to_raise(self) -> str:
        return f"if the file is genuine, raise the limit with {self.env}=N (default {self.default}{self.unit})"


INPUT_MIB = Limit("size of one input file", 10, "ESTATE_MAX_INPUT_MIB", " MiB")
PLAN_MIB = Limit("size of one plan, What-If, forecast or price file", 200, "ESTATE_MAX_JSON_MIB", " MiB")
NESTING = Limit("nesting depth of one YAML or JSON document", 100, "ESTATE_MAX_NESTING")
ALIAS_NODES = Limit("nodes reached through YAML aliases", 10_000, "ESTATE_MAX_YAML_ALIAS_NODES")


def read_text_bounded(path: str | Path, *, what: str, limit: Limit = INPUT_MIB, hint: str = "") -> str:
    """The UTF-8 text of a regular file of at most `limit` MiB, or a one-paragraph `InputError`."""
    file = str(path)
    try:
        info = os.stat(file)
    except FileNotFoundError:
        raise InputError(f"{file}: no such file; give the path to the {what} file{hint}", file=file) from None
    except OSError as exc:
        raise InputError(f"{file}: cannot be read ({exc.strerror}); check the path and its permissions",
                         file=file) from exc
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{file}: is a directory, not a file; give the path to the {what} file inside it",
                         file=file)
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{file}: is not a regular file ({_kind(info.st_mode)}); the {what} must be a file on "
                         "disk, not a pipe, device or socket", file=file)
    cap = limit.value() * MIB
    if info.st_size > cap:
        raise InputError(f"{file}: is {info.st_size / MIB:.1f} MiB, above the {limit.value()} MiB limit for the "
                         f"{limit.name}; {limit.how_to_raise()}", file=file)
    try:
        descriptor = os.open(file, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise InputError(f"{file}: cannot be read ({exc.strerror}); check its permissions", file=file) from exc
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # swapped between stat and open
            raise InputError(f"{file}: is not a regular file; give the {what} file itself", file=file)
        try:
            data = handle.read(cap + 1)
        except OSError as exc:
            raise InputError(f"{file}: cannot be read ({exc.strerror}); check the file", file=file) from exc
    if len(data) > cap:
        raise InputError(f"{file}: grew above the {limit.value()} MiB limit for the {limit.name} while being "
                         f"read; {limit.how_to_raise()}", file=file)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{file}: not UTF-8 text (byte {exc.start}); save the {what} as UTF-8", file=file) from exc


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


# HTTP: Retail Prices API, Cost Management, Blob storage.
RETRY_AFTER_SECONDS = Limit("longest Retry-After a server may ask for", 300, "ESTATE_MAX_RETRY_AFTER_SECONDS", " s")
REQUEST_SECONDS = Limit("time for one HTTP request, body included", 120, "ESTATE_HTTP_REQUEST_SECONDS", " s")
COMMAND_SECONDS = Limit("time for all HTTP requests of one command", 3600, "ESTATE_HTTP_COMMAND_SECONDS", " s")
RESPONSE_MIB = Limit("size of one HTTP response", 100, "ESTATE_HTTP_MAX_RESPONSE_MIB", " MiB")
BLOB_SECONDS = Limit("time for one blob download, all its requests and retries", 1800, "ESTATE_HTTP_BLOB_SECONDS",
                     " s")
BLOB_MIB = Limit("size of one downloaded blob", 16 * 1024, "ESTATE_HTTP_MAX_BLOB_MIB", " MiB")
PAGES = Limit("pages followed for one query", 10_000, "ESTATE_HTTP_MAX_PAGES")
MONTHS = Limit("months in one --from/--to range", 120, "ESTATE_MAX_MONTHS")
EARLIEST_MONTH, LATEST_MONTH = "2000-01", "2100-12"


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds a `Retry-After` (or Cost Management's retry-after) header asks for; None when absent or unusable.

    `nan`, `inf`, negative and unparseable values are treated as absent (the caller backs off on its own);
    a wait above the ceiling is refused with an `EstateError` rather than obeyed for hours.
    """
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    try:
        seconds = float(text)
    except ValueError:
        from datetime import UTC, datetime
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    if seconds != seconds or seconds in (float("inf"), float("-inf")) or seconds < 0:
        return None
    ceiling = RETRY_AFTER_SECONDS.value()
    if seconds > ceiling:
        raise RetryAfterTooLong(seconds, ceiling)
    return seconds


class RetryAfterTooLong(InputError):
    """A server asked to wait longer than the ceiling: stop with a clear message instead of sleeping (exit 2)."""

    def __init__(self, seconds: float, ceiling: int) -> None:
        super().__init__(f"the server asked to retry after {seconds:.0f} s, more than the {ceiling} s estate waits; "
                         f"try again later, or {RETRY_AFTER_SECONDS.how_to_raise()}")
        self.seconds = seconds


def check_month_range(first: str, last: str) -> None:
    """--from/--to within EARLIEST_MONTH..LATEST_MONTH and at most MONTHS months apart (both already YYYY-MM)."""
    for text, name in ((first, "--from"), (last, "--to")):
        if not EARLIEST_MONTH <= text <= LATEST_MONTH:
            raise InputError(f"{name} {text}: give a month between {EARLIEST_MONTH} and {LATEST_MONTH}")
    count = (int(last[:4]) - int(first[:4])) * 12 + int(last[5:]) - int(first[5:]) + 1
    if count > MONTHS.value():
        raise InputError(f"--from {first} --to {last} is {count} months, more than {MONTHS.value()} in one command; "
                         f"pull in shorter ranges, or {MONTHS.how_to_raise()}")


# FX rates: units of the target currency per unit of the source. Real rates between currencies in use lie
# well inside this band (GBP->IDR is about 2e4, GBP->KWD about 0.4); a rate outside it is almost always a
# typo or an inverted rate, so it needs --accept-fx-outlier.
FX_SANITY_BAND = (Decimal("0.0001"), Decimal("100000"))


def fx_outlier(rate: Decimal) -> bool:
    low, high = FX_SANITY_BAND
    return not low <= rate <= high


def fx_outlier_message(where: str, rate: Decimal) -> str:
    low, high = FX_SANITY_BAND
    return (f"{where}: FX rate {rate} is outside the sanity band {low}..{high} (a typo or an inverted rate?); "
            "check it, and if it is right give --accept-fx-outlier")
