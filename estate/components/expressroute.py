"""ExpressRoute: the private circuit to on-premises, its gateway in the hub, and the connection between them."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_azure_native import network

from estate.definition import naming
from estate.definition.model import ExpressRoute as ExpressRouteSpec

# ExpressRoute gateway SKUs and the tier Azure pairs with each.
_GATEWAY_TIERS = {"Standard": "Standard", "HighPerformance": "HighPerformance", "UltraPerformance": "UltraPerformance",
                  "ErGw1AZ": "ErGw1AZ", "ErGw2AZ": "ErGw2AZ", "ErGw3AZ": "ErGw3AZ", "ErGwScale": "ErGwScale"}


@dataclass(frozen=True)
class ExpressRouteArgs:
    short_name: str
    region: str
    circuit: ExpressRouteSpec
    resource_group_name: pulumi.Input[str]
    gateway_subnet_id: pulumi.Input[str]
    authorization_key: pulumi.Input[str]
    tags: dict[str, str]


class ExpressRoute(pulumi.ComponentResource):
    """Circuit (provider, peering location, bandwidth, SKU), ExpressRoute gateway (+ public IP if its SKU needs
    one) and the connection, whose authorisation key comes from a Pulumi secret."""

    circuit: network.ExpressRouteCircuit
    gateway: network.VirtualNetworkGateway
    connection: network.VirtualNetworkGatewayConnection

    def __init__(self, name: str, args: ExpressRouteArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("estate:platform:ExpressRoute", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        spec = args.circuit
        self.circuit = network.ExpressRouteCircuit(
            f"{name}-circuit", circuit_name=naming.expressroute_circuit(args.short_name, spec.peering_location),
            resource_group_name=args.resource_group_name, location=args.region, tags=args.tags, opts=child,
            sku={"name": f"{spec.sku_tier}_{spec.sku_family}", "tier": spec.sku_tier, "family": spec.sku_family},
            service_provider_properties={
                "service_provider_name": spec.service_provider,
                "peering_location": spec.peering_location,
                "bandwidth_in_mbps": spec.bandwidth_mbps,
            })
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
        self.connection = network.VirtualNetworkGatewayConnection(
            f"{name}-connection",
            virtual_network_gateway_connection_name=naming.gateway_connection(args.short_name, spec.peering_location),
            resource_group_name=args.resource_group_name, location=args.region, connection_type="ExpressRoute",
            virtual_network_gateway1={"id": self.gateway.id}, peer={"id": self.circuit.id},
            authorization_key=pulumi.Output.secret(args.authorization_key), routing_weight=0, tags=args.tags,
            opts=child)
        self.register_outputs({"circuitId": self.circuit.id, "gatewayId": self.gateway.id})
