"""The monthly cost delta between two forecasts, per resource and in total (text, JSON or pull-request Markdown)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from costing.forecast.pricing import Forecast
from costing.forecast.report import amount
from estate.foundation.money import pennies_in
from estate.foundation.safe_text import markdown_cell, markdown_code


@dataclass(frozen=True)
class ResourceDelta:
    urn: str
    type: str
    old_monthly: Decimal | None  # None: not in the old plan
    new_monthly: Decimal | None  # None: not in the new plan

    @property
    def delta(self) -> Decimal:
        return (self.new_monthly or Decimal(0)) - (self.old_monthly or Decimal(0))

    @property
    def change(self) -> str:
        if self.old_monthly is None:
            return "added"
        if self.new_monthly is None:
            return "removed"
        return "changed" if self.delta else "unchanged"


@dataclass(frozen=True)
class ForecastDiff:
    currency: str
    old: Forecast
    new: Forecast
    resources: list[ResourceDelta]

    @property
    def delta(self) -> Decimal:
        return self.new.monthly_total - self.old.monthly_total

    @property
    def changed(self) -> list[ResourceDelta]:
        return [item for item in self.resources if item.change != "unchanged"]


def _per_resource(forecast: Forecast) -> dict[str, tuple[str, Decimal]]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    types: dict[str, str] = {}
    for line in forecast.lines:
        totals[line.urn] += line.monthly
        types[line.urn] = line.type
    for item in forecast.unpriced:
        types.setdefault(item.urn, item.type)
        totals.setdefault(item.urn, Decimal(0))
    return {urn: (types[urn], totals[urn]) for urn in types}


def diff_forecasts(old: Forecast, new: Forecast) -> ForecastDiff:
    """Compare two forecasts in one currency (they are priced with the same sources, so they always are)."""
    before, after = _per_resource(old), _per_resource(new)
    resources = []
    for urn in sorted(set(before) | set(after)):
        kind = (after.get(urn) or before[urn])[0]
        resources.append(ResourceDelta(urn, kind, before[urn][1] if urn in before else None,
                                       after[urn][1] if urn in after else None))
    resources.sort(key=lambda item: (-abs(item.delta), item.urn))
    return ForecastDiff(new.currency, old, new, resources)


def diff_json(diff: ForecastDiff) -> dict[str, Any]:
    def text(value: Decimal | None) -> str | None:
        return None if value is None else amount(value)

    return {
        "currency": diff.currency, "old_monthly_total": amount(diff.old.monthly_total),
        "new_monthly_total": amount(diff.new.monthly_total), "monthly_delta": amount(diff.delta),
        "annual_delta": amount(diff.delta * 12),
        "resources": [{"urn": r.urn, "type": r.type, "change": r.change, "old_monthly": text(r.old_monthly),
                       "new_monthly": text(r.new_monthly), "monthly_delta": amount(r.delta)} for r in diff.changed],
        "old_unpriced": len(diff.old.unpriced), "new_unpriced": len(diff.new.unpriced),
    }


def _signed(value: Decimal, currency: str) -> str:
    return ("+" if value > 0 else "") + pennies_in(value, currency)


def diff_markdown(diff: ForecastDiff, limit: int = 50) -> str:
    """A pull-request comment: the total delta first, then the resources that changed (largest first)."""
    ccy = diff.currency
    lines = [
        "### Cost forecast change",
        "",
        f"**Monthly: {pennies_in(diff.old.monthly_total, ccy)} → {pennies_in(diff.new.monthly_total, ccy)} "
        f"({_signed(diff.delta, ccy)})**, annual {_signed(diff.delta * 12, ccy)}.",
        "",
    ]
    changed = diff.changed
    if not changed:
        lines.append("No resource changes cost.")
    else:
        lines += ["| resource | type | change | old / month | new / month | delta / month |",
                  "| --- | --- | --- | ---: | ---: | ---: |"]
        for item in changed[:limit]:
            old = pennies_in(item.old_monthly, ccy) if item.old_monthly is not None else "-"
            new = pennies_in(item.new_monthly, ccy) if item.new_monthly is not None else "-"
            # Names and types come from plans: a backtick or pipe in them must not end the code span or the cell.
            name = markdown_code(item.urn.rsplit("::", 1)[-1])
            lines.append(f"| {name} | {markdown_code(item.type)} | {markdown_cell(item.change)} | {old} | {new} | "
                         f"{_signed(item.delta, ccy)} |")
        if len(changed) > limit:
            lines.append(f"| … {len(changed) - limit} more | | | | | |")
    unpriced = len(diff.new.unpriced)
    if unpriced:
        lines += ["", f"{unpriced} component(s) in the new plan are unpriced and not in these totals "
                      "(see `estate forecast` for the reasons)."]
    return "\n".join(lines) + "\n"
