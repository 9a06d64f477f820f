"""Cost functions for connectivity: ExpressRoute circuits and gateways, VPN gateways, public IP addresses.

An ExpressRoute circuit is priced monthly by tier, family and bandwidth in the zone of its peering location
(London is Zone 1), plus metered outbound data (`outbound_data_gb` in the usage file) on MeteredData circuits.
Gateways are priced by the hour for their SKU; public IPs by the hour for SKU and allocation.
"""

from __future__ import annotations

import csv
from functools import cache

from costing.forecast.model import HOURS_PER_MONTH, REFERENCE, CostComponent, Resource, costs, number, usage_component
from costing.prices.catalogue import PriceQuery


@cache
def expressroute_zones() -> dict[str, str]:
    """Peering location (lower case) -> ExpressRoute pricing zone (reference/expressroute_zones.csv)."""
    with (REFERENCE / "expressroute_zones.csv").open(newline="", encoding="utf-8") as handle:
        return {row["peering_location"].lower(): row["zone"] for row in csv.DictReader(handle)}


def bandwidth_text(mbps: int) -> str:
    """1000 -> '1 Gbps', 200 -> '200 Mbps' (the names ExpressRoute meters use)."""
    return f"{mbps // 1000} Gbps" if mbps >= 1000 and mbps % 1000 == 0 else f"{mbps} Mbps"


@costs("azure-native:network:ExpressRouteCircuit", usage=("outbound_data_gb",))
def expressroute_circuit(resource: Resource) -> list[CostComponent]:
    tier = str(resource.get("sku.tier") or "Standard")
    family = str(resource.get("sku.family") or "MeteredData")
    bandwidth = number(resource.get("serviceProviderProperties.bandwidthInMbps"))
    peering = str(resource.get("serviceProviderProperties.peeringLocation") or "")
    zone = expressroute_zones().get(peering.lower())
    data = "Unlimited Data" if family == "UnlimitedData" else "Metered Data"
    name = f"circuit ({tier} {data}, {bandwidth_text(int(bandwidth)) if bandwidth else '?'})"
    if zone is None or bandwidth is None:
        problem = (f"peering location {peering!r} has no ExpressRoute zone in "
                   "costing/forecast/reference/expressroute_zones.csv; add it"
                   if zone is None else "the circuit bandwidth is not known in the plan")
        return [CostComponent(name, "months", number(1), None, problem=problem)]
    found = [CostComponent(name, "months", number(1), PriceQuery.of(
        serviceName="ExpressRoute", productName="ExpressRoute", skuName=f"{tier} {data}",
        meterName=f"{tier} {data} {bandwidth_text(int(bandwidth))} Circuit", armRegionName=zone))]
    if family == "MeteredData":
        found.append(usage_component(resource, f"outbound data ({zone})", "GB", "outbound_data_gb", PriceQuery.of(
            serviceName="ExpressRoute", productName="ExpressRoute", skuName=f"{tier} {data}",
            meterName=f"{tier} {data} Data Transfer Out", armRegionName=zone)))
    return found


@costs("azure-native:network:VirtualNetworkGateway")
def virtual_network_gateway(resource: Resource) -> list[CostComponent]:
    sku = str(resource.get("sku.name") or "")
    kind = str(resource.get("gatewayType") or "Vpn")
    if not sku:
        return [CostComponent("gateway", "hours", HOURS_PER_MONTH, None, problem="the gateway SKU is not known")]
    if kind == "ExpressRoute":
        query = PriceQuery.of(serviceName="ExpressRoute", productName="ExpressRoute Gateway", skuName=sku,
                              meterName=f"{sku} Gateway", armRegionName=resource.region or "")
    else:
        query = PriceQuery.of(serviceName="VPN Gateway", productName="VPN Gateway", skuName=sku, meterName=sku,
                              armRegionName=resource.region or "")
    return [CostComponent(f"{kind} gateway ({sku})", "hours", HOURS_PER_MONTH, query)]


@costs("azure-native:network:PublicIPAddress")
def public_ip_address(resource: Resource) -> list[CostComponent]:
    sku = str(resource.get("sku.name") or "Basic")
    allocation = "Static" if sku == "Standard" else str(resource.get("publicIPAllocationMethod") or "Dynamic")
    version = "IPv6" if str(resource.get("publicIPAddressVersion") or "IPv4") == "IPv6" else "IPv4"
    query = PriceQuery.of(serviceName="Virtual Network", productName="IP Addresses", skuName=sku,
                          meterName=f"{sku} {version} {allocation} Public IP", armRegionName=resource.region or "")
    return [CostComponent(f"public IP ({sku} {version} {allocation})", "hours", HOURS_PER_MONTH, query)]
