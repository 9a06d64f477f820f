"""Build RVTools-layout workbooks and Azure Migrate exports for the import tests and benchmark (openpyxl)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# The vInfo columns in the order RVTools 4.x writes them (a subset; real exports have ~90 columns).
VINFO_COLUMNS = ["VM", "Powerstate", "Template", "SRM Placeholder", "Config status", "DNS Name", "Connection state",
                 "Guest state", "Heartbeat", "CPUs", "Memory", "NICs", "Disks", "Total disk capacity MiB",
                 "Provisioned MiB", "In Use MiB", "Unshared MiB", "Annotation", "Datacenter", "Cluster", "Host",
                 "Folder", "OS according to the configuration file", "OS according to the VMware Tools",
                 "VM ID", "VM UUID", "VI SDK Server"]


@dataclass
class Vm:
    name: str
    cpus: int
    memory_mib: int
    os_config: str
    os_tools: str = ""
    power: str = "poweredOn"
    template: bool = False
    disks_mib: list[int] = field(default_factory=lambda: [61440])
    folder: str = "/Servers"
    cluster: str = "CL01"
    annotation: str = ""
    ip: str = ""
    cpu_overall_mhz: int | None = None  # vCPU "Overall", against "Max" = cpus x 2600 MHz
    memory_active_mib: int | None = None  # vMemory "Active"


def vinfo_row(vm: Vm) -> list[object]:
    total = sum(vm.disks_mib)
    values = {"VM": vm.name, "Powerstate": vm.power, "Template": vm.template, "SRM Placeholder": False,
              "Config status": "green", "DNS Name": f"{vm.name}.corp.local", "Connection state": "connected",
              "Guest state": "running", "Heartbeat": "green", "CPUs": vm.cpus, "Memory": vm.memory_mib, "NICs": 1,
              "Disks": len(vm.disks_mib), "Total disk capacity MiB": total, "Provisioned MiB": total + 4096,
              "In Use MiB": total // 2, "Unshared MiB": total // 2, "Annotation": vm.annotation,
              "Datacenter": "DC1", "Cluster": vm.cluster, "Host": "esx01.corp.local", "Folder": vm.folder,
              "OS according to the configuration file": vm.os_config,
              "OS according to the VMware Tools": vm.os_tools, "VM ID": "vm-1", "VM UUID": "4210",
              "VI SDK Server": "vc"}
    return [values[c] for c in VINFO_COLUMNS]


def write_rvtools(path: Path, vms: list[Vm], *, write_only: bool = True, sheets: tuple[str, ...] | None = None,
                  vinfo_columns: list[str] | None = None) -> Path:
    from openpyxl import Workbook

    book = Workbook(write_only=write_only)
    if not write_only:
        book.remove(book.active)
    wanted = sheets or ("vInfo", "vCPU", "vMemory", "vDisk", "vPartition", "vNetwork")
    columns = vinfo_columns or VINFO_COLUMNS
    for name in wanted:
        sheet = book.create_sheet(name)
        if name == "vInfo":
            sheet.append(columns)
            for vm in vms:
                row = dict(zip(VINFO_COLUMNS, vinfo_row(vm), strict=True))
                sheet.append([row.get(c) for c in columns])
        elif name == "vDisk":
            sheet.append(["VM", "Powerstate", "Template", "Disk", "Disk Key", "Capacity MiB", "Raw", "Disk Mode",
                          "Thin", "Controller", "Path"])
            for vm in vms:
                for number, size in enumerate(vm.disks_mib, start=1):
                    sheet.append([vm.name, vm.power, vm.template, f"Hard disk {number}", 2000 + number, size, False,
                                  "persistent", True, "SCSI controller 0", f"[ds1] {vm.name}/{vm.name}_{number}.vmdk"])
        elif name == "vPartition":
            sheet.append(["VM", "Powerstate", "Template", "Disk Key", "Disk", "Capacity MiB", "Consumed MiB",
                          "Free MiB", "Free %"])
            for vm in vms:
                for number, size in enumerate(vm.disks_mib, start=1):
                    sheet.append([vm.name, vm.power, vm.template, 2000 + number, f"C{number}:\\", size, size // 2,
                                  size - size // 2, 50])
        elif name == "vNetwork":
            sheet.append(["VM", "Powerstate", "Template", "NIC label", "Adapter", "Network", "Switch", "Connected",
                          "Mac Address", "IPv4 Address", "IPv6 Address"])
            for vm in vms:
                sheet.append([vm.name, vm.power, vm.template, "Network adapter 1", "VMXNET3", "VLAN10", "dvs",
                              True, "00:50:56:aa", vm.ip, ""])
        elif name == "vCPU":
            sheet.append(["VM", "Powerstate", "Template", "CPUs", "Sockets", "Cores p/s", "Max", "Overall", "Level",
                          "Shares", "Reservation", "Entitlement", "DRS Entitlement", "Limit", "Hot Add"])
            for vm in vms:
                sheet.append([vm.name, vm.power, vm.template, vm.cpus, 1, vm.cpus, vm.cpus * 2600,
                              vm.cpu_overall_mhz, "normal", 1000, 0, 0, 0, -1, False])
        elif name == "vMemory":
            sheet.append(["VM", "Powerstate", "Template", "Size MiB", "Overhead", "Max", "Consumed",
                          "Consumed Overhead", "Private", "Shared", "Swapped", "Ballooned", "Active", "Entitlement"])
            for vm in vms:
                sheet.append([vm.name, vm.power, vm.template, vm.memory_mib, 30, vm.memory_mib,
                              vm.memory_active_mib, 30, 0, 0, 0, 0, vm.memory_active_mib, 0])
    book.save(path)
    return path
