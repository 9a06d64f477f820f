"""azure-preflight-expressroute: an ExpressRoute connection Azure will accept on the first deployment.

- A connection (`VirtualNetworkGatewayConnection`, type ExpressRoute) to a circuit of this plan needs the
  circuit's private peering (`ExpressRouteCircuitPeering` AzurePrivatePeering) in the plan, and neither may be
  created in the same update as the circuit: the connectivity provider must provision the circuit first
  (its `serviceProviderProvisioningState` becomes Provisioned), so the peering and connection are a later step.
- The gateway's SKU is an ExpressRoute SKU whose tier equals its name; its throughput covers the circuit's
  bandwidth (advisory: Azure deploys a smaller gateway, which then caps the traffic). Source: "About ExpressRoute
  virtual network gateways", learn.microsoft.com/azure/expressroute/expressroute-about-virtual-network-gateways.
- The gateway sits in a subnet named exactly `GatewaySubnet`, /27 or larger, with no NSG and nothing else in it
  (no NIC): learn.microsoft.com/azure/vpn-gateway/vpn-gateway-about-vpn-gateway-settings#gwsub and the
  ExpressRoute gateway page above.

A reference unknown until deployment (the id or name of a resource the same plan creates) is the resource its
input depends on (`index.py`).
"""

from __future__ import annotations

from collections.abc import Iterator
from ipaddress import ip_network

from policies.rules.base import ADVISORY, MANDATORY, GuardrailSettings, PlanContext, Resource, Violation, json_path
from policies.rules.preflight.index import PlanIndex, known, plan_index, unknown

NAME = "azure-preflight-expressroute"
DESCRIPTION = ("An ExpressRoute connection has its circuit's private peering and follows the circuit's provisioning; "
               "the gateway has an ExpressRoute SKU sized for the circuit in a GatewaySubnet of /27 or more that "
               "holds nothing else.")
REMEDIATION = ("deploy the circuit first, have the provider provision it, then add the private peering and the "
               "connection (connectivity.expressroute.connection.enabled); see docs/guardrails.md")
GATEWAY_SUBNET = "GatewaySubnet"
GATEWAY_TYPE = "azure-native:network:VirtualNetworkGateway"
CONNECTION_TYPE = "azure-native:network:VirtualNetworkGatewayConnection"
PEERING_TYPE = "azure-native:network:ExpressRouteCircuitPeering"
CIRCUIT_TYPE = "azure-native:network:ExpressRouteCircuit"
SUBNET_TYPES = frozenset({"azure-native:network:Subnet"})
# ExpressRoute gateway SKU -> the throughput Microsoft documents for it, in Mbps (ErGwScale: 1-40 scale units).
GATEWAY_MBPS = {"Standard": 1000, "ErGw1AZ": 1000, "HighPerformance": 2000, "ErGw2AZ": 2000,
                "UltraPerformance": 10000, "ErGw3AZ": 10000, "ErGwScale": 40000}
CREATED_OPS = frozenset({"create", "create-replacement", "replace"})


def check(resource: Resource, settings: GuardrailSettings, context: PlanContext) -> Iterator[Violation]:
    index = plan_index(context)
    if resource.type == CONNECTION_TYPE and str(resource.inputs.get("connectionType", "")).lower() == "expressroute":
        yield from _connection(resource, index)
    elif resource.type == PEERING_TYPE:
        circuit = _circuit_named(index, index.name_of(resource, "resourceGroupName"),
                                 index.name_of(resource, "circuitName"))
        if circuit is not None and circuit.op in CREATED_OPS:
            yield Violation(NAME, MANDATORY, resource.urn, resource.type, "inputs.circuitName",
                            resource.inputs.get("circuitName"),
                            f"the peering is created in the same update as its circuit {circuit.urn}; Azure accepts "
                            f"a peering only once the provider has provisioned the circuit; {REMEDIATION}")
    elif resource.type == GATEWAY_TYPE and str(resource.inputs.get("gatewayType", "")).lower() == "expressroute":
        yield from _gateway(resource, index)
    elif resource.type == "azure-native:network:Subnet" and resource.inputs.get("subnetName") == GATEWAY_SUBNET:
        yield from _gateway_subnet(resource, "inputs", resource.inputs)
    elif resource.type == "azure-native:network:VirtualNetwork":
        for number, subnet in enumerate(resource.inputs.get("subnets") or []):
            if isinstance(subnet, dict) and subnet.get("name") == GATEWAY_SUBNET:
                yield from _gateway_subnet(resource, json_path("inputs", "subnets", number), subnet.get("properties")
                                           or subnet)
    elif resource.type == "azure-native:network:NetworkInterface":
        for number, configuration in enumerate(resource.inputs.get("ipConfigurations") or []):
            subnet_id = ((configuration or {}).get("subnet") or {}).get("id")
            if _subnet_name(index, resource, subnet_id) == GATEWAY_SUBNET:
                yield Violation(NAME, MANDATORY, resource.urn, resource.type,
                                json_path("inputs", "ipConfigurations", number, "subnet", "id"), subnet_id,
                                "a network interface in GatewaySubnet" + _which(index, resource, subnet_id)
                                + "; the gateway subnet holds only the gateway: place the NIC in a workload subnet")


def _subnet_name(index: PlanIndex, resource: Resource, subnet_id: object) -> str | None:
    """The name of the subnet an `ipConfigurations[].subnet.id` refers to: the id's last segment, or (unknown until
    deployment) the `subnetName` of the subnet of this plan the input depends on."""
    if known(subnet_id):
        return subnet_id.rstrip("/").rsplit("/", 1)[-1]
    subnet = index.depended_on(resource, "ipConfigurations", subnet_id, SUBNET_TYPES)
    name = subnet.inputs.get("subnetName") if subnet is not None else None
    return name if known(name) else None


