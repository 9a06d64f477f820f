"""A seeded, SYNTHETIC FOCUS 1.0 cost export for an estate, priced from its forecast: demo data, never real spend.

No real council spend exists to ship, so `estate cost synthesise` makes some that behaves like it:

- every Azure-priced line of the forecast (`estate forecast --format json`; on-premises lines are skipped)
  becomes one cost row a month, from its wave's `planned_month` (the platform and connectivity from the first
  month), half a month in the wave's first month (servers move mid-month);
- each row's cost is the forecast's monthly amount times seeded noise (normal, 1 +/- `noise_percent`);
- a seeded sample of resources (`untagged_percent`) carries no tags, as resources created by hand do, so the
  reconciliation must place them by its rules;
- a monthly support charge is billed at billing-account level (no subscription, no tags): spend no rule
  places, which the reconciliation must show as unallocated;
- one correction: a credit billed two months later for a month's charge of one virtual machine
  (ChargeCategory Adjustment, ChargeClass Correction), which belongs to the month it corrects.

Files are one CSV per billing month, `synthetic-focus-1.0-<org>-<YYYY-MM>.csv`, plus `SYNTHETIC-README.md`.
Same inputs and seed, same bytes.
"""

from __future__ import annotations

import csv
import io
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from costing.reconcile.estimate import EstimateLine, ForecastInput, line_start
from estate.definition.model import Estate
from estate.foundation.files import write_atomic
from estate.foundation.periods import Month

FOCUS_COLUMNS = [
    "BilledCost", "BillingAccountId", "BillingAccountName", "BillingAccountType", "BillingCurrency",
    "BillingPeriodEnd", "BillingPeriodStart", "ChargeCategory", "ChargeClass", "ChargeDescription",
    "ChargeFrequency", "ChargePeriodEnd", "ChargePeriodStart", "ContractedCost", "EffectiveCost",
    "InvoiceIssuerName", "ListCost", "ProviderName", "PublisherName", "RegionId", "RegionName", "ResourceId",
    "ResourceName", "ResourceType", "ServiceCategory", "ServiceName", "SubAccountId", "SubAccountName",
    "SubAccountType", "Tags", "x_ResourceGroupName",
]
SIX_PLACES = Decimal("0.000001")
SUPPORT_MONTHLY = Decimal("850")  # [assumption] a Microsoft support plan, billed to the billing account


@dataclass(frozen=True)
class SyntheticOptions:
    months: int = 18
    seed: int = 418
    start: Month | None = None
    noise_percent: Decimal = Decimal(4)
    untagged_percent: Decimal = Decimal(5)


@dataclass(frozen=True)
class SyntheticExport:
    """What was written: the files, rows, months and totals (in the billing currency)."""

    files: list[Path]
    rows: int
    first_month: Month
    last_month: Month
    currency: str
    total: Decimal
    untagged_resources: int


def _iso(month: Month) -> str:
    return f"{month}-01T00:00:00Z"


def _arm_type(pulumi_type: str) -> str:
    """`azure-native:compute:VirtualMachine` -> `microsoft.compute/virtualmachines` (lower case, as exports do)."""
    parts = pulumi_type.split(":")
    if len(parts) != 3:
        return "microsoft.resources/resources"
    return f"microsoft.{parts[1]}/{parts[2].lower()}s"


class _Writer:
    """Builds the rows of one export: identities, tags and amounts for every forecast line and month."""

    def __init__(self, estate: Estate, forecast: ForecastInput, options: SyntheticOptions) -> None:
        self.estate, self.forecast, self.options = estate, forecast, options
        self.random = random.Random(options.seed)
        short = estate.organisation.short_name
        self.subscription_id = str(uuid.UUID(int=self.random.getrandbits(128), version=4))
        self.subscription_name = f"sub-{short}-production"
        self.billing_account = f"synthetic-{short}-billing-account"
        self.waves = {wave.name: Month(int(wave.planned_month[:4]), int(wave.planned_month[5:]))
                      for wave in estate.waves}
        self.azure_lines = [line for line in forecast.lines if not line.on_premises]
        resources = sorted({line.resource or line.urn for line in self.azure_lines})
        count = int(len(resources) * options.untagged_percent / 100)
        self.untagged = set(self.random.sample(resources, count)) if resources and count else set()

    def start_of(self, line: EstimateLine) -> Month | None:
        return line_start(line, self.waves)

    def row(self, line: EstimateLine, month: Month, cost: Decimal) -> dict[str, str]:
        stack = line.stack or "platform"
        group = f"rg-{self.estate.organisation.short_name}-{stack}-resources"
        name = line.resource or line.urn.rsplit("::", 1)[-1]
        arm_type = _arm_type(line.type)
        resource_id = (f"/subscriptions/{self.subscription_id}/resourceGroups/{group}/providers/"
                       f"{arm_type.replace('microsoft.', 'Microsoft.', 1)}/{name}")
        tags = {} if name in self.untagged else self.estate.tags_for(
            business_case_line=line.line or None, wave=line.wave or None)
        return self.base_row(month, month, cost) | {
            "ChargeCategory": "Usage", "ChargeDescription": f"{line.component} ({line.service})",
            "ChargeFrequency": "Usage-Based", "RegionId": line.region, "RegionName": line.region,
            "ResourceId": resource_id, "ResourceName": name, "ResourceType": arm_type, "ServiceName": line.service,
            "ServiceCategory": "Compute" if "Virtual Machines" in line.service else "Other",
            "SubAccountId": self.subscription_id, "SubAccountName": self.subscription_name,
            "SubAccountType": "Subscription", "Tags": _json(tags), "x_ResourceGroupName": group}

    def base_row(self, charge: Month, billed: Month, cost: Decimal) -> dict[str, str]:
        amount = format(cost, "f")
        return {"BilledCost": amount, "EffectiveCost": amount, "ContractedCost": amount, "ListCost": amount,
                "BillingAccountId": self.billing_account, "BillingAccountName": f"{self.estate.organisation.name} "
                "(synthetic)", "BillingAccountType": "Billing Profile", "BillingCurrency": self.forecast.currency,
                "BillingPeriodStart": _iso(billed), "BillingPeriodEnd": _iso(billed.plus(1)),
                "ChargePeriodStart": _iso(charge), "ChargePeriodEnd": _iso(charge.plus(1)),
                "InvoiceIssuerName": "Microsoft", "ProviderName": "Microsoft", "PublisherName": "Microsoft"}

    def support_row(self, month: Month) -> dict[str, str]:
        return self.base_row(month, month, SUPPORT_MONTHLY) | {
            "ChargeCategory": "Purchase", "ChargeDescription": "Support plan (billing-account level, no subscription)",
            "ChargeFrequency": "Recurring", "ServiceName": "Azure Support", "ServiceCategory": "Management and "
            "Governance", "Tags": "{}"}

    def noisy(self, monthly: Decimal, fraction: Decimal) -> Decimal:
        factor = Decimal(str(round(self.random.gauss(1.0, float(self.options.noise_percent) / 100), 6)))
        return (monthly * fraction * max(factor, Decimal("0.5"))).quantize(SIX_PLACES, rounding=ROUND_HALF_UP)


