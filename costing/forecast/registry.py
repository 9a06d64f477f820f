"""The one registry of the cost model by Pulumi type token, and the explicit list of types that cost nothing.

Each priced type has two layers, as Infracost has them: a parser that turns a plan resource into a typed spec
(`costing/forecast/specs.py`, where every default lives) and a function that turns the spec into cost components
(`costing/forecast/resources_*.py`). A type in neither list is *unsupported*: its resources are listed as
unpriced, never counted as free.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from costing.forecast import resources_compute as compute
from costing.forecast import resources_network as network
from costing.forecast import resources_services as services
from costing.forecast import specs
from costing.forecast.model import CostComponent, Resource


@dataclass(frozen=True)
class CostModel:
    """How one resource type is priced: parse its inputs into a spec, then the spec into components; `usage`
    names the usage-file keys the spec reads."""

    parse: Callable[[Resource], Any]
    components: Callable[[Any], list[CostComponent]]
    usage: tuple[str, ...] = ()


COST_MODELS: dict[str, CostModel] = {
    "azure-native:compute:VirtualMachine": CostModel(specs.parse_virtual_machine, compute.virtual_machine,
                                                     ("hours_per_month",)),
    "azure-native:containerservice:ManagedCluster": CostModel(specs.parse_managed_cluster, compute.managed_cluster,
                                                              ("hours_per_month",)),
    "azure-native:network:ExpressRouteCircuit": CostModel(specs.parse_expressroute_circuit,
                                                          network.expressroute_circuit, ("outbound_data_gb",)),
    "azure-native:network:VirtualNetworkGateway": CostModel(specs.parse_gateway, network.virtual_network_gateway),
    "azure-native:network:PublicIPAddress": CostModel(specs.parse_public_ip, network.public_ip_address),
    "azure-native:operationalinsights:Workspace": CostModel(specs.parse_workspace, services.log_analytics_workspace,
                                                            ("ingestion_gb_per_day",)),
    "azure-native:recoveryservices:Vault": CostModel(specs.parse_recovery_vault, services.recovery_services_vault,
                                                     ("backup_storage_gb",)),
    "azure-native:recoveryservices:ProtectedItem": CostModel(specs.parse_protected_item, services.protected_item),
    "azure-native:keyvault:Vault": CostModel(specs.parse_key_vault, services.key_vault, ("operations_per_month",)),
    "azure-native:dbforpostgresql:Server": CostModel(specs.parse_postgres, services.postgresql_flexible_server,
                                                     services.POSTGRES_USAGE),
    "azure-native:web:StaticSite": CostModel(specs.parse_static_site, services.static_site),
}
USAGE_KEYS: dict[str, tuple[str, ...]] = {token: model.usage for token, model in COST_MODELS.items()}

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


def spec_for(resource: Resource) -> Any:
    """The typed spec of a priced resource (layer one); None for a free or unsupported type."""
    model = COST_MODELS.get(resource.type)
    return model.parse(resource) if model else None


def components_for(resource: Resource) -> list[CostComponent] | None:
    """The cost components of a resource: [] for a free type, None when no cost model knows its type."""
    if resource.type in FREE_TYPES:
        return []
    model = COST_MODELS.get(resource.type)
    return model.components(model.parse(resource)) if model else None


def supported_types() -> list[str]:
    return sorted(COST_MODELS)
