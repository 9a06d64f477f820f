"""A plan Azure would accept first time (every azure-preflight rule passes), to change one property at a time."""

from __future__ import annotations

import copy
from typing import Any

from estate.foundation.plan import UNKNOWN, Plan
from policies.plan_check import check_plan
from policies.rules import RULES
from policies.rules.base import GuardrailSettings
from tests.guardrail_plans import make_plan, step, urn

SUB = "/subscriptions/00000000-0000-0000-0000-000000000000"
RG = "rg-lcc-connectivity-uks"
NET = f"{SUB}/resourceGroups/{RG}/providers/Microsoft.Network"
WORKLOAD_SUBNET = f"{NET}/virtualNetworks/vnet-lcc-hub-uks/subnets/workloads"
GATEWAY_SUBNET = f"{NET}/virtualNetworks/vnet-lcc-hub-uks/subnets/GatewaySubnet"
NIC_ID = f"{NET}/networkInterfaces/nic-lcc-web-01"
VM_ID = f"{SUB}/resourceGroups/{RG}/providers/Microsoft.Compute/virtualMachines/lcc-web-01"
CIRCUIT_ID = f"{NET}/expressRouteCircuits/erc-lcc-london"
GATEWAY_ID = f"{NET}/virtualNetworkGateways/vgw-lcc-er-uks"


def base_steps() -> dict[str, dict[str, Any]]:
    """name -> step: hub VNet and subnets, a NIC and VM with backup, an existing circuit, its peering, gateway and
    connection, all in uksouth."""
    steps = {
        "rg": ("azure-native:resources:ResourceGroup", {"resourceGroupName": RG, "location": "uksouth"}),
        "vnet": ("azure-native:network:VirtualNetwork", {"virtualNetworkName": "vnet-lcc-hub-uks",
                 "resourceGroupName": RG, "location": "uksouth",
                 "addressSpace": {"addressPrefixes": ["10.60.0.0/16"]}}),
        "snet-gw": ("azure-native:network:Subnet", {"subnetName": "GatewaySubnet", "virtualNetworkName":
                    "vnet-lcc-hub-uks", "resourceGroupName": RG, "addressPrefix": "10.60.0.0/27"}),
        "snet-workloads": ("azure-native:network:Subnet", {"subnetName": "workloads", "virtualNetworkName":
                           "vnet-lcc-hub-uks", "resourceGroupName": RG, "addressPrefix": "10.60.1.0/24"}),
        "nic": ("azure-native:network:NetworkInterface", {"networkInterfaceName": "nic-lcc-web-01",
                "resourceGroupName": RG, "location": "uksouth",
                "ipConfigurations": [{"name": "ipconfig1", "subnet": {"id": WORKLOAD_SUBNET}}]}),
        "vm": ("azure-native:compute:VirtualMachine", {
            "vmName": "lcc-web-01", "resourceGroupName": RG, "location": "uksouth",
            "hardwareProfile": {"vmSize": "Standard_D2s_v5"}, "licenseType": "Windows_Server",
            "osProfile": {"computerName": "lcc-web-01", "adminUsername": "estateadmin"},
            "storageProfile": {
                "imageReference": {"publisher": "MicrosoftWindowsServer", "offer": "WindowsServer",
                                   "sku": "2022-datacenter-azure-edition", "version": "latest"},
                "osDisk": {"name": "osdisk-lcc-web-01", "createOption": "FromImage",
                           "managedDisk": {"storageAccountType": "Premium_LRS"}},
                "dataDisks": [{"lun": 0, "name": "disk-lcc-web-01-data-00", "createOption": "Empty",
                               "managedDisk": {"storageAccountType": "StandardSSD_LRS"}}]},
            "networkProfile": {"networkInterfaces": [{"id": NIC_ID, "primary": True}]}}),
        "rsv": ("azure-native:recoveryservices:Vault", {"vaultName": "rsv-lcc-backup-uks", "resourceGroupName": RG,
                "location": "uksouth", "sku": {"name": "Standard"}}),
        "backup": ("azure-native:recoveryservices:ProtectedItem", {
            "vaultName": "rsv-lcc-backup-uks", "resourceGroupName": RG, "fabricName": "Azure", "location": "uksouth",
            "containerName": f"IaasVMContainer;iaasvmcontainerv2;{RG};lcc-web-01",
            "protectedItemName": f"VM;iaasvmcontainerv2;{RG};lcc-web-01",
            "properties": {"protectedItemType": "Microsoft.Compute/virtualMachines", "sourceResourceId": VM_ID}}),
        "kv": ("azure-native:keyvault:Vault", {"vaultName": "kv-lcc-platform-uks", "resourceGroupName": RG,
               "location": "uksouth"}),
        "circuit": ("azure-native:network:ExpressRouteCircuit", {
            "circuitName": "erc-lcc-london", "resourceGroupName": RG, "location": "uksouth",
            "sku": {"name": "Standard_MeteredData", "tier": "Standard", "family": "MeteredData"},
            "serviceProviderProperties": {"serviceProviderName": "Jisc", "peeringLocation": "London",
                                          "bandwidthInMbps": 1000}}),
        "peering": ("azure-native:network:ExpressRouteCircuitPeering", {
            "circuitName": "erc-lcc-london", "resourceGroupName": RG, "peeringName": "AzurePrivatePeering",
            "peeringType": "AzurePrivatePeering", "peerASN": 65010, "vlanId": 100,
            "primaryPeerAddressPrefix": "192.168.100.0/30", "secondaryPeerAddressPrefix": "192.168.100.4/30"}),
        "gateway": ("azure-native:network:VirtualNetworkGateway", {
            "virtualNetworkGatewayName": "vgw-lcc-er-uks", "resourceGroupName": RG, "location": "uksouth",
            "gatewayType": "ExpressRoute", "sku": {"name": "ErGw1AZ", "tier": "ErGw1AZ"},
            "ipConfigurations": [{"name": "default", "subnet": {"id": GATEWAY_SUBNET}}]}),
        "connection": ("azure-native:network:VirtualNetworkGatewayConnection", {
            "virtualNetworkGatewayConnectionName": "con-lcc-er-london", "resourceGroupName": RG,
            "location": "uksouth", "connectionType": "ExpressRoute", "routingWeight": 0,
            "peer": {"id": CIRCUIT_ID}, "virtualNetworkGateway1": {"id": GATEWAY_ID}}),
    }
    # The circuit already exists (provisioned by the provider after an earlier update): `same`.
    return {name: step(kind, name, copy.deepcopy(inputs), op="same" if name == "circuit" else "create")
            for name, (kind, inputs) in steps.items()}


