"""Cost components for connectivity: ExpressRoute circuits and gateways, VPN gateways, public IP addresses.

An ExpressRoute circuit is priced monthly by tier, family and bandwidth in the zone of its peering location
(London is Zone 1), plus metered outbound data (`outbound_data_gb` in the usage file) on MeteredData circuits.
Gateways are priced by the hour for their SKU; public IPs by the hour for SKU and allocation.
"""

from __future__ import annotations

import csv
from functools import cache

from costing.forecast.model import HOURS_PER_MONTH, REFERENCE, CostComponent, number
from costing.forecast.specs import ExpressRouteCircuitSpec, GatewaySpec, PublicIpSpec
from costing.prices.catalogue import PriceQuery


@cache
def expressroute_zones() -> dict[str, str]:
    """Peering location (lower case) -> ExpressRoute pricing zone (reference/expressroute_zones.csv)."""
    with (REFERENCE / "expressroute_zones.csv").open(newline="", encoding="utf-8") as handle:
        return {row["peering_location"].lower(): row["zone"] for row in csv.DictReader(handle)}


def bandwidth_text(mbps: int) -> str:
    """1000 -> '1 Gbps', 200 -> '200 Mbps' (the names ExpressRoute meters use)."""
    return f"{mbps // 1000} Gbps" if mbps >= 1000 and mbps % 1000 == 0 else f"{mbps} Mbps"


def expressroute_circuit(spec: ExpressRouteCircuitSpec) -> list[CostComponent]:
    tier, family, bandwidth, peering = spec.tier, spec.family, spec.bandwidth_mbps, spec.peering_location
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
        found.append(CostComponent(f"outbound data ({zone})", "GB", spec.usage.get("outbound_data_gb"), PriceQuery.of(
            serviceName="ExpressRoute", productName="ExpressRoute", skuName=f"{tier} {data}",
            meterName=f"{tier} {data} Data Transfer Out", armRegionName=zone), usage_key="outbound_data_gb"))
    return found


def virtual_network_gateway(spec: GatewaySpec) -> list[CostComponent]:
    sku, kind = spec.sku, spec.kind
    if not sku:
        return [CostComponent("gateway", "hours", HOURS_PER_MONTH, None, problem="the gateway SKU is not known")]
    if kind == "ExpressRoute":
        query = PriceQuery.of(serviceName="ExpressRoute", productName="ExpressRoute Gateway", skuName=sku,
                              meterName=f"{sku} Gateway", armRegionName=spec.region)
    else:
        query = PriceQuery.of(serviceName="VPN Gateway", productName="VPN Gateway", skuName=sku, meterName=sku,
                              armRegionName=spec.region)
    return [CostComponent(f"{kind} gateway ({sku})", "hours", HOURS_PER_MONTH, query)]


def public_ip_address(spec: PublicIpSpec) -> list[CostComponent]:
    sku, version, allocation = spec.sku, spec.version, spec.allocation
    query = PriceQuery.of(serviceName="Virtual Network", productName="IP Addresses", skuName=sku,
                          meterName=f"{sku} {version} {allocation} Public IP", armRegionName=spec.region)
    return [CostComponent(f"public IP ({sku} {version} {allocation})", "hours", HOURS_PER_MONTH, query)]
