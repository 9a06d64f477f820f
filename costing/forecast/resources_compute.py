"""Cost functions for compute: virtual machines (with their inline managed disks) and AKS node pools.

A VM costs 730 hours a month of its size's compute meter in its region: the Windows meter for Windows without
Hybrid Benefit, the base (Linux) meter for Linux and for Windows with Hybrid Benefit (`licenseType:
Windows_Server`; not the DevTest rate). A `reservation` tag of 1y/3y prices the compute at the reservation's
whole-term price spread over the term. Spot (`priority: Spot`/`Low`) asks for the Spot meters. RHEL and SLES
pay-as-you-go images add their licence meter; `RHEL_BYOS`/`SLES_BYOS` do not.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from typing import Any

from costing.forecast.model import (
    HOURS_PER_MONTH,
    CostComponent,
    Resource,
    costs,
    disk_tiers,
    number,
    os_disk_minimums,
)
from costing.prices.catalogue import PriceQuery
from estate.foundation.reference import operating_systems, vm_sizes

# A size whose name has "s" after its vCPU count (D2s_v3, E4as_v5) supports Premium SSD.
PREMIUM_CAPABLE = re.compile(r"^Standard_[A-Z]+\d+[a-z]*s", re.IGNORECASE)
RESERVATION_TERMS = {"1y": "1 Year", "3y": "3 Years"}
LINUX_LICENCE_PRODUCTS = {"rhel": "Red Hat Enterprise Linux", "sles": "SUSE Linux Enterprise Server"}
WINDOWS_PUBLISHERS = ("microsoftwindowsserver", "microsoftwindowsdesktop", "microsoftsqlserver")


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


def compute_components(resource: Resource, size: str | None, family: str | None, os_name: str | None, *,
                       licence: str | None, reservation: str | None, priority: str | None,
                       count: Decimal = Decimal(1), label: str = "compute") -> list[CostComponent]:
    """The compute (and licence) components of `count` machines of one size."""
    hours = resource.usage_quantity("hours_per_month", HOURS_PER_MONTH) * count
    if not size:
        return [CostComponent(label, "hours", hours, None, problem="the VM size is not known in the plan")]
    if family not in ("windows", "linux"):
        return [CostComponent(label, "hours", hours, None,
                              problem="the operating system is not known (no image reference or osType)")]
    queries = _compute_queries(size, family, os_name, licence, reservation, (priority or "").lower(),
                               resource.region or "")
    return [CostComponent(f"{label} {name}" if name.startswith("(") else name, "hours", hours, query)
            for name, query in queries]


@cache
def _compute_queries(size: str, family: str, os_name: str | None, licence: str | None, reservation: str | None,
                     priority: str, region: str) -> tuple[tuple[str, PriceQuery], ...]:
    """(component name, query) pairs for one machine shape; names in parentheses attach to the caller's label."""
    hybrid = family == "windows" and licence == "Windows_Server"
    term = RESERVATION_TERMS.get(reservation or "")
    base = {"serviceName": "Virtual Machines", "armSkuName": size, "armRegionName": region}
    windows_meter = family == "windows" and not hybrid and not term
    what = "Windows" if windows_meter else ("Linux/base rate, Hybrid Benefit" if hybrid else "Linux/base rate")
    if priority in ("spot", "low"):
        word = "Spot" if priority == "spot" else "Low Priority"
        query = PriceQuery.of(require={"skuName": word, **({"productName": "Windows"} if windows_meter else {})},
                              exclude={} if windows_meter else {"productName": "Windows"}, allow_spot=True, **base)
        what += f", {word}"
    elif term:
        query = PriceQuery.of(price_type="Reservation", reservation_term=term, exclude={"productName": "Windows"},
                              **base)
        what += f", reserved {reservation}"
    elif windows_meter:
        query = PriceQuery.of(require={"productName": "Windows"}, **base)
    else:
        query = PriceQuery.of(exclude={"productName": "Windows"}, **base)
    found = [(f"({size}, {what})", query)]
    vcpus = vm_sizes().get(size)
    sku = f"{vcpus.vcpus} vCPU VM" if vcpus else size
    if family == "windows" and not hybrid and term:
        found.append((f"Windows Server licence ({size})", PriceQuery.of(
            serviceName="Virtual Machines Licenses", productName="Windows Server", skuName=sku, armRegionName=region)))
    if os_name in LINUX_LICENCE_PRODUCTS and not (licence or "").endswith("_BYOS"):
        product = LINUX_LICENCE_PRODUCTS[os_name]
        found.append((f"{product} licence ({size})", PriceQuery.of(
            serviceName="Virtual Machines Licenses", productName=product, skuName=sku)))
    return tuple(found)