def _json(tags: dict[str, str]) -> str:
    import json

    return json.dumps(tags, separators=(",", ":"), sort_keys=True)


def synthesise(estate: Estate, forecast: ForecastInput, out_dir: Path, options: SyntheticOptions
               ) -> SyntheticExport:
    """Write the synthetic export under `out_dir` (one CSV per billing month) and say what it holds."""
    writer = _Writer(estate, forecast, options)
    starts = [month for month in writer.waves.values()]
    first = options.start or (min(starts).plus(-1) if starts else Month(2024, 4))
    months = [first.plus(offset) for offset in range(options.months)]
    by_billing_month: dict[Month, list[dict[str, str]]] = {month: [] for month in months}
    total = Decimal(0)
    for month in months:
        for line in writer.azure_lines:
            start = writer.start_of(line)
            if start is not None and month < start:
                continue
            mid_month = month == start and line.wave in writer.waves
            cost = writer.noisy(line.monthly, Decimal("0.5") if mid_month else Decimal(1))
            by_billing_month[month].append(writer.row(line, month, cost))
            total += cost
        by_billing_month[month].append(writer.support_row(month))
        total += SUPPORT_MONTHLY
    total += add_correction(writer.base_row, months, by_billing_month)
    return write_export(out_dir, estate, by_billing_month, _readme(estate, forecast, options, months),
                        forecast.currency, total, len(writer.untagged))


def write_export(out_dir: Path, estate: Estate, by_month: dict[Month, list[dict[str, str]]], readme: str,
                 currency: str, total: Decimal, untagged: int) -> SyntheticExport:
    """Write one FOCUS CSV per billing month and the SYNTHETIC README, and say what was written."""
    files = []
    for month, rows in by_month.items():
        path = out_dir / f"synthetic-focus-1.0-{estate.organisation.short_name}-{month}.csv"
        write_atomic(path, _csv(rows))
        files.append(path)
    write_atomic(out_dir / "SYNTHETIC-README.md", readme)
    months = list(by_month)
    return SyntheticExport(files, sum(len(rows) for rows in by_month.values()), months[0], months[-1], currency,
                           total, untagged)


def add_correction(base_row: Callable[[Month, Month, Decimal], dict[str, str]], months: list[Month],
                   rows: dict[Month, list[dict[str, str]]]) -> Decimal:
    """Add to `rows` (by billing month) a credit billed two months after the month it corrects, for 40 % of one
    VM's charge that month (`base_row(charge month, billed month, cost)` gives its FOCUS fields); return it."""
    corrected = months[len(months) // 2]
    billed = corrected.plus(2)
    candidates = [row for row in rows[corrected] if row.get("ResourceType", "").endswith("/virtualmachines")]
    if not candidates or billed not in rows:
        return Decimal(0)
    original = candidates[len(candidates) // 2]
    credit = -(Decimal(original["EffectiveCost"]) * Decimal("0.4")).quantize(SIX_PLACES, rounding=ROUND_HALF_UP)
    correction = dict(original) | base_row(corrected, billed, credit) | {
        "ChargeCategory": "Adjustment", "ChargeClass": "Correction",
        "ChargeDescription": f"Correction: service credit for {corrected} (outage), billed in {billed}"}
    rows[billed].append(correction)
    return credit


def _csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FOCUS_COLUMNS, lineterminator="\n", restval="")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _readme(estate: Estate, forecast: ForecastInput, options: SyntheticOptions, months: list[Month]) -> str:
    return (
        "# SYNTHETIC cost export: not real spend\n\n"
        f"Made by `estate cost synthesise` for {estate.organisation.name}, seed {options.seed}, {len(months)} months "
        f"({months[0]} to {months[-1]}), priced from the forecast {forecast.path} ({forecast.currency}) with "
        f"{options.noise_percent}% noise ({forecast.unpriced} components the forecast left unpriced have no spend); "
        f"{options.untagged_percent}% of resources untagged; a billing-account "
        "support charge with no subscription; one correction billed two months after the month it corrects.\n"
        "Load it with `estate cost load` and reconcile it with `estate cost reconcile`; every report made from it "
        "says SYNTHETIC.\n")
