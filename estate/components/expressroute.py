"""ExpressRoute: the circuit to on-premises and its private peering, the gateway in the hub, and (step 2) the
connection between them."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_azure_native import network

from estate.definition import naming
from estate.definition.model import ExpressRoute as ExpressRouteSpec

# ExpressRoute gateway SKUs and the tier Azure pairs with each.
_GATEWAY_TIERS = {"Standard": "Standard", "HighPerformance": "HighPerformance", "UltraPerformance": "UltraPerformance",
                  "ErGw1AZ": "ErGw1AZ", "ErGw2AZ": "ErGw2AZ", "ErGw3AZ": "ErGw3AZ", "ErGwScale": "ErGwScale"}
# The peering name Azure requires for private peering (it is also its type).
PRIVATE_PEERING = "AzurePrivatePeering"


@dataclass(frozen=True)
class ExpressRouteArgs:
    short_name: str
    region: str
    circuit: ExpressRouteSpec
    # The group's plain name (known before deployment, so a first preview shows it), and the group itself: every
    # child is created after it.
    resource_group_name: str
    gateway_subnet_id: pulumi.Input[str]
    tags: dict[str, str]
    # Only for a circuit owned elsewhere (`circuit.circuit_id`): the key its owner issued.
    authorization_key: pulumi.Input[str] | None = None
    protect: bool = True
    resource_group: pulumi.Resource | None = None


class ExpressRoute(pulumi.ComponentResource):
    """The real sequence of an ExpressRoute deployment, in one component:

    1. the circuit (provider, peering location, bandwidth, SKU) and its Azure private peering (peer ASN, /30
       primary and secondary subnets, VLAN id), with the gateway (+ public IP if its SKU needs one); the
       circuit's `serviceKey` is what the network team gives the provider to provision it;
    2. once the provider has provisioned the circuit (`serviceProviderProvisioningState: Provisioned`), the
       connection between gateway and circuit, switched on by `connection.enabled` in the estate.

    A circuit owned elsewhere (`circuit_id`) is neither created nor peered here; its connection uses the
    authorisation key its owner issued.
    """

    circuit: network.ExpressRouteCircuit | None
    peering: network.ExpressRouteCircuitPeering | None
    gateway: network.VirtualNetworkGateway
    connection: network.VirtualNetworkGatewayConnection | None
    circuit_id: pulumi.Input[str]

    def __init__(self, name: str, args: ExpressRouteArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("estate:platform:ExpressRoute", name, None, opts)
        self._in_group = [args.resource_group] if args.resource_group is not None else []
        child = pulumi.ResourceOptions(parent=self, depends_on=self._in_group)
        spec = args.circuit
        self.circuit = self.peering = self.connection = None
        if spec.creates_circuit:
            self._circuit(name, args)
        else:
            self.circuit_id = str(spec.circuit_id)
        ip_configuration: dict[str, object] = {"name": "default", "subnet": {"id": args.gateway_subnet_id}}
        if spec.gateway_needs_public_ip:
            public_ip = network.PublicIPAddress(
                f"{name}-gateway-pip", public_ip_address_name=naming.gateway_public_ip(args.short_name, args.region),
                resource_group_name=args.resource_group_name, location=args.region, sku={"name": "Standard"},
                public_ip_allocation_method="Static", zones=["1", "2", "3"], tags=args.tags, opts=child)
            ip_configuration["public_ip_address"] = {"id": public_ip.id}
        self.gateway = network.VirtualNetworkGateway(
            f"{name}-gateway", virtual_network_gateway_name=naming.gateway(args.short_name, args.region),
            resource_group_name=args.resource_group_name, location=args.region, gateway_type="ExpressRoute",
            sku={"name": spec.gateway_sku, "tier": _GATEWAY_TIERS[spec.gateway_sku]},
            ip_configurations=[ip_configuration], tags=args.tags, opts=child)
        if spec.connection.enabled:
            after = self._in_group + ([self.peering] if self.peering is not None else [])
            key = pulumi.Output.secret(args.authorization_key) if args.authorization_key is not None else None
            self.connection = network.VirtualNetworkGatewayConnection(
                f"{name}-connection",
                virtual_network_gateway_connection_name=naming.gateway_connection(args.short_name,
                                                                                  spec.peering_location),
                resource_group_name=args.resource_group_name, location=args.region, connection_type="ExpressRoute",
                virtual_network_gateway1={"id": self.gateway.id}, peer={"id": self.circuit_id},
                authorization_key=key, routing_weight=0, tags=args.tags,
                opts=pulumi.ResourceOptions(parent=self, depends_on=after))
        self.register_outputs({"circuitId": self.circuit_id, "gatewayId": self.gateway.id})

    def _circuit(self, name: str, args: ExpressRouteArgs) -> None:
        spec = args.circuit
        circuit_name = naming.expressroute_circuit(args.short_name, spec.peering_location)
        self.circuit = network.ExpressRouteCircuit(
            f"{name}-circuit", circuit_name=circuit_name,
            resource_group_name=args.resource_group_name, location=args.region, tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect, depends_on=self._in_group),
            sku={"name": f"{spec.sku_tier}_{spec.sku_family}", "tier": spec.sku_tier, "family": spec.sku_family},
            service_provider_properties={
                "service_provider_name": spec.service_provider,
                "peering_location": spec.peering_location,
                "bandwidth_in_mbps": spec.bandwidth_mbps,
            })
        self.circuit_id = self.circuit.id
        peering = spec.private_peering
        if peering is None:  # `estate validate` refuses this; the component states it too.
            raise ValueError("a circuit created by the stack needs its private peering (private_peering)")
        if not spec.connection.enabled:
            # Step 1 ends here: Azure accepts the private peering only once the connectivity provider has
            # provisioned the circuit (serviceProviderProvisioningState Provisioned), so the peering is step 2 too.
            return
        self.peering = network.ExpressRouteCircuitPeering(
            f"{name}-private-peering", circuit_name=circuit_name, peering_name=PRIVATE_PEERING,
            peering_type=PRIVATE_PEERING, resource_group_name=args.resource_group_name,
            peer_asn=peering.peer_asn, primary_peer_address_prefix=str(peering.primary_prefix),
            secondary_peer_address_prefix=str(peering.secondary_prefix), vlan_id=peering.vlan_id,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.circuit]))
