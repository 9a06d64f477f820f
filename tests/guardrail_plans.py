"""Hand-made plans in the shape `estate synth` and `pulumi preview --json` write (see the plan contract)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from estate.foundation.plan import UNKNOWN, Plan, parse_plan

PROJECT = "estate"
PLATFORM_TAGS = {"business-case-line": "azure-costs-sungard", "wave": "platform", "cost-centre": "IMT",
                 "owner": "imt-cloud-platform", "environment": "production", "programme": "IMT418"}
SERVER_TAGS = {**PLATFORM_TAGS, "wave": "pilot", "application": "intranet", "migration-strategy": "rehost",
               "reservation": "3y"}


def urn(stack: str, type_token: str, name: str, parent_type: str | None = None) -> str:
    chain = f"{parent_type}${type_token}" if parent_type else type_token
    return f"urn:pulumi:{stack}::{PROJECT}::{chain}::{name}"


def default_provider(stack: str, location: str | None = "uksouth") -> dict[str, Any]:
    inputs = {"version": "3.29.0"}
    if location is not None:
        inputs["location"] = location
    return step("pulumi:providers:azure-native", "default_3_29_0", inputs, stack=stack, provider=False)


def step(type_token: str, name: str, inputs: dict[str, Any], *, op: str = "create", stack: str = "platform",
         parent: str | None = None, provider: str | bool | None = None, custom: bool = True) -> dict[str, Any]:
    """One preview step; `provider` names the provider resource's URN (default: the stack's default provider)."""
    parent_type = parent.split("::")[2].rsplit("$", 1)[-1] if parent else None
    resource_urn = urn(stack, type_token, name, parent_type)
    state = {"urn": resource_urn, "custom": custom, "type": type_token, "inputs": inputs,
             "parent": parent or f"urn:pulumi:{stack}::{PROJECT}::pulumi:pulumi:Stack::{PROJECT}-{stack}"}
    if provider is None:
        provider = urn(stack, "pulumi:providers:azure-native", "default_3_29_0")
    document = {"op": op, "urn": resource_urn}
    if provider:
        state["provider"] = f"{provider}::{UNKNOWN}"
        document["provider"] = state["provider"]
    document["oldState" if op in ("delete", "discard") else "newState"] = state
    return document


def plan_text(*steps: dict[str, Any], config: dict[str, Any] | None = None) -> str:
    config = {"azure-native:location": "uksouth", "estate:estateFile": "stacks/estate.yaml"} if config is None \
        else config
    summary: dict[str, int] = {}
    for each in steps:
        summary[each["op"]] = summary.get(each["op"], 0) + 1
    return json.dumps({"config": config, "steps": list(steps), "changeSummary": summary}, indent=2)


def make_plan(*steps: dict[str, Any], config: dict[str, Any] | None = None) -> Plan:
    return parse_plan(plan_text(*steps, config=config), "plan.json")


def write_plan(path: Path, *steps: dict[str, Any], config: dict[str, Any] | None = None) -> Path:
    path.write_text(plan_text(*steps, config=config), encoding="utf-8")
    return path


def vm(name: str = "vm-lcc-intra-01", *, stack: str = "wave-pilot", sku: str = "2016-Datacenter",
       offer: str = "WindowsServer", publisher: str = "MicrosoftWindowsServer", tags: dict[str, str] | None = None,
       **extra: Any) -> dict[str, Any]:
    inputs = {
        "vmName": name, "resourceGroupName": "rg-lcc-wave-pilot", "location": "uksouth",
        "hardwareProfile": {"vmSize": "Standard_D2s_v3"},
        "storageProfile": {
            "imageReference": {"publisher": publisher, "offer": offer, "sku": sku, "version": "latest"},
            "osDisk": {"createOption": "FromImage", "diskSizeGB": 128,
                       "managedDisk": {"storageAccountType": "StandardSSD_LRS"}},
            "dataDisks": [],
        },
        "osProfile": {"computerName": name[3:18]},
        "networkProfile": {"networkInterfaces": [{"id": UNKNOWN}]},
        "licenseType": "Windows_Server",
        "diagnosticsProfile": {"bootDiagnostics": {"enabled": True}},
        "tags": dict(SERVER_TAGS if tags is None else tags),
    }
    inputs.update(extra)
    return step("azure-native:compute:VirtualMachine", name, inputs, stack=stack)


def nic(name: str = "nic-lcc-intra-01", *, stack: str = "wave-pilot", public_ip: Any = None) -> dict[str, Any]:
    configuration: dict[str, Any] = {"name": "ipconfig1", "subnet": {"id": UNKNOWN}}
    if public_ip is not None:
        configuration["publicIPAddress"] = public_ip
    return step("azure-native:network:NetworkInterface", name,
                {"networkInterfaceName": name, "resourceGroupName": "rg-lcc-wave-pilot", "location": "uksouth",
                 "ipConfigurations": [configuration], "tags": dict(SERVER_TAGS)}, stack=stack)


def resource_group(name: str = "rg-lcc-platform", location: str | None = "uksouth", **extra: Any) -> dict[str, Any]:
    inputs: dict[str, Any] = {"resourceGroupName": name, "tags": dict(PLATFORM_TAGS), **extra}
    if location is not None:
        inputs["location"] = location
    return step("azure-native:resources:ResourceGroup", name, inputs)


def platform_plan_steps(gateway_parent: str | None = None) -> list[dict[str, Any]]:
    """A compliant platform stack: hub network, ExpressRoute circuit and gateway (with its public IP), vaults."""
    connectivity = urn("platform", "estate:connectivity:ExpressRoute", "lcc-expressroute")
    parent = gateway_parent or connectivity
    return [
        default_provider("platform"),
        step("estate:connectivity:ExpressRoute", "lcc-expressroute", {}, custom=False, provider=False),
        resource_group(),
        step("azure-native:network:VirtualNetwork", "vnet-lcc-hub",
             {"virtualNetworkName": "vnet-lcc-hub", "resourceGroupName": "rg-lcc-platform", "location": "uksouth",
              "addressSpace": {"addressPrefixes": ["10.60.0.0/16"]}, "tags": dict(PLATFORM_TAGS)}),
        step("azure-native:network:Subnet", "snet-gateway",
             {"subnetName": "GatewaySubnet", "virtualNetworkName": "vnet-lcc-hub",
              "resourceGroupName": "rg-lcc-platform", "addressPrefix": "10.60.0.0/27"}),
        step("azure-native:network:ExpressRouteCircuit", "erc-lcc",
             {"circuitName": "erc-lcc", "resourceGroupName": "rg-lcc-platform", "location": "uksouth",
              "sku": {"name": "Standard_MeteredData", "tier": "Standard", "family": "MeteredData"},
              "serviceProviderProperties": {"serviceProviderName": "Jisc", "peeringLocation": "London",
                                            "bandwidthInMbps": 1000},
              "tags": dict(PLATFORM_TAGS)}, parent=connectivity),
        step("azure-native:network:PublicIPAddress", "pip-lcc-ergw",
             {"publicIpAddressName": "pip-lcc-ergw", "resourceGroupName": "rg-lcc-platform", "location": "uksouth",
              "sku": {"name": "Standard"}, "publicIPAllocationMethod": "Static", "tags": dict(PLATFORM_TAGS)},
             parent=parent),
        step("azure-native:network:VirtualNetworkGateway", "vgw-lcc-er",
             {"virtualNetworkGatewayName": "vgw-lcc-er", "resourceGroupName": "rg-lcc-platform",
              "location": "uksouth", "gatewayType": "ExpressRoute", "sku": {"name": "ErGw1AZ", "tier": "ErGw1AZ"},
              "ipConfigurations": [{"name": "default", "publicIPAddress": {"id": UNKNOWN},
                                    "subnet": {"id": UNKNOWN}}],
              "tags": dict(PLATFORM_TAGS)}, parent=connectivity),
        step("azure-native:recoveryservices:Vault", "rsv-lcc",
             {"vaultName": "rsv-lcc", "resourceGroupName": "rg-lcc-platform", "location": "uksouth",
              "sku": {"name": "Standard"},
              "properties": {"redundancySettings": {"standardTierStorageRedundancy": "GeoRedundant",
                                                    "crossRegionRestore": "Enabled"}},
              "tags": dict(PLATFORM_TAGS)}),
        step("azure-native:authorization:PolicyAssignment", "allowed-locations",
             {"policyAssignmentName": "allowed-locations", "scope": "/subscriptions/0000",
              "policyDefinitionId": "/providers/Microsoft.Authorization/policyDefinitions/"
                                    "e56962a6-4747-49cd-b67b-bf8b01975c4c",
              "parameters": {"listOfAllowedLocations": {"value": ["uksouth", "ukwest"]}}}),
    ]


def example_wave_steps(estate: Any, wave: Any) -> list[dict[str, Any]]:
    """A wave stack of the example estate as the plan contract describes it: per server a NIC, a VM
    (Marketplace image of its OS, inline disks) and a backup protected item, all tagged."""
    stack = wave.stack
    group = f"rg-{estate.organisation.short_name}-{stack}"
    steps = [default_provider(stack), step("azure-native:resources:ResourceGroup", group, {
        "resourceGroupName": group, "location": estate.primary_region,
        "tags": estate.tags_for(business_case_line=estate.landing_zone.business_case_line, wave=wave.name)},
        stack=stack)]
    for server in estate.servers(wave):
        system = server.vm.operating_system
        tags = estate.tags_for(business_case_line=server.vm.business_case_line, wave=wave.name,
                               application=server.vm.application, migration_strategy=server.vm.strategy,
                               reservation=server.vm.reservation, cost_centre=server.vm.cost_centre)
        common = {"resourceGroupName": group, "location": server.region, "tags": tags}
        steps.append(step("azure-native:network:NetworkInterface", f"nic-{server.name}", {
            **common, "networkInterfaceName": f"nic-{server.name}",
            "ipConfigurations": [{"name": "ipconfig1", "subnet": {"id": UNKNOWN}}]}, stack=stack))
        steps.append(step("azure-native:compute:VirtualMachine", f"vm-{server.name}", {
            **common, "vmName": f"vm-{server.name}", "hardwareProfile": {"vmSize": server.vm.size},
            "storageProfile": {
                "imageReference": {"publisher": system.image_publisher, "offer": system.image_offer,
                                   "sku": system.image_sku, "version": "latest"},
                "osDisk": {"createOption": "FromImage", "diskSizeGB": server.vm.os_disk.size_gb,
                           "managedDisk": {"storageAccountType": server.vm.os_disk.sku}},
                "dataDisks": [{"lun": lun, "createOption": "Empty", "diskSizeGB": disk.size_gb,
                               "managedDisk": {"storageAccountType": disk.sku}}
                              for lun, disk in enumerate(server.vm.data_disks)]},
            "osProfile": {"computerName": server.name},
            "networkProfile": {"networkInterfaces": [{"id": UNKNOWN}]}}, stack=stack))
        steps.append(step("azure-native:recoveryservices:ProtectedItem", f"backup-{server.name}", {
            "protectedItemName": f"vm;iaasvmcontainerv2;{group};vm-{server.name}", "vaultName": "rsv-lcc",
            "resourceGroupName": "rg-lcc-platform", "location": server.region,
            "properties": {"protectedItemType": "Microsoft.Compute/virtualMachines", "sourceResourceId": UNKNOWN,
                           "policyId": UNKNOWN},
            "tags": estate.tags_for(business_case_line=server.vm.business_case_line, wave=wave.name)},
            stack=stack))
    return steps
