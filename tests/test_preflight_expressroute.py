"""azure-preflight-expressroute: peering before connection, the circuit's provisioning, gateway SKU, GatewaySubnet."""

from __future__ import annotations

from estate.foundation.plan import UNKNOWN
from policies.rules.preflight.expressroute import NAME, REMEDIATION
from tests.preflight_plans import CIRCUIT_ID, base_steps, findings, first_preview, from_the_plan, inputs


def test_an_existing_circuit_with_its_private_peering_passes():
    assert findings(base_steps(), NAME) == []


def test_a_connection_without_the_private_peering_is_refused():
    steps = base_steps()
    del steps["peering"]
    assert findings(steps, NAME) == [(
        "connection", "mandatory", CIRCUIT_ID, "inputs.peer.id",
        "circuit 'erc-lcc-london' has no AzurePrivatePeering in the plan; a connection needs the circuit's private "
        f"peering (peer ASN, primary and secondary /30 prefixes, VLAN id) first; {REMEDIATION}")]


def test_peering_and_connection_in_the_same_update_as_a_new_circuit_are_refused():
    steps = base_steps()
    steps["circuit"]["op"] = "create"
    circuit = steps["circuit"]["urn"]
    assert findings(steps, NAME) == [
        ("peering", "mandatory", "erc-lcc-london", "inputs.circuitName",
         f"the peering is created in the same update as its circuit {circuit}; Azure accepts a peering only once the "
         f"provider has provisioned the circuit; {REMEDIATION}"),
        ("connection", "mandatory", CIRCUIT_ID, "inputs.peer.id",
         f"the connection is created in the same update as its circuit {circuit}; the provider must provision the "
         f"circuit first; {REMEDIATION}"),
    ]


def test_a_gateway_subnet_smaller_than_27_is_refused():
    steps = base_steps()
    inputs(steps, "snet-gw")["addressPrefix"] = "10.60.0.0/28"
    assert findings(steps, NAME) == [(
        "snet-gw", "mandatory", "10.60.0.0/28", "inputs.addressPrefix",
        "GatewaySubnet is /28; an ExpressRoute gateway needs /27 or larger: widen it in landing_zone.hub.subnets")]


def test_a_gateway_subnet_with_an_nsg_or_a_nic_is_refused():
    steps = base_steps()
    inputs(steps, "snet-gw")["networkSecurityGroup"] = {"id": "/subscriptions/x/resourceGroups/rg/providers/"
                                                               "Microsoft.Network/networkSecurityGroups/nsg"}
    inputs(steps, "nic")["ipConfigurations"][0]["subnet"]["id"] = inputs(steps, "gateway")["ipConfigurations"][0][
        "subnet"]["id"]
    messages = {(name, message) for name, _, _, _, message in findings(steps, NAME)}
    assert messages == {
        ("snet-gw", "GatewaySubnet has a network security group; Azure does not support an NSG on the gateway subnet: "
                    "remove it"),
        ("nic", "a network interface in GatewaySubnet; the gateway subnet holds only the gateway: place the NIC in a "
                "workload subnet")}


def test_a_gateway_outside_gateway_subnet_or_with_a_vpn_sku_is_refused():
    steps = base_steps()
    gateway = inputs(steps, "gateway")
    gateway["sku"] = {"name": "VpnGw1", "tier": "VpnGw1"}
    gateway["ipConfigurations"][0]["subnet"]["id"] = inputs(steps, "nic")["ipConfigurations"][0]["subnet"]["id"]
    assert [(f[3], f[4]) for f in findings(steps, NAME)] == [
        ("inputs.sku.name", "VpnGw1 is not an ExpressRoute gateway SKU; use one of Standard, ErGw1AZ, "
                            "HighPerformance, ErGw2AZ, UltraPerformance, ErGw3AZ, ErGwScale"),
        ("inputs.ipConfigurations[0].subnet.id", "a virtual network gateway must be in the subnet named exactly "
                                                 "'GatewaySubnet'")]


