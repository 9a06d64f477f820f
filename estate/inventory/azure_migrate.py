"""Read an Azure Migrate server inventory: the CSV import template / discovered-servers export (CSV or xlsx).

Columns as Microsoft documents them for the Azure Migrate CSV import ("Server name", "IP addresses", "Cores",
"Memory (In MB)", "OS name", "OS version", "OS architecture", "Disk N size (In GB)", "CPU utilization
percentage", "Memory utilization percentage"); the portal's export spells some differently ("Operating
system", "Memory (MB)"), which read the same. Source: docs/import.md.
"""

from __future__ import annotations

import re
from pathlib import Path

from estate.foundation.errors import InputError
from estate.inventory.records import Inventory, InventoryServer, Source
from estate.inventory.tables import Sheet, Workbook, number, text

# Sheet names Azure Migrate gives its exports (the first sheet is used when none of these is present).
SHEET_NAMES = ("Discovered servers", "All_Assessed_Machines", "Assessed_Machines", "Servers")


def read_azure_migrate(path: Path) -> Inventory:
    book = Workbook(path)
    try:
        name = next((n for n in SHEET_NAMES if book.has(n)), None) or book.first()
        servers = _servers(book.sheet(name))
    finally:
        book.close()
    return Inventory(tool="azure-migrate", file=book.display, servers=servers)


def _servers(sheet: Sheet) -> list[InventoryServer]:
    c_name = sheet.require("Server name", "Machine", "Machine name", "Name")
    c_cores = sheet.require("Cores", "Number of cores", "CPU cores")
    c_mem = sheet.require("Memory MiB", "Memory")
    c_os = sheet.require("OS name", "Operating system")
    c_version = sheet.find("OS version", "Operating system version")
    c_arch = sheet.find("OS architecture")
    c_ip = sheet.find("IP addresses", "IP address")
    c_cpu_util = sheet.find("CPU utilization percentage", "CPU utilization")
    c_mem_util = sheet.find("Memory utilization percentage", "Memory utilization")
    c_power = sheet.find("Power status", "Power state")
    c_app = sheet.find("Application", "Tags")
    disk_columns = sorted(
        ((int(match.group(1)), position) for title, position in sheet.titles().items()
         if (match := re.fullmatch(r"disk (\d+) size(?: gib)?", title))), key=lambda pair: pair[0])
    seen: dict[str, int] = {}
    servers: list[InventoryServer] = []
    for row, values in sheet.rows:
        name = text(values, c_name)
        if not name:
            raise InputError(f"{sheet.where(row, 'Server name')}: empty server name", file=sheet.file)
        key = name.lower()
        if key in seen:
            raise InputError(f"{sheet.where(row, 'Server name')}: server {name!r} is listed twice (first at row "
                             f"{seen[key]}); server names must be unique", file=sheet.file)
        seen[key] = row
        cores = number(sheet, row, values, c_cores, required=True)
        memory = number(sheet, row, values, c_mem, required=True)
        assert cores is not None and memory is not None
        if cores < 1 or cores != int(cores):
            raise InputError(f"{sheet.where(row, str(sheet.header[c_cores]))}: {cores!r} is not a whole number of "
                             "cores (1 or more)", file=sheet.file)
        os_text = " ".join(t for t in (text(values, c_os), text(values, c_version)) if t)
        arch = text(values, c_arch).lower()
        bits = 32 if arch in ("x86", "32-bit", "32") else (64 if arch else None)
        power = text(values, c_power).lower()
        servers.append(InventoryServer(
            name=name, source=Source(sheet.file, sheet.name, row), cpus=int(cores), memory_mib=memory,
            os_texts=(os_text,) if os_text else (), powered_on=power not in ("off", "poweredoff", "powered off"),
            attributes={"application": text(values, c_app)} if text(values, c_app) else {},
            disks_gib=[size for _, position in disk_columns
                       if (size := number(sheet, row, values, position)) is not None and size > 0],
            ips=[ip for ip in re.split(r"[,;\s]+", text(values, c_ip)) if ip],
            cpu_utilisation=number(sheet, row, values, c_cpu_util),
            memory_utilisation=number(sheet, row, values, c_mem_util),
            bits=bits,
        ))
    return servers
