"""The plan as Azure sees it: each resource's ARM id (without the subscription), its region, and lookups by id.

A reference the plan states (an ARM id, a name) is looked up by its id key. One that is unknown until deployment
(a first `pulumi preview` shows the id or `name` output of a resource it creates as Pulumi's unknown sentinel) is
the resource it came from: the engine records, per top-level input, the URNs its value depends on
(`propertyDependencies`), so an unknown id is the one resource of the expected type its input depends on, and an
unknown name input (`virtualNetworkName`, `resourceGroupName`, ...) the name of the one resource it depends on whose
own name that input is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from estate.foundation.plan import UNKNOWN
from policies.rules.base import PlanContext, Resource, json_path

SECRET_SHOWN_AS = "[secret]"
RESOURCE_GROUP = "azure-native:resources:ResourceGroup"
# type token -> ARM path under its resource group, the `{input}`s filling it in.
ARM_PATHS: dict[str, str] = {
    "azure-native:network:VirtualNetwork": "Microsoft.Network/virtualNetworks/{virtualNetworkName}",
    "azure-native:network:Subnet": "Microsoft.Network/virtualNetworks/{virtualNetworkName}/subnets/{subnetName}",
    "azure-native:network:VirtualNetworkPeering":
        "Microsoft.Network/virtualNetworks/{virtualNetworkName}/virtualNetworkPeerings/{virtualNetworkPeeringName}",
    "azure-native:network:NetworkSecurityGroup": "Microsoft.Network/networkSecurityGroups/{networkSecurityGroupName}",
    "azure-native:network:NetworkInterface": "Microsoft.Network/networkInterfaces/{networkInterfaceName}",
    "azure-native:network:PublicIPAddress": "Microsoft.Network/publicIPAddresses/{publicIpAddressName}",
    "azure-native:network:RouteTable": "Microsoft.Network/routeTables/{routeTableName}",
    "azure-native:network:ExpressRouteCircuit": "Microsoft.Network/expressRouteCircuits/{circuitName}",
    "azure-native:network:ExpressRouteCircuitPeering":
        "Microsoft.Network/expressRouteCircuits/{circuitName}/peerings/{peeringName}",
    "azure-native:network:VirtualNetworkGateway":
        "Microsoft.Network/virtualNetworkGateways/{virtualNetworkGatewayName}",
    "azure-native:network:VirtualNetworkGatewayConnection":
        "Microsoft.Network/connections/{virtualNetworkGatewayConnectionName}",
    "azure-native:compute:VirtualMachine": "Microsoft.Compute/virtualMachines/{vmName}",
    "azure-native:compute:Disk": "Microsoft.Compute/disks/{diskName}",
    "azure-native:operationalinsights:Workspace": "Microsoft.OperationalInsights/workspaces/{workspaceName}",
    "azure-native:keyvault:Vault": "Microsoft.KeyVault/vaults/{vaultName}",
    "azure-native:recoveryservices:Vault": "Microsoft.RecoveryServices/vaults/{vaultName}",
    "azure-native:recoveryservices:ProtectionPolicy":
        "Microsoft.RecoveryServices/vaults/{vaultName}/backupPolicies/{policyName}",
    "azure-native:recoveryservices:ProtectedItem":
        "Microsoft.RecoveryServices/vaults/{vaultName}/backupFabrics/{fabricName}/protectionContainers/"
        "{containerName}/protectedItems/{protectedItemName}",
}
_FIELD = re.compile(r"\{(\w+)\}")
_FROM_GROUP = re.compile(r"(?i)/resourcegroups/.*$")


def known(value: Any) -> bool:
    """A value the plan states (not unknown until deployment, not a blinded secret)."""
    return isinstance(value, str) and UNKNOWN not in value and value != SECRET_SHOWN_AS


def id_key(resource_id: Any) -> str | None:
    """`/subscriptions/x/resourceGroups/RG/providers/...` -> `resourcegroups/rg/providers/...` (case-blind)."""
    if not known(resource_id):
        return None
    match = _FROM_GROUP.search(resource_id.rstrip("/"))
    return match.group(0)[1:].lower() if match else None


def unknown(value: Any) -> bool:
    """A value Pulumi shows as unknown until deployment (the sentinel, or a string built from one)."""
    return isinstance(value, str) and UNKNOWN in value


def sources(resource: Resource, key: str) -> frozenset[str]:
    """The URNs the value of top-level input `key` came from: its recorded property dependencies, else (a plan that
    records none per input, e.g. hand-written) every dependency of the resource."""
    recorded = resource.property_dependencies.get(key)
    if recorded is not None:
        return recorded
    return frozenset() if resource.property_dependencies else resource.dependencies


NameOf = Callable[[Resource, str], Any]


def _stated(resource: Resource, key: str) -> Any:
    return resource.inputs.get(key)


def arm_key(resource: Resource, name_of: NameOf = _stated) -> str | None:
    """The resource's own id key, if its inputs state every part of it (`name_of` reads each name input)."""
    if resource.type == RESOURCE_GROUP:
        group = resource.inputs.get("resourceGroupName")
        return f"resourcegroups/{group}".lower() if known(group) else None
    path = ARM_PATHS.get(resource.type)
    if path is None:
        return None
    group = name_of(resource, "resourceGroupName")
    if not known(group):
        return None
    values = {name: name_of(resource, name) for name in _FIELD.findall(path)}
    if not all(known(value) for value in values.values()):
        return None
    return f"resourcegroups/{group}/providers/{path.format(**values)}".lower()