def test_a_gateway_smaller_than_the_circuit_is_advisory():
    steps = base_steps()
    inputs(steps, "circuit")["serviceProviderProperties"]["bandwidthInMbps"] = 10000
    assert findings(steps, NAME) == [(
        "connection", "advisory", "ErGw1AZ", "inputs.virtualNetworkGateway1.id",
        "gateway SKU ErGw1AZ carries about 1000 Mbps but circuit 'erc-lcc-london' is 10000 Mbps; choose a larger "
        "gateway SKU (connectivity.expressroute.gateway_sku) or accept the cap")]


# A first `pulumi preview` shows the id (or name) of a resource the same plan creates as unknown; the rule follows
# the input's recorded property dependency to that resource.

def test_a_first_preview_of_the_plan_passes():
    assert findings(first_preview(base_steps()), NAME) == []


def test_peering_and_connection_whose_unknown_circuit_reference_is_a_new_circuit_are_refused():
    steps = first_preview(base_steps())
    steps["circuit"]["op"] = "create"
    from_the_plan(steps, "peering", ("circuitName",), "circuit")
    from_the_plan(steps, "connection", ("peer", "id"), "circuit")
    circuit = steps["circuit"]["urn"]
    assert findings(steps, NAME) == [
        ("peering", "mandatory", UNKNOWN, "inputs.circuitName",
         f"the peering is created in the same update as its circuit {circuit}; Azure accepts a peering only once the "
         f"provider has provisioned the circuit; {REMEDIATION}"),
        ("connection", "mandatory", UNKNOWN, "inputs.peer.id",
         f"the connection is created in the same update as its circuit {circuit}; the provider must provision the "
         f"circuit first; {REMEDIATION}"),
    ]


def test_a_connection_to_an_unknown_circuit_id_without_its_peering_is_refused():
    steps = first_preview(base_steps())
    del steps["peering"]
    from_the_plan(steps, "connection", ("peer", "id"), "circuit")
    assert findings(steps, NAME) == [(
        "connection", "mandatory", UNKNOWN, "inputs.peer.id",
        "circuit 'erc-lcc-london' has no AzurePrivatePeering in the plan; a connection needs the circuit's private "
        f"peering (peer ASN, primary and secondary /30 prefixes, VLAN id) first; {REMEDIATION}")]


def test_a_nic_whose_unknown_subnet_id_comes_from_gateway_subnet_is_refused():
    steps = first_preview(base_steps())
    steps["nic"]["newState"]["propertyDependencies"]["ipConfigurations"] = [steps["snet-gw"]["urn"]]
    assert findings(steps, NAME) == [(
        "nic", "mandatory", UNKNOWN, "inputs.ipConfigurations[0].subnet.id",
        f"a network interface in GatewaySubnet (subnet {steps['snet-gw']['urn']}, unknown until deployment); the "
        "gateway subnet holds only the gateway: place the NIC in a workload subnet")]


def test_a_gateway_whose_unknown_subnet_id_comes_from_a_workload_subnet_is_refused():
    steps = first_preview(base_steps())
    steps["gateway"]["newState"]["propertyDependencies"]["ipConfigurations"] = [steps["snet-workloads"]["urn"]]
    assert findings(steps, NAME) == [(
        "gateway", "mandatory", UNKNOWN, "inputs.ipConfigurations[0].subnet.id",
        "a virtual network gateway must be in the subnet named exactly 'GatewaySubnet' (subnet "
        f"{steps['snet-workloads']['urn']}, unknown until deployment)")]


def test_a_gateway_behind_an_unknown_id_smaller_than_the_circuit_is_advisory():
    steps = first_preview(base_steps())
    assert inputs(steps, "connection")["virtualNetworkGateway1"]["id"] == UNKNOWN
    inputs(steps, "circuit")["serviceProviderProperties"]["bandwidthInMbps"] = 10000
    assert [f[:4] for f in findings(steps, NAME)] == [
        ("connection", "advisory", "ErGw1AZ", "inputs.virtualNetworkGateway1.id")]
