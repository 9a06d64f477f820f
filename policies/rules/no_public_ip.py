"""no-public-ip: no public IP addresses, and no NICs (or inline VM NICs) with one.

Exempt: the ExpressRoute gateway's public IP when the estate's gateway SKU needs one (Microsoft manages
the gateway through it; `connectivity.expressroute.gateway_sku`), and resources the estate names under
`exemptions` with `rule: no-public-ip` and a reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from estate.foundation.plan import UNKNOWN
from policies.rules.base import MANDATORY, GuardrailSettings, PlanContext, Resource, Violation, json_path

NAME = "no-public-ip"
DESCRIPTION = "No public IP addresses and no NICs with one; workloads are reached over ExpressRoute."
REMEDIATION = ("remove the public IP (reach the server over ExpressRoute or Azure Bastion), or declare a "
               "reviewed exemption in the estate (exemptions: [{rule: no-public-ip, resources: [...], reason: ...}])")
PUBLIC_IP_TYPES = frozenset({"azure-native:network:PublicIPAddress", "azure-native:network:PublicIPPrefix"})
GATEWAY_TYPE = "azure-native:network:VirtualNetworkGateway"
# Types whose network settings may attach a public IP to a server's NIC, and where those settings are.
NIC_HOLDER_TYPES = {
    "azure-native:network:NetworkInterface": ("ipConfigurations",),
    "azure-native:compute:VirtualMachine": ("networkProfile",),
    "azure-native:compute:VirtualMachineScaleSet": ("virtualMachineProfile", "networkProfile"),
}
_PUBLIC_IP_KEYS = frozenset({"publicipaddress", "publicipaddressconfiguration"})


def expressroute_gateway_ips(resources: Iterable[Resource],
                             dependencies: Mapping[str, Iterable[str]] | None = None) -> frozenset[str]:
    """URNs of the public IPs that an ExpressRoute gateway in the same plan uses.

    A recorded dependency (the plan's `propertyDependencies` of the gateway's `ipConfigurations`, or the
    dependencies CrossGuard passes) or a known reference (`.../publicIPAddresses/<name>`) names the IP; an unknown
    reference with no dependency recorded (a hand-written plan) falls back to the IPs that share the gateway's
    parent component.
    """
    resources = list(resources)
    public_ips = [resource for resource in resources if resource.type in PUBLIC_IP_TYPES]
    found: set[str] = set()
    for gateway in resources:
        if gateway.type != GATEWAY_TYPE or str(gateway.inputs.get("gatewayType", "")).lower() != "expressroute":
            continue
        depends_on = (set((dependencies or {}).get(gateway.urn, ()))
                      | set(gateway.property_dependencies.get("ipConfigurations", ())))
        found.update(ip.urn for ip in public_ips if ip.urn in depends_on)
        for configuration in gateway.inputs.get("ipConfigurations") or []:
            reference = (configuration or {}).get("publicIPAddress") if isinstance(configuration, Mapping) else None
            ip_id = reference.get("id") if isinstance(reference, Mapping) else None
            if isinstance(ip_id, str) and UNKNOWN not in ip_id:
                wanted = ip_id.rstrip("/").rsplit("/", 1)[-1].lower()
                found.update(ip.urn for ip in public_ips
                             if wanted in {(ip.azure_name or "").lower(), ip.name.lower()})
            elif gateway.parent and not depends_on:
                found.update(ip.urn for ip in public_ips if ip.parent == gateway.parent)
    return frozenset(found)


def attached_public_ips(node: Any, path: str = "inputs") -> Iterator[tuple[str, Any]]:
    """(JSON path, value) of every public IP attached anywhere in a NIC's or VM's network settings."""
    for parts, value in _public_ip_values(node, ()):
        yield json_path(path, *parts), value


def _public_ip_values(node: Any, parts: tuple[str | int, ...]) -> Iterator[tuple[tuple, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if str(key).lower() in _PUBLIC_IP_KEYS:
                if value not in (None, {}, ""):
                    yield (*parts, str(key)), value
            elif isinstance(value, dict | list):
                yield from _public_ip_values(value, (*parts, str(key)))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            if isinstance(item, dict | list):
                yield from _public_ip_values(item, (*parts, index))


def _name_path(resource: Resource) -> str:
    key = resource.azure_name_key
    return json_path("inputs", key) if key else "inputs"


def check(resource: Resource, settings: GuardrailSettings, context: PlanContext) -> Iterator[Violation]:
    """Violations of no-public-ip by one resource."""
    if resource.type in PUBLIC_IP_TYPES:
        if settings.exemption(NAME, resource):
            return
        if resource.urn in context.expressroute_gateway_ips:
            if settings.expressroute_gateway_public_ip:
                return
            why = (f"the ExpressRoute gateway SKU {settings.expressroute_gateway_sku} runs without one"
                   if settings.expressroute_gateway_sku else "the estate declares no ExpressRoute gateway")
            yield Violation(NAME, MANDATORY, resource.urn, resource.type, _name_path(resource), resource.azure_name,
                            f"public IP for an ExpressRoute gateway, but {why}; remove it")
            return
        yield Violation(NAME, MANDATORY, resource.urn, resource.type, _name_path(resource),
                        resource.azure_name or resource.name,
                        f"public IP address {resource.azure_name or resource.name!r}; {REMEDIATION}")
    elif resource.type in NIC_HOLDER_TYPES and not settings.exemption(NAME, resource):
        network: Any = resource.inputs
        for key in NIC_HOLDER_TYPES[resource.type]:
            network = network.get(key) if isinstance(network, dict) else None
        where = json_path("inputs", *NIC_HOLDER_TYPES[resource.type])
        for path, value in attached_public_ips(network, where):
            yield Violation(NAME, MANDATORY, resource.urn, resource.type, path, value,
                            f"network interface with a public IP; {REMEDIATION}")
