"""azure-preflight-regions: what Azure requires to share a region does.

A NIC and its subnet's virtual network; a VM and its NICs and managed disks; a protected VM and its Recovery
Services vault; a virtual network gateway and its virtual network (`InvalidResourceReference`,
`BMSUserErrorInvalidSourceResourceLocation` and kin at deployment). A reference unknown until deployment (the id
of a resource the same plan creates) is the resource its input depends on (`index.py`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from policies.rules.base import MANDATORY, GuardrailSettings, PlanContext, Resource, Violation, json_path
from policies.rules.preflight.index import PlanIndex, location, plan_index

SUBNET = frozenset({"azure-native:network:Subnet"})
NIC = frozenset({"azure-native:network:NetworkInterface"})
DISK = frozenset({"azure-native:compute:Disk"})
VM = frozenset({"azure-native:compute:VirtualMachine"})

NAME = "azure-preflight-regions"
DESCRIPTION = ("A NIC is in its subnet's VNet region, a VM in its NICs' and disks' region, a backed-up VM in its "
               "vault's region, a gateway in its VNet's region.")
REMEDIATION = ("place both in one region: a spoke VNet (and subnet) in the wave's region for its NICs, a "
               "Recovery Services vault in each region that has backed-up VMs")


def _subnet_region(index: PlanIndex, resource: Resource, subnet_id: Any) -> tuple[str | None, Resource | None]:
    subnet = index.referenced(resource, "ipConfigurations", subnet_id, SUBNET)
    if subnet is None:
        return None, None
    vnet = index.parent_of_subnet(subnet)
    return (location(vnet), vnet) if vnet is not None else (None, None)


def _mismatch(resource: Resource, path: str, value: Any, own: str, other: Resource, other_region: str,
              what: str) -> Violation:
    return Violation(NAME, MANDATORY, resource.urn, resource.type, path, value,
                     f"{resource.type.rsplit(':', 1)[-1]} in {own} but its {what} {other.urn} is in {other_region}; "
                     f"Azure refuses resources in different regions here; {REMEDIATION}")


def check(resource: Resource, settings: GuardrailSettings, context: PlanContext) -> Iterator[Violation]:
    own = location(resource)
    if own is None:
        return
    index = plan_index(context)
    inputs = resource.inputs
    if resource.type == "azure-native:network:NetworkInterface":
        for number, configuration in enumerate(inputs.get("ipConfigurations") or []):
            subnet_id = ((configuration or {}).get("subnet") or {}).get("id")
            region, vnet = _subnet_region(index, resource, subnet_id)
            if vnet is not None and region and region != own:
                yield _mismatch(resource, json_path("inputs", "ipConfigurations", number, "subnet", "id"), subnet_id,
                                own, vnet, region, "subnet's virtual network")
    elif resource.type == "azure-native:network:VirtualNetworkGateway":
        for number, configuration in enumerate(inputs.get("ipConfigurations") or []):
            subnet_id = ((configuration or {}).get("subnet") or {}).get("id")
            region, vnet = _subnet_region(index, resource, subnet_id)
            if vnet is not None and region and region != own:
                yield _mismatch(resource, json_path("inputs", "ipConfigurations", number, "subnet", "id"), subnet_id,
                                own, vnet, region, "virtual network")
    elif resource.type == "azure-native:compute:VirtualMachine":
        network = (inputs.get("networkProfile") or {}).get("networkInterfaces") or []
        for number, reference in enumerate(network):
            nic = index.referenced(resource, "networkProfile", (reference or {}).get("id"), NIC)
            region = location(nic) if nic is not None else None
            if nic is not None and region and region != own:
                yield _mismatch(resource, json_path("inputs", "networkProfile", "networkInterfaces", number, "id"),
                                reference.get("id"), own, nic, region, "network interface")
        storage = inputs.get("storageProfile") or {}
        disks = [("osDisk", None, storage.get("osDisk"))] + [
            ("dataDisks", number, disk) for number, disk in enumerate(storage.get("dataDisks") or [])]
        for key, number, disk in disks:
            disk_id = ((disk or {}).get("managedDisk") or {}).get("id")
            attached = index.referenced(resource, "storageProfile", disk_id, DISK)
            region = location(attached) if attached is not None else None
            if attached is not None and region and region != own:
                parts = ("storageProfile", key) + ((number,) if number is not None else ()) + ("managedDisk", "id")
                yield _mismatch(resource, json_path("inputs", *parts), disk_id, own, attached, region,
                                "managed disk")
    elif resource.type == "azure-native:recoveryservices:ProtectedItem":
        yield from _protected_item(resource, index, own)


def _protected_item(resource: Resource, index: PlanIndex, own: str) -> Iterator[Violation]:
    inputs = resource.inputs
    properties = inputs.get("properties") or {}
    source = index.referenced(resource, "properties", properties.get("sourceResourceId"), VM)
    vault_key = (f"resourcegroups/{index.name_of(resource, 'resourceGroupName')}/providers/"
                 f"microsoft.recoveryservices/vaults/{index.name_of(resource, 'vaultName')}").lower()
    vault = index.key_anywhere(vault_key)
    vm_region = location(source) if source is not None else own
    if vault is not None and vm_region and location(vault) and location(vault) != vm_region:
        who = source.urn if source is not None else "the VM"
        yield Violation(NAME, MANDATORY, resource.urn, resource.type, "inputs.vaultName", inputs.get("vaultName"),
                        f"{who} is in {vm_region} but its Recovery Services vault {vault.urn} is in "
                        f"{location(vault)}; Azure Backup protects a VM only from a vault in the VM's region; "
                        f"{REMEDIATION}")
    elif vault is None and source is not None and vm_region and own != vm_region:
        yield Violation(NAME, MANDATORY, resource.urn, resource.type, "inputs.location", inputs.get("location"),
                        f"protected item in {own} but its VM {source.urn} is in {vm_region}; the backup goes to a "
                        f"vault in the VM's region; {REMEDIATION}")
