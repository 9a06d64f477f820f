"""Read an RVTools export (4.x): `vInfo` (required), `vDisk`, `vPartition`, `vNetwork`, `vCPU`, `vMemory`.

Column names are the ones RVTools 4.x writes (see docs/import.md for the sources); older exports that say
"MB" instead of "MiB" read the same. A workbook or a folder of CSVs (vInfo.csv or RVTools_tabvInfo.csv) works.
"""

from __future__ import annotations

import re
from pathlib import Path

from estate.foundation.errors import InputError
from estate.inventory.records import Inventory, InventoryServer, Source
from estate.inventory.tables import Sheet, Workbook, cell, number, text

MIB_PER_GIB = 1024.0
# vInfo columns that hold custom attributes worth keeping (RVTools appends custom attributes as columns).
ATTRIBUTE_COLUMNS = ("application", "app", "service", "owner", "environment", "role", "database")
_TRUE = {"true", "yes", "1", "y", "x"}


def read_rvtools(path: Path) -> Inventory:
    book = Workbook(path)
    try:
        if not book.has("vInfo"):
            raise InputError(f"{book.display}: no vInfo sheet (sheets: {', '.join(book.shown) or 'none'}); this does "
                             "not look like an RVTools export: export all tabs from RVTools (File > Export all to "
                             "Excel) or give a folder with vInfo.csv", file=str(path))
        servers = _vinfo(book.sheet("vInfo"))
        by_name = {server.name.lower(): server for server in servers}
        if book.has("vDisk"):
            _vdisk(book.sheet("vDisk"), by_name)
        if book.has("vPartition"):
            _vpartition(book.sheet("vPartition"), by_name)
        if book.has("vNetwork"):
            _vnetwork(book.sheet("vNetwork"), by_name)
        if book.has("vCPU"):
            _vcpu(book.sheet("vCPU"), by_name)
        if book.has("vMemory"):
            _vmemory(book.sheet("vMemory"), by_name)
    finally:
        book.close()
    return Inventory(tool="rvtools", file=book.display, servers=servers)


def _flag(value: object) -> bool:
    return str(value).strip().lower() in _TRUE if value is not None else False


def _vinfo(sheet: Sheet) -> list[InventoryServer]:
    c_vm = sheet.require("VM")
    c_cpus = sheet.require("CPUs")
    c_mem = sheet.require("Memory")
    c_power = sheet.require("Powerstate")
    c_os_config = sheet.find("OS according to the configuration file", "OS")
    c_os_tools = sheet.find("OS according to the VMware Tools")
    if c_os_config is None and c_os_tools is None:
        sheet.require("OS according to the configuration file", "OS according to the VMware Tools")
    c_template = sheet.find("Template")
    c_prov = sheet.find("Provisioned MiB")
    c_used = sheet.find("In Use MiB")
    c_cluster, c_host = sheet.find("Cluster"), sheet.find("Host")
    c_folder, c_note = sheet.find("Folder"), sheet.find("Annotation")
    attributes = {name: sheet.find(name) for name in ATTRIBUTE_COLUMNS}
    seen: dict[str, int] = {}
    servers: list[InventoryServer] = []
    for row, values in sheet.rows:
        name = text(values, c_vm)
        if not name:
            raise InputError(f"{sheet.where(row, 'VM')}: empty VM name; every row of vInfo names a VM",
                             file=sheet.file)
        key = name.lower()
        if key in seen:
            raise InputError(f"{sheet.where(row, 'VM')}: VM {name!r} is listed twice (first at row {seen[key]}); "
                             "VM names must be unique: remove the repeat or export one vCenter at a time",
                             file=sheet.file)
        seen[key] = row
        cpus = number(sheet, row, values, c_cpus, required=True)
        memory = number(sheet, row, values, c_mem, required=True)
        assert cpus is not None and memory is not None
        if cpus < 1 or cpus != int(cpus):
            raise InputError(f"{sheet.where(row, str(sheet.header[c_cpus]))}: {cell(values, c_cpus)!r} is not a "
                             "whole number of CPUs (1 or more)", file=sheet.file)
        provisioned = number(sheet, row, values, c_prov)
        used = number(sheet, row, values, c_used)
        os_texts = tuple(t for t in (text(values, c_os_tools), text(values, c_os_config)) if t)
        servers.append(InventoryServer(
            name=name, source=Source(sheet.file, sheet.name, row), cpus=int(cpus), memory_mib=memory,
            os_texts=os_texts, powered_on=text(values, c_power).lower() in ("poweredon", "powered on", "on"),
            template=_flag(cell(values, c_template)), cluster=text(values, c_cluster), host=text(values, c_host),
            folder=text(values, c_folder), annotation=text(values, c_note),
            attributes={k: text(values, p) for k, p in attributes.items() if p is not None and text(values, p)},
            provisioned_gib=provisioned / MIB_PER_GIB if provisioned is not None else None,
            used_gib=used / MIB_PER_GIB if used is not None else None,
            bits=32 if any("32-bit" in t for t in os_texts) else (64 if any("64-bit" in t for t in os_texts) else None),
        ))
    return servers