def values_at(inputs: Mapping[str, Any], path: str) -> Iterator[tuple[str, Any]]:
    """(JSON path, value) for a dotted input path, `[]` meaning every item: `storageProfile.dataDisks[].name`."""
    yield from _walk(inputs, path.split("."), ())


def _walk(node: Any, parts: list[str], done: tuple) -> Iterator[tuple[str, Any]]:
    if not parts:
        yield json_path("inputs", *done), node
        return
    head, rest = parts[0], parts[1:]
    many = head.endswith("[]")
    key = head[:-2] if many else head
    value = node.get(key) if isinstance(node, Mapping) else None
    if value is None:
        return
    if many:
        for index, item in enumerate(value if isinstance(value, list) else []):
            yield from _walk(item, rest, (*done, key, index))
    else:
        yield from _walk(value, rest, (*done, key))


def location(resource: Resource) -> str | None:
    value = resource.inputs.get("location")
    region = value if known(value) else resource.default_location
    return region.lower().replace(" ", "") if isinstance(region, str) else None


@dataclass
class PlanIndex:
    by_key: dict[str, Resource] = field(default_factory=dict)
    duplicates: dict[str, list[Resource]] = field(default_factory=dict)
    by_urn: dict[str, Resource] = field(default_factory=dict)
    by_type: dict[str, list[Resource]] = field(default_factory=dict)
    # Also what the other plans of the same check create (for regions only: never "produced by this plan").
    elsewhere: dict[str, Resource] = field(default_factory=dict)
    # The other plans' resources by URN (URNs name their stack), to follow their own dependencies.
    elsewhere_by_urn: dict[str, Resource] = field(default_factory=dict)
    # URN -> the resource's own id key, as `arm_key` with unknown names followed to where they come from.
    keys: dict[str, str] = field(default_factory=dict)

    def find(self, resource_id: Any) -> Resource | None:
        key = id_key(resource_id)
        return self.by_key.get(key) if key else None

    def find_anywhere(self, resource_id: Any) -> Resource | None:
        key = id_key(resource_id)
        return (self.by_key.get(key) or self.elsewhere.get(key)) if key else None

    def key_anywhere(self, key: str) -> Resource | None:
        return self.by_key.get(key) or self.elsewhere.get(key)

    def depended_on(self, resource: Resource, key: str, value: Any, types: Collection[str]) -> Resource | None:
        """For a value of top-level input `key` unknown until deployment: the one resource of `types` in this plan
        that input depends on (None when there is none, or more than one to choose from)."""
        if not unknown(value):
            return None
        found = {urn for urn in sources(resource, key) if urn in self.by_urn and self.by_urn[urn].type in types}
        return self.by_urn[found.pop()] if len(found) == 1 else None

    def referenced(self, resource: Resource, key: str, value: Any, types: Collection[str], *,
                   anywhere: bool = True) -> Resource | None:
        """The resource an id in top-level input `key` refers to: by the id when the plan states it (created by this
        plan, or with `anywhere` by another plan of the check), else the one of `types` it depends on."""
        if known(value):
            return self.find_anywhere(value) if anywhere else self.find(value)
        return self.depended_on(resource, key, value, types)

    def name_of(self, resource: Resource, key: str) -> Any:
        """Name input `key` as the plan states it; when it is unknown until deployment (another resource's `name`
        output), the name of the one resource it depends on whose own name input is `key`."""
        value = resource.inputs.get(key)
        if not unknown(value):
            return value
        names = set()
        for urn in sources(resource, key):
            origin = self.by_urn.get(urn) or self.elsewhere_by_urn.get(urn)
            if origin is None:
                continue
            own = origin.inputs.get(key) if origin.type == RESOURCE_GROUP else (
                origin.azure_name if origin.azure_name_key == key else None)
            if known(own):
                names.add(own)
        return names.pop() if len(names) == 1 else value

    def parent_of_subnet(self, subnet: Resource) -> Resource | None:
        group, vnet = self.name_of(subnet, "resourceGroupName"), self.name_of(subnet, "virtualNetworkName")
        if not (known(group) and known(vnet)):
            return None
        return self.key_anywhere(f"resourcegroups/{group}/providers/microsoft.network/virtualnetworks/{vnet}".lower())


