"""The synthesised estimate: `estate forecast --format json`, phased in month by month by the estate's waves.

A forecast is a steady-state monthly cost per priced component, each line carrying its resource's `wave` and
`business_case_line`. A line costs nothing before its wave's `planned_month` (from the estate definition,
when one is given); the platform and connectivity from the month before the first wave; retained hosts always.
Without an estate definition every line costs its full monthly amount in every month.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from estate.foundation.errors import InputError
from estate.foundation.jsonfile import read_json
from estate.foundation.periods import Month

ON_PREMISES_TYPE_PREFIX = "estate:onprem:"
UNTAGGED = "(no business-case line)"


@dataclass(frozen=True)
class EstimateLine:
    """One priced component of one resource in the forecast."""

    urn: str
    type: str
    component: str
    resource: str
    stack: str
    wave: str
    line: str
    service: str
    region: str
    monthly: Decimal
    price_source: str

    @property
    def on_premises(self) -> bool:
        return self.type.startswith(ON_PREMISES_TYPE_PREFIX)


@dataclass(frozen=True)
class ForecastInput:
    """A forecast file's currency and lines."""

    path: str
    currency: str
    monthly_total: Decimal
    lines: list[EstimateLine]
    unpriced: int


def _decimal(value: object, where: str, path: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise InputError(f"{path}: {where} is {value!r}, not a number; write the forecast again with "
                         "`estate forecast PLAN... --format json --out FILE`", file=path)
    return number


def read_forecast(path: Path) -> ForecastInput:
    """Read and check a forecast JSON file (the shape `estate forecast --format json` prints)."""
    if not Path(path).exists():
        raise InputError(f"{path}: cannot read the forecast (no such file); give the JSON that `estate forecast "
                         "... --format json --out FILE` writes", file=str(path))
    document = read_json(path, what="forecast",
                         fix="give the JSON that `estate forecast ... --format json --out FILE` writes")
    if not isinstance(document, dict) or not isinstance(document.get("lines"), list) or not document.get("currency"):
        raise InputError(f"{path}: not a forecast: expected an object with 'currency' and 'lines' (the JSON of "
                         "`estate forecast ... --format json`)", file=str(path))
    lines = []
    for index, item in enumerate(document["lines"]):
        if not isinstance(item, dict) or "monthly" not in item:
            raise InputError(f"{path}: lines[{index}] has no 'monthly' amount", file=str(path))
        lines.append(EstimateLine(
            urn=str(item.get("urn", "")), type=str(item.get("type", "")), component=str(item.get("component", "")),
            resource=str(item.get("resource", "")), stack=str(item.get("stack", "")), wave=str(item.get("wave", "")),
            line=str(item.get("business_case_line", "")), service=str(item.get("service", "")),
            region=str(item.get("region", "")), price_source=str(item.get("price_source", "")),
            monthly=_decimal(item["monthly"], f"lines[{index}].monthly", str(path))))
    return ForecastInput(str(path), str(document["currency"]),
                         sum((line.monthly for line in lines), Decimal(0)), lines, len(document.get("unpriced", [])))


def wave_start_months(estate_path: Path | None) -> dict[str, Month]:
    """Each wave's planned month from the estate definition ({} without one)."""
    if estate_path is None:
        return {}
    from estate.definition.loader import load_estate

    estate = load_estate(estate_path)
    return {wave.name: Month(int(wave.planned_month[:4]), int(wave.planned_month[5:])) for wave in estate.waves}


def line_start(line: EstimateLine, wave_starts: dict[str, Month]) -> Month | None:
    """The first month a forecast line costs: its wave's planned month; the month before the first wave for
    lines outside any wave (the platform is built first); None (always) when no wave months are known."""
    if line.wave in wave_starts:
        return wave_starts[line.wave]
    if wave_starts and line.wave != "retained":
        return min(wave_starts.values()).plus(-1)
    return None


def estimate_monthly(forecast: ForecastInput, months: list[Month], wave_starts: dict[str, Month]
                     ) -> dict[str, dict[Month, Decimal]]:
    """Estimated cost per business-case line and month: each line from its wave's planned month."""
    by_line: dict[str, dict[Month, Decimal]] = {}
    for line in forecast.lines:
        start = line_start(line, wave_starts)
        series = by_line.setdefault(line.line or UNTAGGED, {})
        for month in months:
            if start is None or month >= start:
                series[month] = series.get(month, Decimal(0)) + line.monthly
    return by_line
