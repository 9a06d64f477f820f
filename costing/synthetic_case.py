"""SYNTHETIC Azure spend shaped by the estate's waves and scaled to the business case: the demo's true story.

Pricing the demo's spend from the forecast tells a false story: without a downloaded price list the forecast
prices almost nothing (VM compute is unpriced), so every Azure line reads about -95 %. This generator prices
nothing at all. Instead, for every `cloud-run` line of the case:

- the line's resources are the estate's own: every server of every wave whose `business_case_line` is the line
  (compute, its managed disks, its backup), plus the landing zone and ExpressRoute when they carry the line;
- each resource has a *nominal weight* (`NOMINAL_*` below: rough list-price shapes in GBP a month, an
  [assumption]) that only sets its share of the line, never its amount;
- the weights are scaled so that once every wave of the line is live the line costs the case's monthly figure
  (the case's value for the first period that starts after the last wave, spread evenly over its months) times
  a seeded line bias (uniform within +/- `line_bias_percent`), so each line is plausibly over or under the case;
- a server costs nothing before its wave's `planned_month`, half a month in it (servers move mid-month), then
  its full share; the platform from the month before the first wave;
- each row carries seeded noise, a seeded sample of resources is untagged, a support charge is billed at
  billing-account level (unallocated) and one correction credit is billed two months after the month it
  corrects, exactly as `costing.synthetic` does for the forecast-priced export.

Files, columns and labels are those of `costing.synthetic` (FOCUS 1.0, `synthetic-focus-1.0-<org>-<YYYY-MM>.csv`,
`SYNTHETIC-README.md`); same estate, case and seed, same bytes.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from costing.business_case.model import BusinessCase, Line
from costing.synthetic import (
    SIX_PLACES,
    SUPPORT_MONTHLY,
    SyntheticExport,
    SyntheticOptions,
    _iso,
    _json,
    add_correction,
    write_export,
)
from estate.definition import naming
from estate.definition.model import Estate
from estate.foundation.periods import Month, Period
from estate.foundation.reference import vm_sizes

# [assumption] Nominal monthly weights (GBP-shaped, rough UK South list prices in 2024): they set each resource's
# share of its line only; every amount is then scaled to the business case.
NOMINAL_PER_VCPU = Decimal(30)
NOMINAL_PER_GIB = Decimal(4)
NOMINAL_DISK_PER_GB = {"Premium_LRS": Decimal("0.12"), "StandardSSD_LRS": Decimal("0.07"),
                       "Standard_LRS": Decimal("0.04")}
NOMINAL_BACKUP_PER_SERVER = Decimal(10)
NOMINAL_PLATFORM = {  # (resource kind, ARM type, service): weight
    ("hub", "Microsoft.Network/virtualNetworks", "Virtual Network"): Decimal(40),
    ("logs", "Microsoft.OperationalInsights/workspaces", "Log Analytics"): Decimal(900),
    ("keyvault", "Microsoft.KeyVault/vaults", "Key Vault"): Decimal(15),
    ("vault", "Microsoft.RecoveryServices/vaults", "Backup"): Decimal(200),
}
NOMINAL_EXPRESSROUTE = {
    ("circuit", "Microsoft.Network/expressRouteCircuits", "ExpressRoute"): Decimal(2200),
    ("gateway", "Microsoft.Network/virtualNetworkGateways", "ExpressRoute"): Decimal(280),
}


@dataclass(frozen=True)
class CaseOptions:
    """What shapes the case-scaled export, beyond `SyntheticOptions` (months, seed, start, noise, untagged)."""

    line_bias_percent: Decimal = Decimal(10)


@dataclass(frozen=True)
class Resource:
    """One billed resource of a cloud-run line: its identity, tags, first month and nominal weight."""

    name: str
    arm_type: str
    service: str
    category: str
    group: str
    region: str
    line: str
    tags: dict[str, str]
    start: Month
    mid_month: bool
    weight: Decimal


@dataclass(frozen=True)
class LinePlan:
    """A cloud-run line: its resources, the month all are live and the monthly amount they then cost in all."""

    line: Line
    resources: list[Resource]
    live_from: Month
    steady_monthly: Decimal
    bias: Decimal

    @property
    def factor(self) -> Decimal:
        """Currency units per unit of nominal weight."""
        total = sum((r.weight for r in self.resources), Decimal(0))
        return self.steady_monthly * self.bias / total if total else Decimal(0)


def _month(text: str) -> Month:
    return Month(int(text[:4]), int(text[5:7]))


def _server_resources(estate: Estate) -> list[Resource]:
    sizes, short, found = vm_sizes(), estate.organisation.short_name, []
    for server in estate.servers():
        vm, wave = server.vm, server.wave
        size = sizes.get(vm.size)
        vcpus, memory = (Decimal(size.vcpus), Decimal(str(size.memory_gib))) if size else (Decimal(2), Decimal(8))
        group = naming.wave_resource_group(short, wave.name, server.region)
        tags = estate.tags_for(business_case_line=vm.business_case_line, wave=wave.name, application=vm.application,
                               migration_strategy=vm.strategy, reservation=vm.reservation)
        start = _month(wave.planned_month)
        disks = [vm.os_disk, *vm.data_disks]
        disk_weight = sum((Decimal(d.size_gb) * NOMINAL_DISK_PER_GB.get(d.sku, Decimal("0.07")) for d in disks),
                          Decimal(0))
        common = {"group": group, "region": server.region, "line": vm.business_case_line, "tags": tags,
                  "start": start, "mid_month": True}
        found += [
            Resource(name=server.name, arm_type="Microsoft.Compute/virtualMachines", service="Virtual Machines",
                     category="Compute", weight=vcpus * NOMINAL_PER_VCPU + memory * NOMINAL_PER_GIB, **common),
            Resource(name=naming.os_disk(server.name), arm_type="Microsoft.Compute/disks", service="Storage",
                     category="Storage", weight=disk_weight, **common),
        ]
        if vm.backup:
            found.append(Resource(name=f"{server.name}-backup", arm_type="Microsoft.RecoveryServices/vaults",
                                  service="Backup", category="Storage", weight=NOMINAL_BACKUP_PER_SERVER, **common))
    return found


def _platform_resources(estate: Estate) -> list[Resource]:
    short, region, found = estate.organisation.short_name, estate.primary_region, []
    first = min((_month(w.planned_month) for w in estate.waves), default=None)
    start = first.plus(-1) if first else Month(2024, 4)
    names = {"hub": naming.hub_vnet(short, region), "logs": naming.log_analytics(short, region),
             "keyvault": naming.key_vault(short, region, naming.unique_suffix(estate.organisation.name, short)),
             "vault": naming.recovery_vault(short, "backup", region)}
    zone_line = estate.landing_zone.business_case_line
    group = naming.resource_group(short, "platform", region)
    for (kind, arm_type, service), weight in NOMINAL_PLATFORM.items():
        found.append(Resource(name=names[kind], arm_type=arm_type, service=service, category="Other", group=group,
                              region=region, line=zone_line, tags=estate.tags_for(business_case_line=zone_line),
                              start=start, mid_month=False, weight=weight))
    route = estate.connectivity.expressroute
    if route is not None:
        line = route.business_case_line or zone_line
        names = {"circuit": naming.expressroute_circuit(short, route.peering_location),
                 "gateway": naming.gateway(short, region)}
        group = naming.resource_group(short, "connectivity", region)
        for (kind, arm_type, service), weight in NOMINAL_EXPRESSROUTE.items():
            found.append(Resource(name=names[kind], arm_type=arm_type, service=service, category="Networking",
                                  group=group, region=region, line=line, tags=estate.tags_for(business_case_line=line),
                                  start=start, mid_month=False, weight=weight))
    return found


def steady_monthly(case: BusinessCase, line: Line, live_from: Month) -> Decimal:
    """The case's monthly figure for a line once it is fully live: its value in the first period that starts
    at or after `live_from` (else the last period), spread evenly over the period's months, in currency units."""
    periods: list[Period] = case.period_list()
    chosen = next((i for i, p in enumerate(periods) if p.first_month >= live_from), len(periods) - 1)
    value = Decimal(str(line.values[chosen]))
    if value == 0:  # a line the case stops paying for: take its largest figure instead
        chosen = max(range(len(periods)), key=lambda i: Decimal(str(line.values[i])))
        value = Decimal(str(line.values[chosen]))
    return value * case.unit_multiplier / periods[chosen].months


