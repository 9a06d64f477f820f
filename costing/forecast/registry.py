"""The one registry of cost functions by Pulumi type token, and the explicit list of types that cost nothing.

A type in neither is *unsupported*: its resources are listed as unpriced, never counted as free.
"""

from __future__ import annotations

from costing.forecast import resources_compute, resources_network, resources_services  # noqa: F401  (register)
from costing.forecast.model import COST_FUNCTIONS, USAGE_KEYS, CostComponent, Resource

# Azure bills nothing for these themselves (their traffic or contents are billed elsewhere).
FREE_TYPES = frozenset({
    "azure-native:resources:ResourceGroup",
    "azure-native:network:VirtualNetwork",
    "azure-native:network:Subnet",
    "azure-native:network:NetworkSecurityGroup",
    "azure-native:network:NetworkInterface",
    "azure-native:network:RouteTable",
    "azure-native:network:VirtualNetworkPeering",
    "azure-native:network:VirtualNetworkGatewayConnection",
    "azure-native:authorization:PolicyAssignment",
    "azure-native:authorization:RoleAssignment",
    "azure-native:recoveryservices:ProtectionPolicy",
    "azure-native:consumption:Budget",
    "azure-native:managedidentity:UserAssignedIdentity",
    "azure-native:insights:DiagnosticSetting",
    "azure-native:insights:ActionGroup",
})


def usage_keys(type_token: str) -> tuple[str, ...]:
    """The usage-file keys the cost function of `type_token` reads."""
    return USAGE_KEYS.get(type_token, ())


def components_for(resource: Resource) -> list[CostComponent] | None:
    """The cost components of a resource: [] for a free type, None when no cost model knows its type."""
    if resource.type in FREE_TYPES:
        return []
    function = COST_FUNCTIONS.get(resource.type)
    return function(resource) if function else None


def supported_types() -> list[str]:
    return sorted(COST_FUNCTIONS)
