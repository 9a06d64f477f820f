"""Figures that describe an estate at a glance; `estate show` renders them, tests read them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from estate.definition.model import Estate, Wave
from estate.foundation.reference import vm_sizes


@dataclass
class WaveSummary:
    name: str
    stack: str
    planned_month: str
    region: str
    servers: int = 0
    retired: int = 0
    vcpus: int = 0
    memory_gib: float = 0.0
    disk_gb: int = 0
    hybrid_benefit: int = 0
    strategies: Counter[str] = field(default_factory=Counter)
    complexities: Counter[str] = field(default_factory=Counter)
    reservations: Counter[str] = field(default_factory=Counter)
    size_os: Counter[tuple[str, str]] = field(default_factory=Counter)


@dataclass
class RetainedSummary:
    name: str
    site: str
    reason: str
    count: int
    os: str
    arc: bool
    dr: str
    annual_run_cost: Decimal
    business_case_line: str


@dataclass
class EstateSummary:
    organisation: str
    currency: str
    waves: list[WaveSummary]
    retained: list[RetainedSummary]

    @property
    def servers(self) -> int:
        return sum(wave.servers for wave in self.waves)

    @property
    def retained_hosts(self) -> int:
        return sum(group.count for group in self.retained)

    @property
    def retained_run_cost(self) -> Decimal:
        return sum((group.annual_run_cost for group in self.retained), Decimal(0))

    def retained_by_site_and_reason(self) -> dict[tuple[str, str], int]:
        totals: Counter[tuple[str, str]] = Counter()
        for group in self.retained:
            totals[(group.site, group.reason)] += group.count
        return dict(sorted(totals.items()))


def summarise(estate: Estate) -> EstateSummary:
    """Counts of servers per wave, size and OS, and of retained hosts per site and reason."""
    return EstateSummary(
        organisation=estate.organisation.name,
        currency=estate.organisation.billing_currency,
        waves=[_wave(estate, wave) for wave in estate.waves],
        retained=[
            RetainedSummary(
                name=group.name, site=group.site, reason=group.reason, count=group.count,
                os=group.operating_system.display_name if group.operating_system else group.os,
                arc=group.arc, dr=group.dr, annual_run_cost=group.annual_run_cost,
                business_case_line=group.business_case_line,
            )
            for group in estate.retained
        ],
    )


def _wave(estate: Estate, wave: Wave) -> WaveSummary:
    summary = WaveSummary(name=wave.name, stack=wave.stack, planned_month=wave.planned_month,
                          region=wave.region or estate.regions.primary)
    sizes = vm_sizes()
    for server in estate.servers(wave, include_retired=True):
        vm = server.vm
        if vm.strategy == "retire":
            summary.retired += 1
            continue
        summary.servers += 1
        summary.strategies[vm.strategy] += 1
        summary.complexities[vm.complexity] += 1
        summary.reservations[vm.reservation] += 1
        summary.hybrid_benefit += vm.hybrid_benefit
        size = sizes[vm.size]
        summary.vcpus += size.vcpus
        summary.memory_gib += size.memory_gib
        summary.disk_gb += vm.os_disk.size_gb + sum(disk.size_gb for disk in vm.data_disks)
        os_name = vm.operating_system.display_name if vm.operating_system else vm.os
        summary.size_os[(vm.size, os_name)] += 1
    return summary
