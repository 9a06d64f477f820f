"""An inventory -> the servers, retained hosts and skipped VMs of an estate (plain values, no YAML yet)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from estate.foundation.errors import InputError
from estate.foundation.reference import operating_systems
from estate.inventory.names import assign_names
from estate.inventory.osmap import MappedOs, map_os
from estate.inventory.records import Inventory, InventoryServer, Source
from estate.inventory.sizing import (
    DEFAULT_FAMILIES,
    OS_DISK_MINIMUM_GIB,
    disk_sku,
    load_disk_rules,
    size_server,
    sizes_for,
    tier_size,
)

DEFAULT_BUSINESS_CASE_LINE = "azure-run"
RETAINED_BUSINESS_CASE_LINE = "on-premises-retained"
MAX_DISK_GIB = 32767


@dataclass(frozen=True)
class ImportOptions:
    families: tuple[str, ...] = DEFAULT_FAMILIES
    sizing: str = "as-on-premises"
    comfort_factor: float = 1.3
    include_powered_off: bool = False
    disk_rules: Path | None = None
    business_case_line: str = DEFAULT_BUSINESS_CASE_LINE
    go_live: date | None = None  # the first day of the imported wave's month
    out_of_support: str = "retain"  # or "keep": servers whose OS is out of support at go-live


@dataclass
class PlannedServer:
    name: str
    original: str
    source: Source
    size: str
    size_basis: str
    os: str
    os_version: str
    os_text: str
    os_disk_gb: int
    os_disk_sku: str
    data_disks: list[tuple[int, str]]
    disk_rule: str
    complexity: str
    application: str
    application_assumed: bool
    tags: dict[str, str]
    assumptions: list[str] = field(default_factory=list)


@dataclass
class RetainedGroup:
    name: str
    os: str
    os_version: str
    detail: str
    hosts: list[str]
    sources: list[Source]


@dataclass(frozen=True)
class Skipped:
    name: str
    source: Source
    reason: str


@dataclass
class ImportResult:
    tool: str
    file: str
    servers_in: int
    servers: list[PlannedServer]
    retained: list[RetainedGroup]
    skipped: list[Skipped]

    def summary_rows(self) -> list[tuple[str, int, str]]:
        """(what, count, detail) rows for the summary table."""
        reasons: dict[str, int] = {}
        for item in self.skipped:
            reasons[item.reason] = reasons.get(item.reason, 0) + 1
        rows = [("VMs in the inventory", self.servers_in, self.file),
                ("sized for Azure", len(self.servers), "")]
        rows.append(("retained on site", sum(len(g.hosts) for g in self.retained),
                     "; ".join(f"{g.name}: {len(g.hosts)}" for g in self.retained)))
        rows.append(("skipped", len(self.skipped), "; ".join(f"{r}: {n}" for r, n in sorted(reasons.items()))))
        return rows


def plan_import(inventory: Inventory, options: ImportOptions) -> ImportResult:
    candidates = sizes_for(options.families)
    rules = load_disk_rules(options.disk_rules)
    movers: list[tuple[InventoryServer, MappedOs]] = []
    retained: dict[tuple[str, str, str], RetainedGroup] = {}
    skipped: list[Skipped] = []
    late_kept: set[str] = set()
    for server in inventory.servers:
        if server.template:
            skipped.append(Skipped(server.name, server.source, "template"))
            continue
        if not server.powered_on and not options.include_powered_off:
            skipped.append(Skipped(server.name, server.source, "powered-off"))
            continue
        mapped = map_os(server.os_texts, server.bits)
        if mapped is None:
            shown = " / ".join(server.os_texts) or "none given"
            skipped.append(Skipped(server.name, server.source, f"unknown-os ({shown})"))
            continue
        system = operating_systems()[(mapped.os, mapped.version)]
        ends = system.support_ends(in_azure=True)
        late = mapped.runs_in_azure and options.go_live is not None and ends < options.go_live
        if late and options.out_of_support == "keep":
            late_kept.add(server.name)
        elif not mapped.runs_in_azure or late:
            prefix = "unsupported" if not mapped.runs_in_azure else "out-of-support"
            key = (prefix, mapped.os, mapped.version)
            detail = mapped.why_not or (
                f"{system.display_name} is out of support at go-live {options.go_live}: support ended {ends} "
                "[assumption] kept on site until upgraded (--out-of-support keep imports it)")
            group = retained.get(key)
            if group is None:
                group = retained[key] = RetainedGroup(
                    name=f"{prefix}-{mapped.os}-{mapped.version}".replace(".", "-")[:40], os=mapped.os,
                    os_version=mapped.version, detail=detail, hosts=[], sources=[])
            group.hosts.append(server.name)
            group.sources.append(server.source)
            continue
        movers.append((server, mapped))
    windows = {server.name: operating_systems()[(m.os, m.version)].family == "windows" for server, m in movers}
    names = assign_names([(server.name, windows[server.name]) for server, _ in movers])
    planned = [_plan_server(server, mapped, names[server.name], windows[server.name], candidates, rules, options)
               for server, mapped in movers]
    for server in planned:
        if server.original in late_kept:
            server.assumptions.append("[check] OS out of support at go-live: upgrade it before the wave")
    planned.sort(key=lambda p: p.name)
    groups = sorted(retained.values(), key=lambda g: g.name)
    for group in groups:
        group.hosts.sort()
    return ImportResult(inventory.tool, inventory.file, len(inventory.servers), planned, groups, skipped)


def _plan_server(server: InventoryServer, mapped: MappedOs, name: str, windows: bool, candidates: list,
                 rules: list, options: ImportOptions) -> PlannedServer:
    sized = size_server(server, candidates, options.sizing, options.comfort_factor)
    rule = disk_sku(server, rules)
    assumptions: list[str] = []
    sku = rule.disk_sku
    from estate.foundation.reference import vm_sizes

    if sku.startswith("Premium") and not vm_sizes()[sized.size].premium_storage:
        sku = "StandardSSD_LRS"
        assumptions.append(f"{sized.size} cannot attach premium disks: standard SSD")
    disks = list(server.disks_gib)
    if not disks:
        disks = [server.provisioned_gib or 0.0]
        assumptions.append("no vDisk rows: one OS disk of the provisioned size")
    for size in disks:
        if size > MAX_DISK_GIB:
            raise InputError(f"{server.source}: {server.name} has a {size:,.0f} GiB disk; managed disks hold at most "
                             f"{MAX_DISK_GIB:,} GiB: split it before migrating, or leave the VM out",
                             file=server.source.file)
    minimum = OS_DISK_MINIMUM_GIB["windows" if windows else "linux"]
    os_disk = tier_size(max(disks[0], minimum), sku)
    data = [(tier_size(max(size, 1.0), sku), sku) for size in disks[1:]]
    application = server.attributes.get("application") or server.attributes.get("app") or \
        server.attributes.get("service") or _folder_leaf(server.folder)
    application_assumed = not (server.attributes.get("application") or server.attributes.get("app")
                               or server.attributes.get("service"))
    if not application:
        application = "unassigned"
    tags = {"original-name": server.name} if name != server.name else {}
    ipv4 = [ip for ip in server.ips if ip.count(".") == 3]
    if ipv4:
        tags["on-premises-ip"] = " ".join(ipv4)[:256]
    for key, value in (("vmware-folder", server.folder), ("vmware-cluster", server.cluster)):
        if value:
            tags[key] = value[:256]
    return PlannedServer(
        name=name, original=server.name, source=server.source, size=sized.size, size_basis=sized.basis,
        os=mapped.os, os_version=mapped.version, os_text=mapped.text, os_disk_gb=os_disk, os_disk_sku=sku,
        data_disks=data, disk_rule=rule.why or f"{rule.field} {rule.pattern}", complexity=_complexity(server, sku),
        application=application, application_assumed=application_assumed, tags=tags, assumptions=assumptions)


def _folder_leaf(folder: str) -> str:
    leaf = re.split(r"[/\\]", folder.strip("/\\"))[-1] if folder else ""
    return re.sub(r"\s+", " ", leaf).strip()


def _complexity(server: InventoryServer, sku: str) -> str:
    """[assumption] databases and VMs with 3+ disks are complex; more than 4 vCPU or any data disk, medium."""
    if sku.startswith("Premium") or len(server.disks_gib) >= 3:
        return "complex"
    if server.cpus > 4 or len(server.disks_gib) >= 2:
        return "medium"
    return "simple"
