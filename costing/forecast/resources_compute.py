"""Cost components for compute: virtual machines (with their inline managed disks) and AKS node pools.

A VM costs 730 hours a month of its size's compute meter in its region: the Windows meter for Windows without
Hybrid Benefit, the base (Linux) meter for Linux and for Windows with Hybrid Benefit (`licenseType:
Windows_Server`; not the DevTest rate). A `reservation` tag of 1y/3y prices the compute at the reservation's
whole-term price spread over the term. Spot (`priority: Spot`/`Low`) asks for the Spot meters. RHEL and SLES
pay-as-you-go images add their licence meter; `RHEL_BYOS`/`SLES_BYOS` do not. The inputs are parsed in
`costing/forecast/specs.py`; these functions only turn specs into components.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache

from costing.forecast.model import HOURS_PER_MONTH, CostComponent
from costing.forecast.specs import DiskSpec, MachineSpec, ManagedClusterSpec, VirtualMachineSpec, disk_tier
from costing.prices.catalogue import PriceQuery
from estate.foundation.reference import vm_sizes

RESERVATION_TERMS = {"1y": "1 Year", "3y": "3 Years"}
LINUX_LICENCE_PRODUCTS = {"rhel": "Red Hat Enterprise Linux", "sles": "SUSE Linux Enterprise Server"}


def compute_components(machine: MachineSpec, region: str) -> list[CostComponent]:
    """The compute (and licence) components of one machine shape."""
    label, hours = machine.label, machine.hours
    if not machine.size:
        return [CostComponent(label, "hours", hours, None, problem="the VM size is not known in the plan")]
    if machine.os_family not in ("windows", "linux"):
        return [CostComponent(label, "hours", hours, None,
                              problem="the operating system is not known (no image reference or osType)")]
    queries = _compute_queries(machine.size, machine.os_family, machine.os, machine.licence, machine.reservation,
                               machine.priority, region)
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


@cache
def _disk_query(disk_type: str, size_gb: Decimal, region: str) -> tuple[str | None, PriceQuery | None, str]:
    """(tier label e.g. 'E10 LRS', its price query, or the problem) for one disk type and size."""
    if disk_type.startswith(("PremiumV2", "UltraSSD")):
        return None, None, f"{disk_type} is billed by provisioned GiB, IOPS and throughput; not modelled"
    family = "Standard_LRS" if disk_type == "Standard_LRS" else disk_type.split("_")[0]
    redundancy = disk_type.rsplit("_", 1)[-1]
    tier = disk_tier(disk_type, size_gb)
    product = {"Standard_LRS": "Standard HDD Managed Disks", "StandardSSD": "Standard SSD Managed Disks",
               "Premium": "Premium SSD Managed Disks"}.get(family)
    if tier is None or product is None:
        return None, None, f"no managed disk tier of {disk_type} holds {size_gb} GiB"
    label = f"{tier} {redundancy}"
    query = PriceQuery.of(serviceName="Storage", productName=product, skuName=label, meterName=f"{label} Disk",
                          armRegionName=region)
    return label, query, ""


def disk_component(disk: DiskSpec, region: str) -> CostComponent:
    """One managed disk, billed monthly at the smallest tier of its type that holds its size."""
    if disk.size_gb is None:
        return CostComponent(f"{disk.role} ({disk.disk_type}, ? GiB)", "months", disk.count, None,
                             problem="the disk size is not known in the plan")
    tier, query, problem = _disk_query(disk.disk_type, disk.size_gb, region)
    return CostComponent(f"{disk.role} ({tier or disk.disk_type}, {disk.size_gb} GiB)", "months", disk.count, query,
                         problem=problem)


def virtual_machine(spec: VirtualMachineSpec) -> list[CostComponent]:
    return [*compute_components(spec.machine, spec.region), *(disk_component(disk, spec.region) for disk in spec.disks)]


def managed_cluster(spec: ManagedClusterSpec) -> list[CostComponent]:
    """AKS: each agent pool's nodes as VMs (managed OS disk), plus the Standard/Premium control plane."""
    found: list[CostComponent] = []
    if spec.tier.lower() != "free":
        found.append(CostComponent(f"control plane ({spec.tier})", "hours", HOURS_PER_MONTH, PriceQuery.of(
            serviceName="Azure Kubernetes Service", skuName=spec.tier, armRegionName=spec.region)))
    for machine, disk in spec.pools:
        found += compute_components(machine, spec.region)
        if disk is not None:
            found.append(disk_component(disk, spec.region))
    return found
