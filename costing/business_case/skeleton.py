"""A business-case skeleton from an estate: lines pre-filled from the forecast and the retained hosts, every
figure marked `[assumption]` for the finance officer to confirm or replace (plain values in, YAML text out)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from estate.foundation.errors import CaseError
from estate.foundation.periods import financial_year_label

if TYPE_CHECKING:
    from estate.definition.model import Estate

RETAINED_TYPE = "estate:onprem:RetainedHosts"


@dataclass(frozen=True)
class SkeletonLine:
    id: str
    label: str
    kind: str
    annual: Decimal | None  # None: not known yet (written as 0, to fill in)
    note: str


def _amount(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


def case_skeleton(*, name: str, organisation: str, currency: str, first_year: int, years: int,
                  financial_year_start_month: int, baseline_annual: Decimal, cloud: list[SkeletonLine],
                  retained: list[SkeletonLine], source: str) -> str:
    """The business case YAML: baseline, legacy run (first year only), cloud-run and retained-run lines, a
    one-off migration line to fill in; amounts in `currency` units."""
    periods = [financial_year_label(first_year + offset) for offset in range(years)]
    out = [
        f"# Business-case skeleton from {source} (`estate case init`).",
        "#",
        "#   [assumption]  a figure estate filled in; confirm it or replace it with your own",
        "#",
        "# Cloud-run lines are the yearly forecast of each business-case line (`estate forecast --by",
        "# business-case-line`); retained-run lines the annual_run_cost of the estate's retained hosts.",
        "version: 1",
        f"name: {_text(name)}",
        f"organisation: {_text(organisation)}",
        f"source: {_text(source)}",
        f"currency: {currency}",
        "unit: units",
        f"financial_year_start_month: {financial_year_start_month}",
        f"periods: [{', '.join(periods)}]",
        "lines:",
    ]

    def line(item: SkeletonLine, values: list[Decimal | None], classification: str = "revenue") -> None:
        cells = ", ".join(_amount(v) if v is not None else "0" for v in values)
        out.append(f"  - id: {item.id}")
        out.append(f"    label: {_text(item.label)}")
        out.append(f"    kind: {item.kind}")
        out.append(f"    classification: {classification}")
        out.append(f"    values: [{cells}]   # [assumption] {item.note}")

    baseline = SkeletonLine("baseline", "Baseline: today's cost if nothing changes", "baseline", baseline_annual,
                            "--baseline-annual, every year")
    line(baseline, [baseline_annual] * years)
    legacy = SkeletonLine("legacy-run", "Current platform while the servers move", "legacy-run", baseline_annual,
                          "the current platform runs the first year, then stops")
    line(legacy, [baseline_annual] + [Decimal(0)] * (years - 1))
    for item in cloud:
        line(item, [item.annual] * years)
    for item in retained:
        line(item, [item.annual] * years)
    line(SkeletonLine("migration", "Migration (one-off)", "one-off", None,
                      "fill in: migration work, licences, parallel running"),
         [None] * years)
    return "\n".join(out) + "\n"


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def skeleton_lines(estate: Estate, forecast: dict[str, Any] | None,
                   forecast_file: str = "the forecast") -> tuple[list[SkeletonLine], list[SkeletonLine]]:
    """(cloud-run lines, retained-run lines) of an estate; cloud-run amounts from a forecast's JSON
    (`estate forecast --format json`) where one is given."""
    currency = estate.organisation.billing_currency
    if forecast is not None and forecast.get("currency") != currency:
        raise CaseError(f"{forecast_file}: the forecast is in {forecast.get('currency')} but the estate is billed "
                        f"in {currency}; forecast the same estate", file=forecast_file)
    annual: dict[str, Decimal] = {}
    for entry in (forecast or {}).get("lines", []):
        if entry.get("type") == RETAINED_TYPE:
            continue
        line_id = entry.get("business_case_line") or "untagged"
        annual[line_id] = annual.get(line_id, Decimal(0)) + Decimal(str(entry.get("annual", "0")))
    ids = {estate.landing_zone.business_case_line} | {server.vm.business_case_line for server in estate.servers()}
    if estate.connectivity.expressroute and estate.connectivity.expressroute.business_case_line:
        ids.add(estate.connectivity.expressroute.business_case_line)
    unpriced = len((forecast or {}).get("unpriced", []))
    cloud = []
    for line_id in sorted(ids):
        if forecast is None:
            cloud.append(SkeletonLine(line_id, f"Azure: {line_id}", "cloud-run", None,
                                      "fill in from `estate forecast --by business-case-line`"))
        else:
            note = f"yearly forecast of the line from {forecast_file}"
            if unpriced:
                note += f" ({unpriced} resource components unpriced there: add their prices and run it again)"
            cloud.append(SkeletonLine(line_id, f"Azure: {line_id}", "cloud-run", annual.get(line_id, Decimal(0)),
                                      note))
    retained: dict[str, Decimal] = {}
    hosts: dict[str, int] = {}
    for group in estate.retained:
        retained[group.business_case_line] = retained.get(group.business_case_line, Decimal(0)) + \
            group.annual_run_cost
        hosts[group.business_case_line] = hosts.get(group.business_case_line, 0) + group.count
    kept = [SkeletonLine(line_id, f"Retained on site: {line_id}", "retained-run", amount,
                         f"annual_run_cost of the {hosts[line_id]} retained hosts in the estate")
            for line_id, amount in sorted(retained.items())]
    return cloud, kept