def disk_component(resource: Resource, role: str, size_gb: Decimal | None, disk_type: str | None,
                   count: Decimal = Decimal(1)) -> CostComponent:
    """One managed disk, billed monthly at the smallest tier of its type that holds its size."""
    disk_type = disk_type or "Premium_LRS"
    if size_gb is None:
        return CostComponent(f"{role} ({disk_type}, ? GiB)", "months", count, None,
                             problem="the disk size is not known in the plan")
    tier, query, problem = _disk_query(disk_type, size_gb, resource.region or "")
    return CostComponent(f"{role} ({tier or disk_type}, {size_gb} GiB)", "months", count, query, problem=problem)


@cache
def _disk_query(disk_type: str, size_gb: Decimal, region: str) -> tuple[str | None, PriceQuery | None, str]:
    """(tier label e.g. 'E10 LRS', its price query, or the problem) for one disk type and size."""
    if disk_type.startswith(("PremiumV2", "UltraSSD")):
        return None, None, f"{disk_type} is billed by provisioned GiB, IOPS and throughput; not modelled"
    family = "Standard_LRS" if disk_type == "Standard_LRS" else disk_type.split("_")[0]
    redundancy = disk_type.rsplit("_", 1)[-1]
    tier = next((tier for limit, tier in disk_tiers().get(family, []) if size_gb <= limit), None)
    product = {"Standard_LRS": "Standard HDD Managed Disks", "StandardSSD": "Standard SSD Managed Disks",
               "Premium": "Premium SSD Managed Disks"}.get(family)
    if tier is None or product is None:
        return None, None, f"no managed disk tier of {disk_type} holds {size_gb} GiB"
    label = f"{tier} {redundancy}"
    query = PriceQuery.of(serviceName="Storage", productName=product, skuName=label, meterName=f"{label} Disk",
                          armRegionName=region)
    return label, query, ""


def os_disk_size(stated: Any, family: str | None) -> Decimal | None:
    """The OS disk's billed size: as stated, but never smaller than the image it is made from."""
    minimum = os_disk_minimums().get(family or "")
    size = number(stated)
    if size is None or size == 0:
        return Decimal(minimum) if minimum else None
    return max(size, Decimal(minimum)) if minimum else size


@costs("azure-native:compute:VirtualMachine", usage=("hours_per_month",))
def virtual_machine(resource: Resource) -> list[CostComponent]:
    storage = resource.get("storageProfile", {}) or {}
    family, os_name = os_of(storage.get("imageReference"), resource.get("storageProfile.osDisk.osType"))
    found = compute_components(
        resource, resource.get("hardwareProfile.vmSize"), family, os_name, licence=resource.get("licenseType"),
        reservation=resource.tags.get("reservation"), priority=resource.get("priority"))
    os_disk = storage.get("osDisk") or {}
    os_sku = (os_disk.get("managedDisk") or {}).get("storageAccountType")
    found.append(disk_component(resource, "OS disk", os_disk_size(os_disk.get("diskSizeGB"), family), os_sku))
    for disk in storage.get("dataDisks") or []:
        sku = (disk.get("managedDisk") or {}).get("storageAccountType")
        found.append(disk_component(resource, f"data disk LUN {disk.get('lun', '?')}", number(disk.get("diskSizeGB")),
                                    sku))
    return found


@costs("azure-native:containerservice:ManagedCluster", usage=("hours_per_month",))
def managed_cluster(resource: Resource) -> list[CostComponent]:
    """AKS: each agent pool's nodes as VMs (managed OS disk), plus the Standard/Premium control plane."""
    found: list[CostComponent] = []
    tier = str(resource.get("sku.tier") or "Free")
    if tier.lower() != "free":
        found.append(CostComponent(f"control plane ({tier})", "hours", HOURS_PER_MONTH, PriceQuery.of(
            serviceName="Azure Kubernetes Service", skuName=tier, armRegionName=resource.region or "")))
    for pool in resource.get("agentPoolProfiles", []) or []:
        count = number(pool.get("count")) or Decimal(1)
        size, family = pool.get("vmSize"), str(pool.get("osType") or "Linux").lower()
        name = f"node pool {pool.get('name', '?')} x{count}"
        found += compute_components(resource, size, family, None, licence=None, reservation=None,
                                    priority=pool.get("scaleSetPriority"), count=count, label=name)
        if str(pool.get("osDiskType") or "Managed") == "Managed":
            known = vm_sizes().get(size or "")
            premium = known.premium_storage if known else bool(PREMIUM_CAPABLE.match(size or ""))
            found.append(disk_component(resource, f"{name} OS disk", os_disk_size(pool.get("osDiskSizeGB"), family),
                                        "Premium_LRS" if premium else "StandardSSD_LRS", count))
    return found