def plan_index(context: PlanContext) -> PlanIndex:
    """The index of `context`'s resources, built once per check."""
    cached = context.memo.get("preflight-index")
    if cached is None:
        cached = PlanIndex()
        for resource in context.resources:
            cached.by_urn[resource.urn] = resource
            cached.by_type.setdefault(resource.type, []).append(resource)
        for resource in context.neighbours:
            cached.elsewhere_by_urn[resource.urn] = resource
        for resource in context.resources:
            own = arm_key(resource, cached.name_of)
            if own:
                cached.keys[resource.urn] = own
            for key in ([own] if own else []) + disk_keys(resource, cached.name_of):  # produced_keys, own once
                if key in cached.by_key and cached.by_key[key].urn != resource.urn:
                    cached.duplicates.setdefault(key, [cached.by_key[key]]).append(resource)
                else:
                    cached.by_key[key] = resource
        for resource in context.neighbours:
            for key in produced_keys(resource, cached.name_of):
                cached.elsewhere.setdefault(key, resource)
        context.memo["preflight-index"] = cached
    return cached


def produced_keys(resource: Resource, name_of: NameOf = _stated) -> list[str]:
    """Every id key the resource creates: its own, and a VM's inline managed disks."""
    own = arm_key(resource, name_of)
    return ([own] if own else []) + disk_keys(resource, name_of)


def disk_keys(resource: Resource, name_of: NameOf = _stated) -> list[str]:
    """The id keys of a VM's inline managed disks (none for any other type)."""
    if resource.type != "azure-native:compute:VirtualMachine":
        return []
    group = name_of(resource, "resourceGroupName")
    if not known(group):
        return []
    return [f"resourcegroups/{group}/providers/microsoft.compute/disks/{name}".lower()
            for path in ("storageProfile.osDisk.name", "storageProfile.dataDisks[].name")
            for _, name in values_at(resource.inputs, path) if known(name)]