def inputs(steps: dict[str, dict[str, Any]], name: str) -> dict[str, Any]:
    return steps[name]["newState"]["inputs"]


def plan_of(steps: dict[str, dict[str, Any]]) -> Plan:
    return make_plan(*steps.values())


def findings(steps: dict[str, dict[str, Any]], rule: str) -> list[tuple[str, str, object, str, str]]:
    """(resource name, enforcement, value, path, message) of every violation of `rule`."""
    result = check_plan(plan_of(steps), GuardrailSettings(), [RULES[rule]])
    return [(v.urn.rsplit("::", 1)[-1], v.enforcement, v.value, v.path, v.message) for v in result.violations]


def urn_of(name: str, kind: str) -> str:
    return urn("platform", kind, name)


def from_the_plan(steps: dict[str, dict[str, Any]], name: str, path: tuple[str | int, ...], origin: str) -> None:
    """Make input `path` of `name` what a first `pulumi preview` shows when it is the id (or name output) of
    `origin`, which the same plan creates: Pulumi's unknown sentinel, its top-level input depending on `origin`
    (`propertyDependencies`, and `dependencies`), as the engine records it."""
    node: Any = inputs(steps, name)
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = UNKNOWN
    state, origin_urn = steps[name]["newState"], steps[origin]["urn"]
    by_input = state.setdefault("propertyDependencies", {}).setdefault(str(path[0]), [])
    if origin_urn not in by_input:
        by_input.append(origin_urn)
    if origin_urn not in state.setdefault("dependencies", []):
        state["dependencies"].append(origin_urn)


# (resource, input path, the resource of the plan it comes from): every reference of `base_steps` between two
# resources the plan creates (the circuit exists already, so a real preview knows its id and name).
FIRST_PREVIEW_REFERENCES = (
    ("vnet", ("resourceGroupName",), "rg"),
    ("snet-gw", ("resourceGroupName",), "rg"),
    ("snet-workloads", ("resourceGroupName",), "rg"),
    ("snet-gw", ("virtualNetworkName",), "vnet"),
    ("snet-workloads", ("virtualNetworkName",), "vnet"),
    ("nic", ("ipConfigurations", 0, "subnet", "id"), "snet-workloads"),
    ("vm", ("networkProfile", "networkInterfaces", 0, "id"), "nic"),
    ("backup", ("vaultName",), "rsv"),
    ("backup", ("properties", "sourceResourceId"), "vm"),
    ("gateway", ("ipConfigurations", 0, "subnet", "id"), "snet-gw"),
    ("connection", ("virtualNetworkGateway1", "id"), "gateway"),
)


def first_preview(steps: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """`steps` as a real first preview shows them: every id or name of a resource the plan creates is unknown."""
    for name, path, origin in FIRST_PREVIEW_REFERENCES:
        if name in steps and origin in steps:
            from_the_plan(steps, name, path, origin)
    return steps