def plan_lines(estate: Estate, case: BusinessCase, rng: random.Random, options: CaseOptions) -> list[LinePlan]:
    """Every cloud-run line of the case with the estate resources that carry it (lines with none are left out)."""
    resources = _platform_resources(estate) + _server_resources(estate)
    plans = []
    for line in case.lines:
        if line.kind != "cloud-run":
            continue
        own = [r for r in resources if r.line == line.id]
        if not own:
            continue
        live_from = max(r.start.plus(1) if r.mid_month else r.start for r in own)
        spread = float(options.line_bias_percent) / 100
        bias = Decimal(str(round(1 + rng.uniform(-spread, spread), 4)))
        plans.append(LinePlan(line, own, live_from, steady_monthly(case, line, live_from), bias))
    return plans


class _Rows:
    """FOCUS rows for the plan's resources, with the identities and noise of one seeded run."""

    def __init__(self, estate: Estate, case: BusinessCase, options: SyntheticOptions, rng: random.Random) -> None:
        self.estate, self.case, self.options, self.random = estate, case, options, rng
        short = estate.organisation.short_name
        self.subscription_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        self.subscription_name = f"sub-{short}-production"
        self.billing_account = f"synthetic-{short}-billing-account"

    def base(self, charge: Month, billed: Month, cost: Decimal) -> dict[str, str]:
        amount = format(cost, "f")
        return {"BilledCost": amount, "EffectiveCost": amount, "ContractedCost": amount, "ListCost": amount,
                "BillingAccountId": self.billing_account, "BillingAccountName": f"{self.estate.organisation.name} "
                "(synthetic)", "BillingAccountType": "Billing Profile", "BillingCurrency": self.case.currency,
                "BillingPeriodStart": _iso(billed), "BillingPeriodEnd": _iso(billed.plus(1)),
                "ChargePeriodStart": _iso(charge), "ChargePeriodEnd": _iso(charge.plus(1)),
                "InvoiceIssuerName": "Microsoft", "ProviderName": "Microsoft", "PublisherName": "Microsoft"}

    def usage(self, resource: Resource, month: Month, cost: Decimal, untagged: bool) -> dict[str, str]:
        resource_id = (f"/subscriptions/{self.subscription_id}/resourceGroups/{resource.group}/providers/"
                       f"{resource.arm_type}/{resource.name}")
        return self.base(month, month, cost) | {
            "ChargeCategory": "Usage", "ChargeDescription": f"{resource.service}: {resource.name} (synthetic)",
            "ChargeFrequency": "Usage-Based", "RegionId": resource.region, "RegionName": resource.region,
            "ResourceId": resource_id, "ResourceName": resource.name, "ResourceType": resource.arm_type.lower(),
            "ServiceName": resource.service, "ServiceCategory": resource.category,
            "SubAccountId": self.subscription_id, "SubAccountName": self.subscription_name,
            "SubAccountType": "Subscription", "Tags": "{}" if untagged else _json(resource.tags),
            "x_ResourceGroupName": resource.group}

    def support(self, month: Month) -> dict[str, str]:
        return self.base(month, month, SUPPORT_MONTHLY) | {
            "ChargeCategory": "Purchase", "ChargeDescription": "Support plan (billing-account level, no subscription)",
            "ChargeFrequency": "Recurring", "ServiceName": "Azure Support", "ServiceCategory": "Management and "
            "Governance", "Tags": "{}"}

    def noisy(self, amount: Decimal) -> Decimal:
        factor = Decimal(str(round(self.random.gauss(1.0, float(self.options.noise_percent) / 100), 6)))
        return (amount * max(factor, Decimal("0.5"))).quantize(SIX_PLACES, rounding=ROUND_HALF_UP)


