"""azure-preflight-vm: a VM Azure can create where the plan puts it.

- its size is sold in its region (estate/foundation/reference/vm_size_regions.csv, by family; a size the table
  does not know is advisory);
- Premium SSD / Premium SSD v2 / Ultra disks only on sizes that support premium storage (vm_sizes.csv);
- the licence type matches the image: Windows_Server / Windows_Client only with a Windows image, RHEL_BYOS only
  with a Red Hat image, SLES_BYOS only with a SUSE image (Azure Hybrid Benefit,
  learn.microsoft.com/azure/virtual-machines/windows/hybrid-use-benefit-licensing and
  .../linux/azure-hybrid-benefit-linux).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from estate.foundation.reference import size_offered, vm_sizes
from policies.rules.base import ADVISORY, MANDATORY, GuardrailSettings, PlanContext, Resource, Violation, json_path
from policies.rules.preflight.index import known, location
from policies.rules.preflight.names import os_family

NAME = "azure-preflight-vm"
DESCRIPTION = ("A VM's size is offered in its region, premium disks sit only on premium-capable sizes, and its "
               "licence type matches its image.")
REMEDIATION = "choose another size or region, a Standard SSD disk, or the licence type of the image"
VM_TYPE = "azure-native:compute:VirtualMachine"
PREMIUM_PREFIXES = ("Premium", "UltraSSD")
# licence type -> (image kind it needs, how to tell the image: a publisher substring).
LICENCES = {"Windows_Server": ("windows", None), "Windows_Client": ("windows", None),
            "RHEL_BYOS": ("Red Hat Enterprise Linux", "redhat"), "SLES_BYOS": ("SUSE Linux Enterprise", "suse")}


def check(resource: Resource, settings: GuardrailSettings, context: PlanContext) -> Iterator[Violation]:
    if resource.type != VM_TYPE:
        return
    inputs = resource.inputs
    size = (inputs.get("hardwareProfile") or {}).get("vmSize")
    region = location(resource)
    if known(size) and region:
        offered = size_offered(size, region)
        if offered is False:
            yield Violation(NAME, MANDATORY, resource.urn, resource.type, "inputs.hardwareProfile.vmSize", size,
                            f"{size} is not offered in {region} (vm_size_regions.csv); choose a size sold there "
                            f"or place the wave in another region")
        elif offered is None:
            yield Violation(NAME, ADVISORY, resource.urn, resource.type, "inputs.hardwareProfile.vmSize", size,
                            f"estate's reference data does not say whether {size} is offered in {region}; check "
                            f"`az vm list-skus --location {region} --size {size}` and add it to vm_sizes.csv")
    yield from _disks(resource, size)
    yield from _licence(resource)


def _disks(resource: Resource, size: Any) -> Iterator[Violation]:
    known_size = vm_sizes().get(size) if known(size) else None
    if known_size is None or known_size.premium_storage:
        return
    storage = resource.inputs.get("storageProfile") or {}
    disks: list[tuple[tuple, Any]] = [(("storageProfile", "osDisk"), storage.get("osDisk"))]
    disks += [(("storageProfile", "dataDisks", number), disk) for number, disk in
              enumerate(storage.get("dataDisks") or [])]
    for parts, disk in disks:
        sku = ((disk or {}).get("managedDisk") or {}).get("storageAccountType") if isinstance(disk, Mapping) else None
        if known(sku) and sku.startswith(PREMIUM_PREFIXES):
            yield Violation(NAME, MANDATORY, resource.urn, resource.type,
                            json_path("inputs", *parts, "managedDisk", "storageAccountType"), sku,
                            f"{size} does not support premium storage, so it cannot attach a {sku} disk; choose an "
                            f"'s' size (e.g. Standard_D2s_v5) or StandardSSD_LRS")


def _licence(resource: Resource) -> Iterator[Violation]:
    licence = resource.inputs.get("licenseType")
    if not known(licence) or licence not in LICENCES:
        return
    needs, publisher = LICENCES[licence]
    image = ((resource.inputs.get("storageProfile") or {}).get("imageReference") or {})
    if publisher is None:
        ok = os_family(resource.inputs) == "windows"
    else:
        ok = publisher in str(image.get("publisher", "")).lower()
    if not ok:
        shown = "/".join(str(image.get(key, "?")) for key in ("publisher", "offer", "sku")) or "no image"
        yield Violation(NAME, MANDATORY, resource.urn, resource.type, "inputs.licenseType", licence,
                        f"licence type {licence} needs a {needs} image but the image is {shown}; set hybrid_benefit: "
                        f"false for this server or give it the matching OS")
