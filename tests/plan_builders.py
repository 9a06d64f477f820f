"""Hand-made plans in the shape `estate synth` writes (see briefs' plan contract), for costing tests and benches."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PROVIDER = "urn:pulumi:{stack}::estate::pulumi:providers:azure-native::default::0001"


def step(stack: str, type_token: str, name: str, inputs: dict[str, Any], *, op: str = "create",
         parent_chain: str = "") -> dict[str, Any]:
    """One plan step for a custom resource."""
    chain = f"{parent_chain}${type_token}" if parent_chain else type_token
    urn = f"urn:pulumi:{stack}::estate::{chain}::{name}"
    state = {"urn": urn, "custom": True, "type": type_token, "inputs": inputs,
             "provider": PROVIDER.format(stack=stack)}
    result: dict[str, Any] = {"op": op, "urn": urn, "provider": PROVIDER.format(stack=stack)}
    result["oldState" if op == "delete" else "newState"] = state
    return result


def tags(wave: str, line: str = "azure-costs-sungard", **extra: str) -> dict[str, str]:
    return {"business-case-line": line, "wave": wave, "cost-centre": "IMT", **extra}


def vm_inputs(name: str, *, size: str = "Standard_D2s_v3", os: str = "windows", hybrid: bool = True,
              reservation: str = "none", wave: str = "pilot", region: str = "uksouth",
              os_disk_gb: int = 128, data_disks: list[tuple[int, str]] | None = None) -> dict[str, Any]:
    images = {
        "windows": {"publisher": "MicrosoftWindowsServer", "offer": "WindowsServer", "sku": "2016-Datacenter",
                    "version": "latest"},
        "ubuntu": {"publisher": "Canonical", "offer": "0001-com-ubuntu-server-jammy", "sku": "22_04-lts-gen2",
                   "version": "latest"},
        "rhel": {"publisher": "RedHat", "offer": "RHEL", "sku": "7-LVM", "version": "latest"},
    }
    inputs: dict[str, Any] = {
        "vmName": name, "location": region, "hardwareProfile": {"vmSize": size},
        "storageProfile": {
            "imageReference": images[os],
            "osDisk": {"createOption": "FromImage", "diskSizeGB": os_disk_gb,
                       "managedDisk": {"storageAccountType": "StandardSSD_LRS"}},
            "dataDisks": [{"lun": lun, "createOption": "Empty", "diskSizeGB": size_gb,
                           "managedDisk": {"storageAccountType": sku}}
                          for lun, (size_gb, sku) in enumerate(data_disks or [])],
        },
        "osProfile": {"computerName": name},
        "networkProfile": {"networkInterfaces": [{"id": "04da6b54-80e4-46f7-96ec-b56ff0331ba9"}]},
        "tags": tags(wave, application="app", **{"migration-strategy": "rehost", "reservation": reservation}),
    }
    if hybrid and os == "windows":
        inputs["licenseType"] = "Windows_Server"
    return inputs


def plan(stack: str, steps: list[dict[str, Any]], location: str = "uksouth",
         estate_file: str | None = None) -> dict[str, Any]:
    config: dict[str, Any] = {"azure-native:location": location}
    if estate_file:
        config["estate:estateFile"] = estate_file
    summary: dict[str, int] = {}
    for each in steps:
        summary[each["op"]] = summary.get(each["op"], 0) + 1
    return {"config": config, "steps": steps, "changeSummary": summary}


def platform_plan(estate_file: str | None = None) -> dict[str, Any]:
    stack = "platform"
    line = "azure-costs-sungard"
    t = tags("platform", line)
    steps = [
        step(stack, "azure-native:resources:ResourceGroup", "rg-hub", {"resourceGroupName": "rg-lcc-hub",
                                                                         "location": "uksouth", "tags": t}),
        step(stack, "azure-native:network:VirtualNetwork", "vnet-hub", {"virtualNetworkName": "vnet-lcc-hub",
             "location": "uksouth", "addressSpace": {"addressPrefixes": ["10.60.0.0/16"]}, "tags": t}),
        step(stack, "azure-native:operationalinsights:Workspace", "log", {"workspaceName": "log-lcc",
             "location": "uksouth", "sku": {"name": "PerGB2018"}, "retentionInDays": 90, "tags": t}),
        step(stack, "azure-native:keyvault:Vault", "kv", {"vaultName": "kv-lcc", "location": "uksouth",
             "properties": {"sku": {"name": "standard"}}, "tags": t}),
        step(stack, "azure-native:recoveryservices:Vault", "rsv", {"vaultName": "rsv-lcc", "location": "uksouth",
             "sku": {"name": "Standard"}, "properties": {"redundancySettings": {
                 "standardTierStorageRedundancy": "GeoRedundant", "crossRegionRestore": "Enabled"}}, "tags": t}),
        step(stack, "azure-native:network:ExpressRouteCircuit", "er", {"circuitName": "er-lcc", "location": "uksouth",
             "sku": {"name": "Standard_MeteredData", "tier": "Standard", "family": "MeteredData"},
             "serviceProviderProperties": {"serviceProviderName": "Jisc", "peeringLocation": "London",
                                           "bandwidthInMbps": 1000}, "tags": t}),
        step(stack, "azure-native:network:PublicIPAddress", "pip-ergw", {"publicIpAddressName": "pip-ergw",
             "location": "uksouth", "sku": {"name": "Standard"}, "publicIPAllocationMethod": "Static", "tags": t}),
        step(stack, "azure-native:network:VirtualNetworkGateway", "ergw", {"virtualNetworkGatewayName": "ergw",
             "location": "uksouth", "gatewayType": "ExpressRoute", "sku": {"name": "ErGw1AZ", "tier": "ErGw1AZ"},
             "tags": t}),
        step(stack, "azure-native:authorization:PolicyAssignment", "allowed-locations", {
             "policyAssignmentName": "allowed-locations", "scope": "/subscriptions/x",
             "policyDefinitionId": "/providers/Microsoft.Authorization/policyDefinitions/e56962a6"}),
    ]
    return plan(stack, steps, estate_file=estate_file)


def write_plan(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return path
