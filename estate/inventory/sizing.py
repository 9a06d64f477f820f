"""Sizing: an inventory server -> an Azure VM size and managed disks (from the reference tables).

- as-on-premises: the cheapest size in the allowed families whose vCPUs and memory cover the VM's;
- utilisation: vCPUs and memory from the utilisation columns times the comfort factor, never below the
  family's smallest size.
"Cheapest" is ranked without a price list: fewest vCPUs, then least memory, then the order of the families
given (Bsv2, Dsv5, Esv5 by default: at equal vCPUs and memory their list prices rank in that order).
"""

from __future__ import annotations

import csv
import fnmatch
import math
from dataclasses import dataclass
from pathlib import Path

from estate.foundation.errors import InputError, UsageError
from estate.foundation.reference import VmSize, disk_tiers, vm_sizes
from estate.inventory.records import InventoryServer

DEFAULT_FAMILIES = ("Bsv2", "Dsv5", "Esv5")
DISK_RULES = Path(__file__).with_name("disk_rules.csv")
DISK_TYPE_OF_SKU = {"Premium_LRS": "Premium", "StandardSSD_LRS": "StandardSSD", "Standard_LRS": "Standard_LRS"}
# Smallest OS disks, GiB: Azure's Windows Server images are 127 GiB (128 after rounding to a tier), Linux
# images 30 GiB (32). [assumption] where the inventory gives a smaller system disk.
OS_DISK_MINIMUM_GIB = {"windows": 128, "linux": 32}


@dataclass(frozen=True)
class DiskRule:
    field: str
    pattern: str
    disk_sku: str
    why: str


@dataclass(frozen=True)
class Sized:
    size: str
    basis: str  # how it was chosen, for the YAML comment
    assumption: bool


def sizes_for(families: tuple[str, ...]) -> list[VmSize]:
    table = vm_sizes()
    known = sorted({size.family for size in table.values()})
    unknown = [family for family in families if family not in known]
    if unknown:
        raise UsageError(f"--families: unknown family {', '.join(unknown)} (known: {', '.join(known)}); add its sizes "
                         "to estate/foundation/reference/vm_sizes.csv with their source")
    rank = {family: index for index, family in enumerate(families)}
    chosen = [size for size in table.values() if size.family in rank]
    return sorted(chosen, key=lambda s: (s.vcpus, s.memory_gib, rank[s.family], s.size))


def cheapest(candidates: list[VmSize], vcpus: float, memory_gib: float) -> VmSize | None:
    """The first (cheapest-ranked) size covering vCPUs and memory; None if nothing is big enough."""
    for size in candidates:
        if size.vcpus >= vcpus and size.memory_gib >= memory_gib:
            return size
    return None


def size_server(server: InventoryServer, candidates: list[VmSize], sizing: str, comfort: float) -> Sized:
    memory_gib = server.memory_mib / 1024.0
    if sizing == "utilisation" and server.cpu_utilisation is not None and server.memory_utilisation is not None:
        need_cpu = max(1, math.ceil(server.cpus * server.cpu_utilisation / 100.0 * comfort))
        need_mem = memory_gib * server.memory_utilisation / 100.0 * comfort
        size = cheapest(candidates, need_cpu, need_mem)
        basis = (f"utilisation: {server.cpu_utilisation:.0f}% of {server.cpus} vCPU, "
                 f"{server.memory_utilisation:.0f}% of {memory_gib:g} GiB x {comfort:g}")
        if size is not None:
            return Sized(size.size, basis, False)
    size = cheapest(candidates, server.cpus, memory_gib)
    basis = f"as on premises: {server.cpus} vCPU, {memory_gib:g} GiB"
    assumption = sizing == "utilisation"
    if sizing == "utilisation":
        basis += " [assumption] no utilisation figures, sized as on premises"
    if size is None:
        biggest = candidates[-1]
        raise InputError(f"{server.source}: {server.name} needs {server.cpus} vCPU and {memory_gib:g} GiB; the "
                         f"largest allowed size is {biggest.size} ({biggest.vcpus} vCPU, {biggest.memory_gib:g} GiB); "
                         "allow a larger family with --families", file=server.source.file)
    return Sized(size.size, basis, assumption)


def load_disk_rules(path: Path | None = None) -> list[DiskRule]:
    path = path or DISK_RULES
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise InputError(f"{path}: cannot read the disk rules ({exc.strerror})", file=str(path)) from exc
    rules: list[DiskRule] = []
    for number, row in enumerate(rows, start=2):
        sku = (row.get("disk_sku") or "").strip()
        if sku not in DISK_TYPE_OF_SKU or not row.get("field") or not row.get("pattern"):
            raise InputError(f"{path}:{number}: a rule needs field, pattern and disk_sku (one of "
                             f"{', '.join(DISK_TYPE_OF_SKU)})", file=str(path))
        rules.append(DiskRule(row["field"].strip().lower(), row["pattern"].strip().lower(), sku,
                              (row.get("why") or "").strip()))
    return rules


def disk_sku(server: InventoryServer, rules: list[DiskRule]) -> DiskRule:
    values = {"name": server.name, "folder": server.folder, "annotation": server.annotation,
              "cluster": server.cluster, **server.attributes}
    for rule in rules:
        if rule.field == "*":
            return rule
        value = values.get(rule.field, "")
        if value and fnmatch.fnmatchcase(value.lower(), rule.pattern):
            return rule
    return DiskRule("*", "*", "StandardSSD_LRS", "[assumption] no rule matched")


def tier_size(size_gib: float, sku: str) -> int:
    """The disk size rounded up to its managed disk tier (at least the smallest tier)."""
    tiers = disk_tiers()[DISK_TYPE_OF_SKU[sku]]
    for max_size, _tier in tiers:
        if size_gib <= max_size:
            return max_size
    raise ValueError(f"a {size_gib:g} GiB disk is larger than the largest {sku} tier ({tiers[-1][0]} GiB)")
