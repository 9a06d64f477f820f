"""The forecast's usage file (`stacks/usage.yaml`): what no plan knows, and the dated FX rates prices need.

    version: 1
    fx:                               # required when a price source's currency is not the billing currency
      - {from: USD, to: GBP, rate: 0.79, date: 2026-08-22, source: "..."}
    types:                            # usage for every resource of a type
      azure-native:operationalinsights:Workspace: {ingestion_gb_per_day: 5}
    resources:                        # usage for one resource, by name or URN (wins over `types`)
      lcc-er-london: {outbound_data_gb: 2000}
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from costing.forecast.registry import USAGE_KEYS, usage_keys
from estate.definition.model import Spec
from estate.foundation.errors import EstateError, InputError, ValidationError
from estate.foundation.limits import fx_outlier, fx_outlier_message
from estate.foundation.yamlfile import read_yaml, validate

Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
MAX_QUANTITY = Decimal(10) ** 12
Quantity = Annotated[Decimal, Field(ge=0, le=MAX_QUANTITY, allow_inf_nan=False)]


class FxRate(Spec):
    from_: Currency = Field(alias="from")
    to: Currency
    rate: Annotated[Decimal, Field(gt=0, allow_inf_nan=False)]
    date: date
    source: Annotated[str, StringConstraints(min_length=1)]

    def describe(self) -> str:
        return f"1 {self.from_} = {self.rate} {self.to} on {self.date.isoformat()} ({self.source})"


class UsageFile(Spec):
    version: Literal[1] = 1
    fx: list[FxRate] = Field(default_factory=list)
    types: dict[str, dict[str, Quantity]] = Field(default_factory=dict)
    resources: dict[str, dict[str, Quantity]] = Field(default_factory=dict)


class CurrencyError(EstateError):
    """Prices are in a currency other than the billing currency and no FX rate says how to convert (exit 2)."""


@dataclass(frozen=True)
class Usage:
    """Validated usage and FX rates; `source` is the file they came from (or '' when none was given)."""

    file: UsageFile
    source: str = ""

    def for_resource(self, type_token: str, name: str, urn: str) -> dict[str, Decimal]:
        merged = dict(self.file.types.get(type_token, {}))
        merged.update(self.file.resources.get(name, {}))
        merged.update(self.file.resources.get(urn, {}))
        return merged

    def fx_rate(self, from_currency: str, to_currency: str, what: str) -> FxRate:
        """The stated rate converting `from_currency` prices to `to_currency`, or a `CurrencyError`."""
        for rate in self.file.fx:
            if rate.from_ == from_currency and rate.to == to_currency:
                return rate
        where = self.source or "a usage file (--usage stacks/usage.yaml)"
        raise CurrencyError(
            f"{what} is in {from_currency} but the estate is billed in {to_currency}, and {where} states no FX rate; "
            f"add `fx: [{{from: {from_currency}, to: {to_currency}, rate: ..., date: YYYY-MM-DD, source: ...}}]` "
            f"with the dated rate you use (e.g. your finance team's), or give prices in {to_currency}. "
            "estate never mixes currencies silently")


def check_fx_band(path: str | Path | None, accept_outlier: bool) -> None:
    """Refuse an FX rate outside the sanity band unless the user accepts it (`--accept-fx-outlier`)."""
    if path is None or accept_outlier:
        return
    document = read_yaml(path, what="usage")
    usage = validate(document, UsageFile)
    for index, rate in enumerate(usage.fx):
        if fx_outlier(rate.rate):
            line, column = document.position(("fx", index, "rate"))
            raise InputError(fx_outlier_message(f"{document.file}:{line}:{column}: fx[{index}].rate", rate.rate),
                             file=document.file)


def load_usage(path: str | Path | None) -> Usage:
    """Read and check a usage file; None gives empty usage (every usage-priced component stays unpriced)."""
    if path is None:
        return Usage(UsageFile())
    document = read_yaml(path, what="usage")
    usage = validate(document, UsageFile)
    problems = []
    for type_token, values in usage.types.items():
        if type_token not in USAGE_KEYS:
            problems.append(document.problem(("types", type_token), f"no cost model reads usage for {type_token!r}",
                                             f"types with usage: {', '.join(t for t in USAGE_KEYS if USAGE_KEYS[t])}",
                                             key=True))
            continue
        for key in values:
            if key not in usage_keys(type_token):
                problems.append(document.problem(("types", type_token, key), f"unknown usage key {key!r}",
                                                 f"{type_token} reads: {', '.join(usage_keys(type_token))}", key=True))
    every_key = {key for keys in USAGE_KEYS.values() for key in keys}
    for name, values in usage.resources.items():
        for key in values:
            if key not in every_key:
                problems.append(document.problem(("resources", name, key), f"unknown usage key {key!r}",
                                                 f"known keys: {', '.join(sorted(every_key))}", key=True))
    seen: dict[tuple[str, str, Any], int] = {}
    for index, rate in enumerate(usage.fx):
        earlier = seen.setdefault((rate.from_, rate.to, rate.date), index)
        if earlier != index:
            problems.append(document.problem(("fx", index), f"a second {rate.from_}->{rate.to} rate for "
                                             f"{rate.date} (fx[{earlier}] is the first)", "keep one rate"))
    if problems:
        raise ValidationError(document.file, problems)
    return Usage(usage, document.file)
