"""Deterministic ARM-shaped resource IDs for the mock runtime (what Azure would assign, under a zero subscription)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000"
TENANT_ID = "00000000-0000-0000-0000-000000000000"
SUBSCRIPTION = f"/subscriptions/{SUBSCRIPTION_ID}"

# type token -> (provider path under the resource group, the inputs that fill it in).
_UNDER_GROUP: dict[str, tuple[str, tuple[str, ...]]] = {
    "azure-native:network:VirtualNetwork": ("Microsoft.Network/virtualNetworks/{}", ("virtualNetworkName",)),
    "azure-native:network:Subnet": ("Microsoft.Network/virtualNetworks/{}/subnets/{}",
                                    ("virtualNetworkName", "subnetName")),
    "azure-native:network:NetworkSecurityGroup": ("Microsoft.Network/networkSecurityGroups/{}",
                                                  ("networkSecurityGroupName",)),
    "azure-native:network:NetworkInterface": ("Microsoft.Network/networkInterfaces/{}", ("networkInterfaceName",)),
    "azure-native:network:PublicIPAddress": ("Microsoft.Network/publicIPAddresses/{}", ("publicIpAddressName",)),
    "azure-native:network:ExpressRouteCircuit": ("Microsoft.Network/expressRouteCircuits/{}", ("circuitName",)),
    "azure-native:network:VirtualNetworkGateway": ("Microsoft.Network/virtualNetworkGateways/{}",
                                                   ("virtualNetworkGatewayName",)),
    "azure-native:network:VirtualNetworkGatewayConnection": ("Microsoft.Network/connections/{}",
                                                             ("virtualNetworkGatewayConnectionName",)),
    "azure-native:compute:VirtualMachine": ("Microsoft.Compute/virtualMachines/{}", ("vmName",)),
    "azure-native:operationalinsights:Workspace": ("Microsoft.OperationalInsights/workspaces/{}", ("workspaceName",)),
    "azure-native:keyvault:Vault": ("Microsoft.KeyVault/vaults/{}", ("vaultName",)),
    "azure-native:recoveryservices:Vault": ("Microsoft.RecoveryServices/vaults/{}", ("vaultName",)),
    "azure-native:recoveryservices:ProtectionPolicy": ("Microsoft.RecoveryServices/vaults/{}/backupPolicies/{}",
                                                       ("vaultName", "policyName")),
    "azure-native:recoveryservices:ProtectedItem": (
        "Microsoft.RecoveryServices/vaults/{}/backupFabrics/{}/protectionContainers/{}/protectedItems/{}",
        ("vaultName", "fabricName", "containerName", "protectedItemName")),
}
# type token -> (provider path under the resource's `scope` input, the input naming it).
_UNDER_SCOPE: dict[str, tuple[str, str]] = {
    "azure-native:authorization:PolicyAssignment": ("Microsoft.Authorization/policyAssignments",
                                                    "policyAssignmentName"),
    "azure-native:consumption:Budget": ("Microsoft.Consumption/budgets", "budgetName"),
}


def id_inputs(type_token: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the name inputs, the id inputs) that `arm_id` builds this type's id from."""
    if type_token == "azure-native:resources:ResourceGroup":
        return ("resourceGroupName",), ()
    if type_token in _UNDER_SCOPE:
        return (_UNDER_SCOPE[type_token][1],), ("scope",)
    return ("resourceGroupName", *_UNDER_GROUP.get(type_token, ("", ()))[1]), ()


def arm_id(type_token: str, name: str, inputs: Mapping[str, Any]) -> str:
    """The ID Azure would give this resource; `name` (the Pulumi name) fills any name input that is missing."""
    if type_token == "azure-native:resources:ResourceGroup":
        return f"{SUBSCRIPTION}/resourceGroups/{inputs.get('resourceGroupName') or name}"
    if type_token in _UNDER_SCOPE:
        path, key = _UNDER_SCOPE[type_token]
        scope = str(inputs.get("scope") or SUBSCRIPTION).rstrip("/")
        return f"{scope}/providers/{path}/{inputs.get(key) or name}"
    group = f"{SUBSCRIPTION}/resourceGroups/{inputs.get('resourceGroupName') or 'unknown'}/providers/"
    if type_token in _UNDER_GROUP:
        path, keys = _UNDER_GROUP[type_token]
        return group + path.format(*(inputs.get(key) or name for key in keys))
    # Any other azure-native type: azure-native:<module>:<Type> -> Microsoft.<Module>/<types>/<name>.
    _, module, kind = [*type_token.split(":"), "", ""][:3]
    return group + f"Microsoft.{module.capitalize()}/{kind[:1].lower()}{kind[1:]}s/{name}"
