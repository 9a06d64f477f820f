"""Periods of a business case: calendar years (`2024`), UK financial years (`2024/25`) or months (`2024-04`).

A financial year runs from the first day of its start month (April in the UK) to the last day of the month
before it, and is written with both years: `2024/25` is 1 April 2024 to 31 March 2025, so March 2025 and
April 2025 fall in different financial years.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

PeriodKind = Literal["calendar-year", "financial-year", "month"]
UK_FINANCIAL_YEAR_START_MONTH = 4

_CALENDAR_YEAR = re.compile(r"^(\d{4})$")
_FINANCIAL_YEAR = re.compile(r"^(\d{4})/(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month; `index` counts months since year 0 so that months can be subtracted."""

    year: int
    month: int

    @property
    def index(self) -> int:
        return self.year * 12 + self.month - 1

    @classmethod
    def from_index(cls, index: int) -> Month:
        return cls(index // 12, index % 12 + 1)

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    def plus(self, months: int) -> Month:
        return Month.from_index(self.index + months)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return self.plus(1).first_day - timedelta(days=1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class Period:
    """One column of a business case: its label as written, its kind, and the months it covers."""

    label: str
    kind: PeriodKind
    first_month: Month
    months: int

    @property
    def last_month(self) -> Month:
        return self.first_month.plus(self.months - 1)

    @property
    def start(self) -> date:
        return self.first_month.first_day

    @property
    def end(self) -> date:
        """The last day of the period (inclusive)."""
        return self.last_month.last_day

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def month_list(self) -> list[Month]:
        return [self.first_month.plus(offset) for offset in range(self.months)]


def financial_year_label(start_year: int) -> str:
    """2024 -> '2024/25'."""
    return f"{start_year:04d}/{(start_year + 1) % 100:02d}"


def financial_year(start_year: int, start_month: int = UK_FINANCIAL_YEAR_START_MONTH) -> Period:
    """The financial year that starts in `start_year` (2024 -> 2024/25, April 2024 to March 2025)."""
    return Period(financial_year_label(start_year), "financial-year", Month(start_year, start_month), 12)


def financial_year_of(day: date, start_month: int = UK_FINANCIAL_YEAR_START_MONTH) -> Period:
    """The financial year a day falls in: 31 March 2025 is in 2024/25, 1 April 2025 in 2025/26."""
    start_year = day.year if day.month >= start_month else day.year - 1
    return financial_year(start_year, start_month)


EARLIEST_YEAR, LATEST_YEAR = 1990, 2200


def parse_period(label: object, start_month: int = UK_FINANCIAL_YEAR_START_MONTH) -> Period:
    """A period from its written label; raises ValueError saying which forms are accepted."""
    if isinstance(label, bool) or not isinstance(label, int | str):
        raise ValueError(f"{label!r} is not a period")
    text = str(label).strip()
    year = re.match(r"\d+", text)
    if year and not EARLIEST_YEAR <= int(year[0]) <= LATEST_YEAR:
        raise ValueError(f"{text!r} is outside the years estate plans for ({EARLIEST_YEAR} to {LATEST_YEAR})")
    if match := _CALENDAR_YEAR.match(text):
        return Period(text, "calendar-year", Month(int(match[1]), 1), 12)
    if match := _FINANCIAL_YEAR.match(text):
        start_year = int(match[1])
        if int(match[2]) != (start_year + 1) % 100:
            raise ValueError(f"{text!r} is not a financial year: the second year must follow the first "
                             f"(write {financial_year_label(start_year)!r})")
        return financial_year(start_year, start_month)
    if match := _MONTH.match(text):
        return Period(text, "month", Month(int(match[1]), int(match[2])), 1)
    raise ValueError(f"{text!r} is not a period")


PERIOD_FORMS = "a calendar year (2024), a financial year (2024/25) or a month (2024-04)"
