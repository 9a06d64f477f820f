"""Plan the waves of an estate file and write them back into it (comments kept, `[assumption]` marked)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from estate.definition.loader import load_estate
from estate.foundation.errors import UsageError
from estate.foundation.reference import OperatingSystem
from estate.inventory.yamlout import dump, load_root, write_validated
from estate.waves.graph import Link, read_links
from estate.waves.planner import Cut, Unit, WavePlan, plan_waves

KEEP_TOGETHER_TAG = {"folder": "vmware-folder", "cluster": "vmware-cluster"}


@dataclass(frozen=True)
class Flag:
    server: str
    retained_host: str
    port: int | None


@dataclass
class WavesResult:
    plan: WavePlan
    months: dict[str, str]
    flags: list[Flag]
    unknown_links: int
    links: int
    text: str
    out_of_support: list[str]  # one message per server whose OS is out of support at its wave's go-live


def _month(start: str, offset: int) -> str:
    year, month = int(start[:4]), int(start[5:]) - 1 + offset
    return f"{year + month // 12}-{month % 12 + 1:02d}"


def plan_estate_waves(estate_file: Path, *, dependencies: Path | None, cap: int, first_month: str,
                      months_between: int, keep_together: str | None, pilot_size: int = 10) -> WavesResult:
    estate = load_estate(estate_file)
    root = load_root(estate_file)
    entries: dict[str, CommentedMap] = {}
    origin: dict[str, CommentedMap] = {}
    units: list[Unit] = []
    systems: dict[str, object] = {}
    alias: dict[str, str] = {}
    for wave_node, wave in zip(root.get("waves", []), estate.waves, strict=True):
        for vm_node, vm in zip(wave_node["vms"], wave.vms, strict=True):
            key = vm.name or vm.name_pattern or ""
            entries[key], origin[key] = vm_node, wave_node
            if vm.strategy != "retire":
                systems[key] = vm.operating_system
            groups: tuple[str, ...] = ()
            if keep_together == "application":
                groups = (f"application {vm.application}",)
            elif keep_together in KEEP_TOGETHER_TAG and vm.tags.get(KEEP_TOGETHER_TAG[keep_together]):
                groups = (f"{keep_together} {vm.tags[KEEP_TOGETHER_TAG[keep_together]]}",)
            units.append(Unit(key, vm.server_count, vm.complexity, groups))
            for name in [*vm.names(), vm.tags.get("original-name", "")]:
                if name:
                    alias[name.lower()] = key
                    alias.setdefault(name.lower().split(".", 1)[0], key)
    retained = {host.lower(): host for group in estate.retained for host in group.hosts}
    links: list[Link] = read_links(dependencies) if dependencies else []
    pairs: list[tuple[str, str]] = []
    flags: set[Flag] = set()
    unknown = 0
    outside: set[str] = set()
    for link in links:
        a, b = (_resolve(alias, link.source), _resolve(alias, link.destination))
        if a and b:
            pairs.append((a, b))
            continue
        host = _resolve(retained, link.destination) or _resolve(retained, link.source)
        server = a or b
        if host and server:
            outside.add(server)
            if link.latency_critical:
                flags.add(Flag(server, host, link.port))
        else:
            unknown += 1
    if not units:
        raise UsageError(f"{estate_file}: has no servers in its waves to plan; import an inventory first")
    plan = plan_waves(units, pairs, cap=cap, pilot_size=pilot_size, not_pilot=frozenset(outside))
    months = {wave.name: _month(first_month, wave.index * months_between) for wave in plan.waves}
    flagged = {flag.server for flag in flags}
    late: list[str] = []
    for wave in plan.waves:
        start = date(int(months[wave.name][:4]), int(months[wave.name][5:]), 1)
        for key in wave.units:
            system = systems.get(key)
            if isinstance(system, OperatingSystem) and system.support_ends(in_azure=True) < start:
                late.append(f"{key}: {system.display_name} is out of support at go-live {start} of wave {wave.name} "
                            f"(support ended {system.support_ends(in_azure=True)}); plan an earlier first month, "
                            "upgrade it, or retain it")
    new_waves = CommentedSeq()
    for wave in plan.waves:
        first_origin = origin[wave.units[0]]
        node = CommentedMap()
        node["name"] = wave.name
        node["planned_month"] = months[wave.name]
        node.yaml_add_eol_comment("[assumption] --first-wave-month + --months-between-waves", "planned_month")
        described = "pilot: simple servers without dependencies" if wave.name == "pilot" else \
            f"{wave.complexity} servers kept with their dependencies"
        node["description"] = f"{described}; planned by estate waves plan"
        if first_origin.get("region"):
            node["region"] = first_origin["region"]
        node["subnet"] = first_origin["subnet"]
        node.yaml_add_eol_comment("[assumption] the subnet of the servers' previous wave", "subnet")
        vms = CommentedSeq()
        for key in wave.units:
            entry = entries[key]
            if key in flagged:
                detail = ", ".join(sorted(f"{f.retained_host}" + (f":{f.port}" if f.port else "")
                                          for f in flags if f.server == key))
                entry.yaml_add_eol_comment(f"[flag] latency-critical link to retained host {detail}",
                                           "business_case_line")
            vms.append(entry)
        node["vms"] = vms
        new_waves.append(node)
    root["waves"] = new_waves
    return WavesResult(plan, months, sorted(flags, key=lambda f: (f.server, f.retained_host)), unknown, len(links),
                       dump(root), late)


def _resolve(names: dict[str, str], name: str) -> str | None:
    lowered = name.strip().lower()
    return names.get(lowered) or names.get(lowered.split(".", 1)[0])


def write_waves(result: WavesResult, out: Path) -> Path:
    return write_validated(out, result.text)


def cut_rows(cuts: list[Cut]) -> list[tuple[str, str, str]]:
    return [(cut.source, cut.destination, cut.reason) for cut in cuts]
