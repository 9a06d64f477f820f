"""Layer one of the cost model: each priced resource type's inputs parsed into a small typed spec.

Everything a plan leaves out is decided here and only here (an absent SKU tier is `Standard`, an absent disk type
`Premium_LRS`, an OS disk is never smaller than its image, a month has 730 hours); the cost components of
`costing/forecast/resources_*.py` read a spec and never a plan. A spec is plain data, so golden files
(`tests/golden/forecast/`) show exactly what the parser made of each case.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from costing.forecast.model import HOURS_PER_MONTH, BadQuantity, Resource, disk_tiers, number, os_disk_minimums
from estate.foundation.reference import operating_systems, vm_sizes

WINDOWS_PUBLISHERS = ("microsoftwindowsserver", "microsoftwindowsdesktop", "microsoftsqlserver")
DEFAULT_DISK_TYPE = "Premium_LRS"  # Azure's default for a managed disk whose storageAccountType is not given


@dataclass(frozen=True)
class DiskSpec:
    role: str
    size_gb: Decimal | None
    disk_type: str
    count: Decimal = Decimal(1)


@dataclass(frozen=True)
class MachineSpec:
    """`count` machines of one size: what compute (and licence) meters need."""

    label: str
    size: str | None
    os_family: str | None  # windows / linux
    os: str | None  # e.g. rhel, sles, ubuntu (None when only the family is known)
    licence: str | None  # licenseType: Windows_Server, RHEL_BYOS, ...
    reservation: str | None  # the `reservation` tag: none / 1y / 3y
    priority: str  # "", spot, low
    hours: Decimal  # a month, for all `count` machines


@dataclass(frozen=True)
class VirtualMachineSpec:
    region: str
    machine: MachineSpec
    disks: tuple[DiskSpec, ...]


@dataclass(frozen=True)
class ManagedClusterSpec:
    region: str
    tier: str
    pools: tuple[tuple[MachineSpec, DiskSpec | None], ...]


@dataclass(frozen=True)
class ExpressRouteCircuitSpec:
    tier: str
    family: str  # MeteredData / UnlimitedData
    bandwidth_mbps: int | None
    peering_location: str
    usage: Mapping[str, Decimal]


@dataclass(frozen=True)
class GatewaySpec:
    region: str
    sku: str
    kind: str  # Vpn / ExpressRoute


@dataclass(frozen=True)
class PublicIpSpec:
    region: str
    sku: str
    version: str  # IPv4 / IPv6
    allocation: str  # Static / Dynamic


@dataclass(frozen=True)
class WorkspaceSpec:
    region: str
    ingestion_gb_per_day: Decimal | None
    capped: bool  # the figure is the workspace's daily cap, not a usage figure
    retention_days: Decimal


@dataclass(frozen=True)
class UsageSpec:
    """A resource priced by one SKU and what the usage file says of it (vaults, Key Vault, protected items)."""

    region: str
    sku: str
    usage: Mapping[str, Decimal]


@dataclass(frozen=True)
class PostgresSpec:
    region: str
    sku: str
    storage_type: str
    storage_gb: Decimal | None  # as the plan states it; the usage file's figure wins
    usage: Mapping[str, Decimal]


def os_of(image: Mapping[str, Any] | None, os_type: str | None) -> tuple[str | None, str | None]:
    """(family windows/linux, os name e.g. rhel) from an image reference, else from `osType`."""
    image = image if isinstance(image, Mapping) else {}
    publisher, offer, sku = (str(image.get(key) or "") for key in ("publisher", "offer", "sku"))
    return _os_of(publisher, offer, sku, str(os_type) if os_type else None)


@cache
def _os_of(publisher: str, offer: str, sku: str, os_type: str | None) -> tuple[str | None, str | None]:
    for system in operating_systems().values():
        if (system.image_publisher, system.image_offer, system.image_sku) == (publisher, offer, sku) and publisher:
            return system.family, system.os
    if publisher.lower() in WINDOWS_PUBLISHERS:
        return "windows", "windows-server"
    if publisher.lower() == "redhat":
        return "linux", "rhel"
    if publisher.lower() == "suse":
        return "linux", "sles"
    if os_type:
        return os_type.lower(), None
    return ("linux", None) if publisher else (None, None)


def os_disk_size(stated: Any, family: str | None) -> Decimal | None:
    """The OS disk's billed size: as stated, but never smaller than the image it is made from."""
    minimum = os_disk_minimums().get(family or "")
    size = number(stated)
    if size is None or size == 0:
        return Decimal(minimum) if minimum else None
    return max(size, Decimal(minimum)) if minimum else size


def _hours(resource: Resource) -> Decimal:
    return resource.usage_quantity("hours_per_month", HOURS_PER_MONTH)


def _disk_type(disk: Mapping[str, Any]) -> str:
    return (disk.get("managedDisk") or {}).get("storageAccountType") or DEFAULT_DISK_TYPE


def parse_virtual_machine(resource: Resource) -> VirtualMachineSpec:
    storage = resource.get("storageProfile", {}) or {}
    family, os_name = os_of(storage.get("imageReference"), resource.get("storageProfile.osDisk.osType"))
    machine = MachineSpec("compute", resource.get("hardwareProfile.vmSize"), family, os_name,
                          resource.get("licenseType"), resource.tags.get("reservation"),
                          str(resource.get("priority") or "").lower(), _hours(resource))
    os_disk = storage.get("osDisk") or {}
    disks = [DiskSpec("OS disk", os_disk_size(os_disk.get("diskSizeGB"), family), _disk_type(os_disk))]
    disks += [DiskSpec(f"data disk LUN {disk.get('lun', '?')}", number(disk.get("diskSizeGB")), _disk_type(disk))
              for disk in storage.get("dataDisks") or []]
    return VirtualMachineSpec(resource.region or "", machine, tuple(disks))


