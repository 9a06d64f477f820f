"""Rules about what Azure needs to deploy the estate: a network in every region a wave uses, the ExpressRoute
private peering, the gateway subnet. Each yields `Finding`s located by their path in the definition.

Sources: a NIC must be in a subnet of a VNet in its own region, and a VM's backup vault in the VM's region
(https://learn.microsoft.com/azure/virtual-network/virtual-network-network-interface,
https://learn.microsoft.com/azure/backup/backup-azure-vms-introduction); ExpressRoute private peering needs a
/30 primary and secondary subnet, a VLAN id and a peer ASN other than Microsoft's reserved ones
(https://learn.microsoft.com/azure/expressroute/expressroute-routing); the gateway subnet is /27 or larger
(https://learn.microsoft.com/azure/expressroute/expressroute-about-virtual-network-gateways), all 2026-12.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from ipaddress import IPv4Network

from estate.definition.model import Estate

GATEWAY_SUBNET = "GatewaySubnet"
GATEWAY_SUBNET_MAX_PREFIX = 27
# ASNs Azure keeps for itself on private peering (expressroute-routing, "Autonomous System numbers").
RESERVED_ASNS = frozenset({8075, 8076, 12076, *range(65515, 65521)})


def check_deployable(estate: Estate, finding: type) -> Iterator:
    """Every problem that would make Azure refuse the plan the program writes for this estate."""
    yield from _spokes(estate, finding)
    yield from _wave_networks(estate, finding)
    yield from _gateway_subnet(estate, finding)
    yield from _private_peering(estate, finding)


def subnets_by_region(estate: Estate) -> dict[str, set[str]]:
    """The subnet names the program creates in each region (the hub in the landing zone's region)."""
    networks = {estate.primary_region: {subnet.name for subnet in estate.landing_zone.hub.subnets}}
    for region, spoke in estate.landing_zone.spokes.items():
        networks.setdefault(region, set()).update(subnet.name for subnet in spoke.subnets)
    return networks


def _spokes(estate: Estate, finding: type) -> Iterator:
    placed: list[tuple[str, IPv4Network]] = [("landing_zone.hub", space)
                                             for space in estate.landing_zone.hub.address_space]
    for region, spoke in estate.landing_zone.spokes.items():
        loc = ("landing_zone", "spokes", region)
        if region == estate.primary_region:
            yield finding(loc, f"{region} is the hub's own region; its subnets belong in landing_zone.hub",
                          "move these subnets to landing_zone.hub.subnets and remove the spoke")
            continue
        if region not in estate.regions.allowed:
            yield finding(loc, f"{region!r} is not allowed",
                          f"allowed regions are {', '.join(estate.regions.allowed)} (regions.allowed)")
        for index, space in enumerate(spoke.address_space):
            for owner, other in placed:
                if space.overlaps(other):
                    yield finding((*loc, "address_space", index), f"{space} overlaps {owner} ({other})",
                                  "peered VNets need address spaces that do not overlap")
        names: set[str] = set()
        for index, subnet in enumerate(spoke.subnets):
            sub_loc = (*loc, "subnets", index)
            if subnet.name == GATEWAY_SUBNET:
                yield finding((*sub_loc, "name"), "the gateway lives in the hub; a spoke has no GatewaySubnet",
                              "remove it: the spoke reaches on-premises through the hub's gateway")
            if subnet.name in names:
                yield finding((*sub_loc, "name"), f"subnet {subnet.name!r} is defined twice",
                              "give each subnet its own name")
            names.add(subnet.name)
            if not any(subnet.prefix.subnet_of(space) for space in spoke.address_space):
                yield finding((*sub_loc, "prefix"), f"{subnet.prefix} is outside the spoke's address space",
                              f"choose a prefix inside landing_zone.spokes.{region}.address_space")
        placed.extend((f"landing_zone.spokes.{region}", space) for space in spoke.address_space)
        circuit = estate.connectivity.expressroute
        for index, prefix in enumerate(circuit.on_premises_prefixes if circuit is not None else []):
            for space in spoke.address_space:
                if prefix.overlaps(space):
                    yield finding(("connectivity", "expressroute", "on_premises_prefixes", index),
                                  f"{prefix} overlaps the {region} spoke's address space {space}",
                                  "on-premises and Azure ranges must not overlap for routing to work")


def _wave_networks(estate: Estate, finding: type) -> Iterator:
    networks = subnets_by_region(estate)
    for index, wave in enumerate(estate.waves):
        loc = ("waves", index)
        region = estate.wave_region(wave)
        if region != estate.primary_region and region not in estate.landing_zone.spokes:
            yield finding((*loc, "region"), f"wave {wave.name!r} is in {region} but the estate has no network there",
                          f"add landing_zone.spokes.{region} with an address_space and a subnet {wave.subnet!r} "
                          "(a VNet peered with the hub), or move the wave to "
                          f"{estate.primary_region}")
        elif wave.subnet != GATEWAY_SUBNET and wave.subnet not in networks.get(region, set()):
            where = "landing_zone.hub.subnets" if region == estate.primary_region else \
                f"landing_zone.spokes.{region}.subnets"
            guess = difflib.get_close_matches(wave.subnet, sorted(networks.get(region, set())), n=1)
            yield finding((*loc, "subnet"), f"no subnet named {wave.subnet!r} in {where} ({region}, the wave's region)",
                          f"did you mean {guess[0]!r}?" if guess else
                          f"add it to {where}: a NIC can use only a subnet in its own region")
        for vm_index, vm in enumerate(wave.vms):
            if vm.region and vm.region != region:
                yield finding(("waves", index, "vms", vm_index, "region"),
                              f"{vm.region} differs from its wave's region {region}: its NIC would join the wave's "
                              f"subnet {wave.subnet!r} in {region}, which Azure refuses",
                              f"put the server in a wave whose region is {vm.region}, or remove its region")


def _gateway_subnet(estate: Estate, finding: type) -> Iterator:
    if estate.connectivity.expressroute is None:
        return
    for index, subnet in enumerate(estate.landing_zone.hub.subnets):
        if subnet.name == GATEWAY_SUBNET and subnet.prefix.prefixlen > GATEWAY_SUBNET_MAX_PREFIX:
            yield finding(("landing_zone", "hub", "subnets", index, "prefix"),
                          f"GatewaySubnet {subnet.prefix} is smaller than the /27 an ExpressRoute gateway needs",
                          "give it a /27 or larger prefix")


def _private_peering(estate: Estate, finding: type) -> Iterator:
    circuit = estate.connectivity.expressroute
    if circuit is None:
        return
    loc = ("connectivity", "expressroute")
    if not circuit.creates_circuit:
        if not circuit.authorization_key_config:
            yield finding((*loc, "authorization_key_config"),
                          "a circuit owned elsewhere (circuit_id) needs the authorisation key its owner issued",
                          "set authorization_key_config to the Pulumi secret holding it "
                          "(pulumi config set --secret estate:<name> <key>)")
        if circuit.private_peering is not None:
            yield finding((*loc, "private_peering"), "the circuit's owner configures its private peering, not this "
                          "estate (circuit_id is set)", "remove private_peering")
        return
    if circuit.authorization_key_config:
        yield finding((*loc, "authorization_key_config"), "an authorisation key is only for a circuit in another "
                      "subscription; this stack creates its own circuit", "remove it, or give circuit_id")
    peering = circuit.private_peering
    if peering is None:
        yield finding(loc, "the circuit has no private peering: nothing would route between Azure and on-premises",
                      "add private_peering with peer_asn, primary_prefix, secondary_prefix (/30 each) and vlan_id, "
                      "as agreed with the provider")
        return
    if peering.peer_asn in RESERVED_ASNS:
        yield finding((*loc, "private_peering", "peer_asn"), f"ASN {peering.peer_asn} is reserved by Azure",
                      "use your or the provider's ASN (not 8075, 8076, 12076 or 65515-65520)")
    spaces = [*estate.landing_zone.hub.address_space,
              *(space for spoke in estate.landing_zone.spokes.values() for space in spoke.address_space)]
    for key in ("primary_prefix", "secondary_prefix"):
        prefix: IPv4Network = getattr(peering, key)
        if prefix.prefixlen != 30:
            yield finding((*loc, "private_peering", key), f"{prefix} is a /{prefix.prefixlen}; each peering link "
                          "needs a /30", "give a /30 from an address range you own")
        for space in spaces:
            if prefix.overlaps(space):
                yield finding((*loc, "private_peering", key), f"{prefix} overlaps the Azure address space {space}",
                              "peering subnets must not overlap the VNets")
    if peering.primary_prefix.overlaps(peering.secondary_prefix):
        yield finding((*loc, "private_peering", "secondary_prefix"), "the secondary /30 overlaps the primary",
                      "give the two links different /30 subnets")
