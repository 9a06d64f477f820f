"""Text tables for `estate forecast` and `estate forecast diff` (rich), rendered to a string."""

from __future__ import annotations

from collections import Counter, defaultdict

from rich.console import Console
from rich.table import Table

from costing.forecast.diff import ForecastDiff
from costing.forecast.pricing import Forecast
from costing.forecast.report import groups
from estate.foundation.money import pennies_in
from estate.foundation.safe_text import plain_text


def _render(tables: list[object], width: int | None) -> str:
    console = Console(record=True, width=width or 160, highlight=False, markup=False, force_terminal=False)
    with console.capture() as capture:
        for table in tables:
            console.print(table)
    return plain_text(capture.get())  # markup is off; this removes escape sequences from plan names and tags


def render_forecast(forecast: Forecast, by: str, width: int | None = None) -> str:
    ccy = forecast.currency
    summary = Table(title="Cost forecast", show_header=False, title_justify="left")
    summary.add_column("what", style="bold")
    summary.add_column("value")
    summary.add_row("Monthly", pennies_in(forecast.monthly_total, ccy))
    summary.add_row("Annual (12 x monthly)", pennies_in(forecast.annual_total, ccy))
    summary.add_row("Plans", ", ".join(forecast.plans))
    summary.add_row("Priced components", str(len(forecast.lines)))
    summary.add_row("Unpriced components", f"{len(forecast.unpriced)} (not in the totals; see below)")
    summary.add_row("Free resources", str(len(forecast.free)))
    for source in forecast.sources:
        summary.add_row("Price source", source)
    for note in forecast.fx:
        summary.add_row("FX rate", note)
    grouped = Table(title=f"By {by} ({ccy})", title_justify="left")
    grouped.add_column(by)
    for column in ("lines", "unpriced", f"{ccy} / month", f"{ccy} / year"):
        grouped.add_column(column, justify="right")
    for group in groups(forecast, by):
        grouped.add_row(group["key"], str(group["lines"]), str(group["unpriced"]), f"{float(group['monthly']):,.2f}",
                        f"{float(group['annual']):,.2f}")
    tables: list[object] = [summary, grouped, _sources(forecast)]
    if forecast.unpriced:
        tables.append(_unpriced(forecast))
    return _render(tables, width)


def _sources(forecast: Forecast) -> Table:
    table = Table(title=f"Prices used ({forecast.currency})", title_justify="left")
    for column in ("component", "unit price", "unit", "lines", "source"):
        table.add_column(column, justify="right" if column in ("unit price", "lines") else "left")
    used: dict[tuple[str, str, str, str], int] = Counter()
    for line in forecast.lines:
        kind = line.component.split(" (")[0] + (" (" + line.component.split(" (", 1)[1] if " (" in line.component
                                                else "")
        used[(kind, f"{line.unit_price:.6f}".rstrip("0").rstrip("."), line.unit, line.price_source)] += 1
    for (kind, unit_price, unit, source), count in sorted(used.items()):
        table.add_row(kind, unit_price, unit, str(count), source)
    return table


def _unpriced(forecast: Forecast) -> Table:
    table = Table(title="Unpriced (listed, never counted as zero)", title_justify="left")
    for column in ("type", "component", "count", "resources", "reason"):
        table.add_column(column, justify="right" if column == "count" else "left")
    by_reason: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for item in forecast.unpriced:
        kind = item.component.split(" (")[0]
        by_reason[(item.type, kind, item.reason)].append(item.resource)
    for (kind, component, reason), names in sorted(by_reason.items()):
        shown = ", ".join(names[:3]) + (f" (+{len(names) - 3})" if len(names) > 3 else "")
        table.add_row(kind, component, str(len(names)), shown, reason)
    return table


def render_diff(diff: ForecastDiff, width: int | None = None) -> str:
    ccy = diff.currency
    head = Table(title="Cost forecast change", show_header=False, title_justify="left")
    head.add_column("what", style="bold")
    head.add_column("value")
    head.add_row("Old monthly", pennies_in(diff.old.monthly_total, ccy))
    head.add_row("New monthly", pennies_in(diff.new.monthly_total, ccy))
    head.add_row("Monthly delta", pennies_in(diff.delta, ccy))
    head.add_row("Annual delta", pennies_in(diff.delta * 12, ccy))
    table = Table(title=f"Resources whose cost changes ({ccy} a month)", title_justify="left")
    for column in ("resource", "type", "change", "old", "new", "delta"):
        table.add_column(column, justify="right" if column in ("old", "new", "delta") else "left")
    for item in diff.changed:
        table.add_row(item.urn.rsplit("::", 1)[-1], item.type, item.change,
                      "-" if item.old_monthly is None else f"{item.old_monthly:,.2f}",
                      "-" if item.new_monthly is None else f"{item.new_monthly:,.2f}", f"{item.delta:+,.2f}")
    return _render([head, table], width)