def synthesise_from_case(estate: Estate, case: BusinessCase, out_dir: Path, options: SyntheticOptions,
                         case_options: CaseOptions | None = None, case_file: str = "") -> SyntheticExport:
    """Write the case-scaled SYNTHETIC export under `out_dir` (one CSV per billing month) and say what it holds."""
    rng = random.Random(options.seed)
    rows = _Rows(estate, case, options, rng)
    plans = plan_lines(estate, case, rng, case_options or CaseOptions())
    resources = sorted({r.name for plan in plans for r in plan.resources})
    count = int(len(resources) * options.untagged_percent / 100)
    untagged = set(rng.sample(resources, count)) if count else set()
    starts = [_month(w.planned_month) for w in estate.waves]
    first = options.start or (min(starts).plus(-1) if starts else Month(2024, 4))
    months = [first.plus(offset) for offset in range(options.months)]
    by_month: dict[Month, list[dict[str, str]]] = {month: [] for month in months}
    total = Decimal(0)
    for month in months:
        for plan in plans:
            factor = plan.factor
            for resource in plan.resources:
                if month < resource.start:
                    continue
                share = Decimal("0.5") if resource.mid_month and month == resource.start else Decimal(1)
                cost = rows.noisy(resource.weight * factor * share)
                by_month[month].append(rows.usage(resource, month, cost, resource.name in untagged))
                total += cost
        by_month[month].append(rows.support(month))
        total += SUPPORT_MONTHLY
    total += add_correction(rows.base, months, by_month)
    return write_export(out_dir, estate, by_month, _readme(estate, case, case_file, options, months, plans),
                        case.currency, total, len(untagged))


def _readme(estate: Estate, case: BusinessCase, case_file: str, options: SyntheticOptions, months: list[Month],
            plans: list[LinePlan]) -> str:
    lines = "".join(f"- `{p.line.id}`: {len(p.resources)} resources, all live from {p.live_from}; then "
                    f"{p.steady_monthly * p.bias:,.2f} {case.currency} a month (the case's "
                    f"{p.steady_monthly:,.2f} x line bias {p.bias})\n" for p in plans)
    planned = {p.line.id for p in plans}
    lines += "".join(f"- `{line.id}`: no resource of the estate carries this cloud-run line, so it has no spend\n"
                     for line in case.lines if line.kind == "cloud-run" and line.id not in planned)
    return (
        "# SYNTHETIC cost export: not real spend\n\n"
        f"Made by `estate cost synthesise --case` for {estate.organisation.name}, seed {options.seed}, "
        f"{len(months)} months ({months[0]} to {months[-1]}). Shaped by the estate's waves (each server from its "
        f"wave's planned month, half a month in it) and scaled to the business case {case_file or case.name} "
        f"({case.money_unit}): nothing here is priced. {options.noise_percent}% noise per row; "
        f"{options.untagged_percent}% of resources untagged; a billing-account support charge with no "
        "subscription; one correction billed two months after the month it corrects.\n\n" + lines +
        "\nLoad it with `estate cost load` and reconcile it with `estate cost reconcile`; every report made from it "
        "says SYNTHETIC.\n")
