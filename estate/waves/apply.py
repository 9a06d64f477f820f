"""Plan the waves of an estate file and write them back into it (comments kept, `[assumption]` marked)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from estate.foundation.errors import InputError, UsageError
from estate.foundation.files import write_atomic
from estate.foundation.reference import OperatingSystem
from estate.inventory.fastyaml import load_with_nodes, validated
from estate.waves.graph import Link, read_links
from estate.waves.planner import Cut, Unit, WavePlan, plan_waves
from estate.waves.textedit import NewWave, new_data, rewrite_waves

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
    data: dict  # the plain document `text` holds


def _month(start: str, offset: int) -> str:
    year, month = int(start[:4]), int(start[5:]) - 1 + offset
    return f"{year + month // 12}-{month % 12 + 1:02d}"


def plan_estate_waves(estate_file: Path, *, dependencies: Path | None, cap: int, first_month: str,
                      months_between: int, keep_together: str | None, pilot_size: int = 10) -> WavesResult:
    text = read_yaml_text(estate_file)
    try:
        data, root = load_with_nodes(text)
    except Exception:  # not YAML that libyaml reads: the project's loader says where and why
        data, root = None, None
    estate = validated(text, estate_file, data)
    if root is None:
        raise InputError(f"{estate_file}: cannot be planned (the YAML parser failed)", file=str(estate_file))
    position: dict[str, tuple[int, int]] = {}
    units: list[Unit] = []
    systems: dict[str, OperatingSystem | None] = {}
    alias: dict[str, str] = {}
    by_ip: dict[str, str] = {}
    for wave_index, wave in enumerate(estate.waves):
        for vm_index, vm in enumerate(wave.vms):
            key = vm.name or vm.name_pattern or ""
            position[key] = (wave_index, vm_index)
            if vm.strategy != "retire":
                systems[key] = vm.operating_system
            groups: tuple[str, ...] = ()
            if keep_together == "application":
                groups = (f"application {vm.application}",)
            elif keep_together in KEEP_TOGETHER_TAG and vm.tags.get(KEEP_TOGETHER_TAG[keep_together]):
                groups = (f"{keep_together} {vm.tags[KEEP_TOGETHER_TAG[keep_together]]}",)
            units.append(Unit(key, vm.server_count, vm.complexity, groups))
            for ip in vm.tags.get("on-premises-ip", "").split():
                by_ip.setdefault(ip, key)
            for name in [*vm.names(), vm.tags.get("original-name", "")]:
                if name:
                    alias[name.lower()] = key
                    alias.setdefault(name.lower().split(".", 1)[0], key)
    if not units:
        raise UsageError(f"{estate_file}: has no servers in its waves to plan; import an inventory first")
    retained = {host.lower(): host for group in estate.retained for host in group.hosts}
    links: list[Link] = read_links(dependencies) if dependencies else []
    pairs: list[tuple[str, str]] = []
    flags: set[Flag] = set()
    outside: set[str] = set()
    unknown = 0
    for link in links:
        a = _resolve(alias, link.source) or by_ip.get(link.source_ip)
        b = _resolve(alias, link.destination) or by_ip.get(link.destination_ip)
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
    plan = plan_waves(units, pairs, cap=cap, pilot_size=pilot_size, not_pilot=frozenset(outside))
    months = {wave.name: _month(first_month, wave.index * months_between) for wave in plan.waves}
    late: list[str] = []
    new_waves: list[NewWave] = []
    for wave in plan.waves:
        start = date(int(months[wave.name][:4]), int(months[wave.name][5:]), 1)
        notes: dict[tuple[int, int], str] = {}
        for key in wave.units:
            system = systems.get(key)
            if system is not None and system.support_ends(in_azure=True) < start:
                late.append(f"{key}: {system.display_name} is out of support at go-live {start} of wave {wave.name} "
                            f"(support ended {system.support_ends(in_azure=True)}); plan an earlier first month, "
                            "upgrade it, or retain it")
            mine = sorted(f.retained_host + (f":{f.port}" if f.port else "") for f in flags if f.server == key)
            if mine:
                notes[position[key]] = f"[flag] latency-critical link to retained host {', '.join(mine)}"
        origin = estate.waves[position[wave.units[0]][0]]
        described = "pilot: simple servers without dependencies" if wave.name == "pilot" else \
            f"{wave.complexity} servers kept with their dependencies"
        new_waves.append(NewWave(wave.name, months[wave.name], f"{described}; planned by estate waves plan",
                                 origin.subnet, origin.region, [position[key] for key in wave.units], notes))
    return WavesResult(plan, months, sorted(flags, key=lambda f: (f.server, f.retained_host)), unknown, len(links),
                       rewrite_waves(text, root, new_waves), late, new_data(data, new_waves))


def read_yaml_text(path: Path) -> str:
    from estate.foundation.yamlfile import read_yaml

    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        read_yaml(path, what="estate definition")  # raises the project's one-paragraph error
        raise


def _resolve(names: dict[str, str], name: str) -> str | None:
    lowered = name.strip().lower()
    if not lowered:
        return None
    return names.get(lowered) or names.get(lowered.split(".", 1)[0])


def write_waves(result: WavesResult, out: Path) -> Path:
    validated(result.text, out, result.data)
    return write_atomic(out, result.text)


def cut_rows(cuts: list[Cut]) -> list[tuple[str, str, str]]:
    return [(cut.source, cut.destination, cut.reason) for cut in cuts]
