"""Every Azure name the program generates from an estate, with the estate field it is made from.

Names come from `estate.definition.naming` (the functions the program calls), so what `estate validate` checks
is what the plans will carry. Each is checked against estate/foundation/reference/azure_naming_rules.csv.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from estate.definition import naming
from estate.definition.model import Estate
from estate.foundation.reference import NamingRule, naming_rules, reserved_word_problem

Loc = tuple[str | int, ...]
_PUBLIC_DNS_TYPES = frozenset({"azure-native:keyvault:Vault"})


@dataclass(frozen=True)
class GeneratedName:
    type: str
    name_input: str
    name: str
    loc: Loc
    applies_to: str = ""


def generated_names(estate: Estate) -> Iterator[GeneratedName]:
    """The names the platform, wave and retained stacks give their resources, each with its estate field."""
    short, region = estate.organisation.short_name, estate.primary_region
    org: Loc = ("organisation", "short_name")
    rg, net = "azure-native:resources:ResourceGroup", "azure-native:network:"
    yield GeneratedName(rg, "resourceGroupName", naming.resource_group(short, "connectivity", region), org)
    yield GeneratedName(rg, "resourceGroupName", naming.resource_group(short, "management", region), org)
    yield GeneratedName(net + "VirtualNetwork", "virtualNetworkName", naming.hub_vnet(short, region), org)
    for index, subnet in enumerate(estate.landing_zone.hub.subnets):
        loc: Loc = ("landing_zone", "hub", "subnets", index, "name")
        yield GeneratedName(net + "Subnet", "subnetName", subnet.name, loc)
        if subnet.name != "GatewaySubnet":
            yield GeneratedName(net + "NetworkSecurityGroup", "networkSecurityGroupName",
                                naming.nsg(short, subnet.name), loc)
    yield GeneratedName("azure-native:operationalinsights:Workspace", "workspaceName",
                        naming.log_analytics(short, region), org)
    unique = naming.unique_suffix(estate.organisation.name, short)
    yield GeneratedName("azure-native:keyvault:Vault", "vaultName", naming.key_vault(short, region, unique), org)
    yield GeneratedName("azure-native:recoveryservices:Vault", "vaultName",
                        naming.recovery_vault(short, "backup", region), org)
    hub = naming.hub_vnet(short, region)
    for spoke_region, spoke in estate.landing_zone.spokes.items():
        spoke_loc: Loc = ("landing_zone", "spokes", spoke_region)
        spoke_name = naming.spoke_vnet(short, spoke_region)
        yield GeneratedName(net + "VirtualNetwork", "virtualNetworkName", spoke_name, spoke_loc)
        for peering in (naming.peering(hub, spoke_name), naming.peering(spoke_name, hub)):
            yield GeneratedName(net + "VirtualNetworkPeering", "virtualNetworkPeeringName", peering, spoke_loc)
        for role in ("connectivity", "management"):
            yield GeneratedName(rg, "resourceGroupName", naming.resource_group(short, role, spoke_region), spoke_loc)
        yield GeneratedName("azure-native:recoveryservices:Vault", "vaultName",
                            naming.recovery_vault(short, "backup", spoke_region), spoke_loc)
        for index, subnet in enumerate(spoke.subnets):
            yield GeneratedName(net + "Subnet", "subnetName", subnet.name, (*spoke_loc, "subnets", index, "name"))
    for index, assignment in enumerate(estate.landing_zone.policy_assignments):
        yield GeneratedName("azure-native:authorization:PolicyAssignment", "policyAssignmentName",
                            naming.policy_assignment(short, assignment.name),
                            ("landing_zone", "policy_assignments", index, "name"))
    circuit = estate.connectivity.expressroute
    if circuit is not None:
        where: Loc = ("connectivity", "expressroute", "peering_location")
        yield GeneratedName(net + "ExpressRouteCircuit", "circuitName",
                            naming.expressroute_circuit(short, circuit.peering_location), where)
        if circuit.connection.enabled:  # step 2 (docs/deploy.md)
            yield GeneratedName(net + "VirtualNetworkGatewayConnection", "virtualNetworkGatewayConnectionName",
                                naming.gateway_connection(short, circuit.peering_location), where)
        yield GeneratedName(net + "VirtualNetworkGateway", "virtualNetworkGatewayName",
                            naming.gateway(short, region), org)
        yield GeneratedName(net + "PublicIPAddress", "publicIpAddressName", naming.gateway_public_ip(short, region),
                            org)
    yield from _wave_names(estate, short, region)
    for index, group in enumerate(estate.retained):
        yield GeneratedName(rg, "resourceGroupName", naming.resource_group(short, f"arc-{group.name}", region),
                            ("retained", index, "name"))


def _wave_names(estate: Estate, short: str, region: str) -> Iterator[GeneratedName]:
    vm_type = "azure-native:compute:VirtualMachine"
    for wave_index, wave in enumerate(estate.waves):
        group = naming.wave_resource_group(short, wave.name, region)
        yield GeneratedName("azure-native:resources:ResourceGroup", "resourceGroupName", group,
                            ("waves", wave_index, "name"))
        for vm_index, vm in enumerate(wave.vms):
            try:
                names = vm.names()
            except (KeyError, IndexError, ValueError):
                continue  # an invalid name_pattern is reported by the server checks
            loc: Loc = ("waves", wave_index, "vms", vm_index, "name" if vm.name else "name_pattern")
            system = vm.operating_system
            family = system.family if system is not None else ""
            for name in names:
                yield GeneratedName(vm_type, "vmName", name, loc)
                yield GeneratedName(vm_type, "osProfile.computerName", name, loc, family)
                yield GeneratedName("azure-native:network:NetworkInterface", "networkInterfaceName",
                                    naming.nic(name), loc)
                yield GeneratedName(vm_type, "storageProfile.osDisk.name", naming.os_disk(name), loc)
                for lun in range(len(vm.data_disks)):
                    yield GeneratedName(vm_type, "storageProfile.dataDisks[].name", naming.data_disk(name, lun), loc)
                yield GeneratedName("azure-native:recoveryservices:ProtectedItem", "protectedItemName",
                                    naming.backup_item(group, name), loc)


def _rule(name: GeneratedName) -> NamingRule | None:
    for rule in naming_rules().get(name.type, ()):
        if rule.name_input == name.name_input and rule.applies_to in ("", name.applies_to):
            return rule
    return None


def name_problems(estate: Estate) -> Iterator[tuple[GeneratedName, NamingRule, str]]:
    """(name, its rule, why Azure refuses it) for every generated name Azure would refuse; one per field and rule."""
    seen: set[tuple[Loc, str, str]] = set()
    for name in generated_names(estate):
        rule = _rule(name)
        if rule is None:
            continue
        problem = rule.problem(name.name)
        if problem is None and name.type in _PUBLIC_DNS_TYPES:
            problem = reserved_word_problem(name.name)
        key = (name.loc, rule.arm_type, rule.name_input)
        if problem and key not in seen:
            seen.add(key)
            yield name, rule, problem