def _disk_order(label: str) -> tuple[int, str]:
    found = re.search(r"(\d+)", label)
    return (int(found.group(1)) if found else 10**6, label)


def _vdisk(sheet: Sheet, by_name: dict[str, InventoryServer]) -> None:
    c_vm, c_disk = sheet.require("VM"), sheet.find("Disk")
    c_capacity = sheet.require("Capacity MiB")
    disks: dict[str, list[tuple[tuple[int, str], float]]] = {}
    for row, values in sheet.rows:
        key = text(values, c_vm).lower()
        if key not in by_name:
            continue
        capacity = number(sheet, row, values, c_capacity, required=True)
        assert capacity is not None
        disks.setdefault(key, []).append((_disk_order(text(values, c_disk)), capacity / MIB_PER_GIB))
    for key, found in disks.items():
        by_name[key].disks_gib = [size for _, size in sorted(found)]


def _vpartition(sheet: Sheet, by_name: dict[str, InventoryServer]) -> None:
    c_vm, c_consumed = sheet.require("VM"), sheet.find("Consumed MiB")
    if c_consumed is None:
        return
    used: dict[str, float] = {}
    for row, values in sheet.rows:
        key = text(values, c_vm).lower()
        if key in by_name:
            used[key] = used.get(key, 0.0) + (number(sheet, row, values, c_consumed) or 0.0) / MIB_PER_GIB
    for key, total in used.items():
        by_name[key].used_gib = total


def _vnetwork(sheet: Sheet, by_name: dict[str, InventoryServer]) -> None:
    c_vm, c_ip = sheet.require("VM"), sheet.find("IPv4 Address", "IP Address")
    if c_ip is None:
        return
    for _, values in sheet.rows:
        key = text(values, c_vm).lower()
        if key in by_name:
            by_name[key].ips.extend(ip for ip in re.split(r"[,;\s]+", text(values, c_ip)) if ip)


def _vcpu(sheet: Sheet, by_name: dict[str, InventoryServer]) -> None:
    # vCPU's "Max" is the VM's CPU capacity in MHz and "Overall" its current use in MHz.
    _utilisation(sheet, by_name, "cpu_utilisation", sheet.find("Max"), sheet.find("Overall"))


def _vmemory(sheet: Sheet, by_name: dict[str, InventoryServer]) -> None:
    # vMemory's "Active" is the guest's actively used memory and "Size MiB" its configured memory.
    _utilisation(sheet, by_name, "memory_utilisation", sheet.find("Size MiB"), sheet.find("Active", "Consumed"))


def _utilisation(sheet: Sheet, by_name: dict[str, InventoryServer], field: str, c_total: int | None,
                 c_used: int | None) -> None:
    """Set `field` of each server the sheet lists to its use as a percentage of its capacity (at most 100)."""
    c_vm = sheet.require("VM")
    if c_total is None or c_used is None:
        return
    for row, values in sheet.rows:
        key = text(values, c_vm).lower()
        total = number(sheet, row, values, c_total)
        used = number(sheet, row, values, c_used)
        if key in by_name and total and used is not None:
            setattr(by_name[key], field, min(100.0, 100.0 * used / total))