def _which(index: PlanIndex, resource: Resource, subnet_id: object) -> str:
    """For an id unknown until deployment, which subnet of the plan it is (the value alone does not say)."""
    if not unknown(subnet_id):
        return ""
    subnet = index.depended_on(resource, "ipConfigurations", subnet_id, SUBNET_TYPES)
    return f" (subnet {subnet.urn}, unknown until deployment)" if subnet is not None else ""


def _circuit_named(index: PlanIndex, group: object, name: object) -> Resource | None:
    if not (known(group) and known(name)):
        return None
    return index.by_key.get(f"resourcegroups/{group}/providers/microsoft.network/expressroutecircuits/{name}".lower())


def _connection(resource: Resource, index: PlanIndex) -> Iterator[Violation]:
    peer_id = (resource.inputs.get("peer") or {}).get("id")
    circuit = index.referenced(resource, "peer", peer_id, {CIRCUIT_TYPE}, anywhere=False)
    if circuit is None or circuit.type != CIRCUIT_TYPE:
        return  # a circuit owned elsewhere (authorisation key) or unknown until deployment
    if circuit.op in CREATED_OPS:
        yield Violation(NAME, MANDATORY, resource.urn, resource.type, "inputs.peer.id", peer_id,
                        f"the connection is created in the same update as its circuit {circuit.urn}; the provider "
                        f"must provision the circuit first; {REMEDIATION}")
    circuit_name = circuit.inputs.get("circuitName")
    peerings = [peering for peering in index.by_type.get(PEERING_TYPE, [])
                if str(index.name_of(peering, "circuitName") or "").lower() == str(circuit_name).lower()
                and peering.inputs.get("peeringType", peering.inputs.get("peeringName")) == "AzurePrivatePeering"]
    if not peerings:
        yield Violation(NAME, MANDATORY, resource.urn, resource.type, "inputs.peer.id", peer_id,
                        f"circuit {circuit_name!r} has no AzurePrivatePeering in the plan; a connection needs the "
                        f"circuit's private peering (peer ASN, primary and secondary /30 prefixes, VLAN id) first; "
                        f"{REMEDIATION}")
    gateway = index.referenced(resource, "virtualNetworkGateway1",
                               (resource.inputs.get("virtualNetworkGateway1") or {}).get("id"), {GATEWAY_TYPE},
                               anywhere=False)
    bandwidth = ((circuit.inputs.get("serviceProviderProperties") or {}).get("bandwidthInMbps")
                 if isinstance(circuit.inputs.get("serviceProviderProperties"), dict) else None)
    sku = ((gateway.inputs.get("sku") or {}).get("name") if gateway is not None else None)
    if isinstance(bandwidth, int) and sku in GATEWAY_MBPS and GATEWAY_MBPS[sku] < bandwidth:
        yield Violation(NAME, ADVISORY, resource.urn, resource.type, "inputs.virtualNetworkGateway1.id",
                        sku, f"gateway SKU {sku} carries about {GATEWAY_MBPS[sku]} Mbps but circuit "
                        f"{circuit_name!r} is {bandwidth} Mbps; choose a larger gateway SKU "
                        f"(connectivity.expressroute.gateway_sku) or accept the cap")


def _gateway(resource: Resource, index: PlanIndex) -> Iterator[Violation]:
    sku = resource.inputs.get("sku") or {}
    name, tier = sku.get("name"), sku.get("tier")
    if known(name) and name not in GATEWAY_MBPS:
        yield Violation(NAME, MANDATORY, resource.urn, resource.type, "inputs.sku.name", name,
                        f"{name} is not an ExpressRoute gateway SKU; use one of {', '.join(GATEWAY_MBPS)}")
    elif known(name) and known(tier) and tier != name:
        yield Violation(NAME, MANDATORY, resource.urn, resource.type, "inputs.sku.tier", tier,
                        f"gateway SKU tier {tier} differs from its name {name}; Azure needs them equal")
    for number, configuration in enumerate(resource.inputs.get("ipConfigurations") or []):
        subnet_id = ((configuration or {}).get("subnet") or {}).get("id")
        path = json_path("inputs", "ipConfigurations", number, "subnet", "id")
        subnet_name = _subnet_name(index, resource, subnet_id)
        if subnet_name is not None and subnet_name != GATEWAY_SUBNET:
            yield Violation(NAME, MANDATORY, resource.urn, resource.type, path, subnet_id,
                            "a virtual network gateway must be in the subnet named exactly 'GatewaySubnet'"
                            + _which(index, resource, subnet_id))


def _gateway_subnet(resource: Resource, base: str, subnet: dict) -> Iterator[Violation]:
    prefix = subnet.get("addressPrefix")
    if known(prefix):
        try:
            length = ip_network(prefix, strict=False).prefixlen
        except ValueError:
            length = None
        if length is not None and length > 27:
            yield Violation(NAME, MANDATORY, resource.urn, resource.type, f"{base}.addressPrefix", prefix,
                            f"GatewaySubnet is /{length}; an ExpressRoute gateway needs /27 or larger: widen it in "
                            f"landing_zone.hub.subnets")
    if subnet.get("networkSecurityGroup") not in (None, {}, ""):
        yield Violation(NAME, MANDATORY, resource.urn, resource.type, f"{base}.networkSecurityGroup",
                        subnet.get("networkSecurityGroup"),
                        "GatewaySubnet has a network security group; Azure does not support an NSG on the gateway "
                        "subnet: remove it")