def parse_managed_cluster(resource: Resource) -> ManagedClusterSpec:
    """AKS: each agent pool's nodes as machines with a managed OS disk, and the control plane's tier."""
    pools = []
    for pool in resource.get("agentPoolProfiles", []) or []:
        count = number(pool.get("count")) or Decimal(1)
        size, family = pool.get("vmSize"), str(pool.get("osType") or "Linux").lower()
        name = f"node pool {pool.get('name', '?')} x{count}"
        machine = MachineSpec(name, size, family, None, None, None, str(pool.get("scaleSetPriority") or "").lower(),
                              _hours(resource) * count)
        disk = None
        if str(pool.get("osDiskType") or "Managed") == "Managed":
            known = vm_sizes().get(size or "")
            premium = known.premium_storage if known else _premium_capable(size or "")
            disk = DiskSpec(f"{name} OS disk", os_disk_size(pool.get("osDiskSizeGB"), family),
                            "Premium_LRS" if premium else "StandardSSD_LRS", count)
        pools.append((machine, disk))
    return ManagedClusterSpec(resource.region or "", str(resource.get("sku.tier") or "Free"), tuple(pools))


def _premium_capable(size: str) -> bool:
    """A size whose name has "s" after its vCPU count (D2s_v3, E4as_v5) supports Premium SSD."""
    import re

    return bool(re.match(r"^Standard_[A-Z]+\d+[a-z]*s", size, re.IGNORECASE))


def parse_expressroute_circuit(resource: Resource) -> ExpressRouteCircuitSpec:
    bandwidth = number(resource.get("serviceProviderProperties.bandwidthInMbps"))
    return ExpressRouteCircuitSpec(
        str(resource.get("sku.tier") or "Standard"), str(resource.get("sku.family") or "MeteredData"),
        int(bandwidth) if bandwidth is not None else None,
        str(resource.get("serviceProviderProperties.peeringLocation") or ""), dict(resource.usage))


def parse_gateway(resource: Resource) -> GatewaySpec:
    return GatewaySpec(resource.region or "", str(resource.get("sku.name") or ""),
                       str(resource.get("gatewayType") or "Vpn"))


def parse_public_ip(resource: Resource) -> PublicIpSpec:
    sku = str(resource.get("sku.name") or "Basic")
    allocation = "Static" if sku == "Standard" else str(resource.get("publicIPAllocationMethod") or "Dynamic")
    version = "IPv6" if str(resource.get("publicIPAddressVersion") or "IPv4") == "IPv6" else "IPv4"
    return PublicIpSpec(resource.region or "", sku, version, allocation)


FREE_RETENTION_DAYS = 31


def parse_workspace(resource: Resource) -> WorkspaceSpec:
    per_day = resource.usage_quantity("ingestion_gb_per_day")
    cap = number(resource.get("workspaceCapping.dailyQuotaGb"), allow_negative=True)  # -1: no cap
    if cap is not None and cap < 0 and cap != -1:
        raise BadQuantity(f"workspaceCapping.dailyQuotaGb is {cap}: give a daily cap in GB, or -1 for none")
    capped = per_day is None and cap is not None and cap >= 0
    return WorkspaceSpec(resource.region or "", cap if capped else per_day, capped,
                         number(resource.get("retentionInDays")) or Decimal(FREE_RETENTION_DAYS))


REDUNDANCY = {"GeoRedundant": "GRS", "LocallyRedundant": "LRS", "ZoneRedundant": "ZRS"}


def parse_recovery_vault(resource: Resource) -> UsageSpec:
    stated = resource.get("properties.redundancySettings.standardTierStorageRedundancy") or "GeoRedundant"
    return UsageSpec(resource.region or "", REDUNDANCY.get(str(stated), "GRS"), dict(resource.usage))


def parse_protected_item(resource: Resource) -> UsageSpec:
    return UsageSpec(resource.region or "", "Azure VM", {})


def parse_key_vault(resource: Resource) -> UsageSpec:
    return UsageSpec(resource.region or "", str(resource.get("properties.sku.name") or "standard").capitalize(),
                     dict(resource.usage))


def parse_postgres(resource: Resource) -> PostgresSpec:
    return PostgresSpec(resource.region or "", str(resource.get("sku.name") or "").removeprefix("Standard_"),
                        str(resource.get("storage.type") or "Premium_LRS"),
                        number(resource.get("storage.storageSizeGB")), dict(resource.usage))


def parse_static_site(resource: Resource) -> UsageSpec:
    return UsageSpec(resource.region or "", str(resource.get("sku.name") or "Free"), {})


def disk_tier(disk_type: str, size_gb: Decimal) -> str | None:
    """The smallest managed disk tier of `disk_type` that holds `size_gb` (e.g. 'E10'), from the reference table."""
    family = "Standard_LRS" if disk_type == "Standard_LRS" else disk_type.split("_")[0]
    return next((tier for limit, tier in disk_tiers().get(family, []) if size_gb <= limit), None)
