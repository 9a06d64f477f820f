"""no-public-ip: no public IPs or NICs with one, except the ExpressRoute gateway's and declared exemptions."""

from __future__ import annotations

from estate.definition.model import Exemption
from estate.foundation.plan import UNKNOWN
from policies.plan_check import check_plan
from policies.rules import RULES
from policies.rules.base import GuardrailSettings
from policies.rules.no_public_ip import NAME
from tests.guardrail_plans import PLATFORM_TAGS, make_plan, nic, platform_plan_steps, step, urn, vm

GATEWAY_NEEDS_IP = GuardrailSettings(expressroute_gateway_public_ip=True, expressroute_gateway_sku="ErGw1AZ")
RULE = [RULES[NAME]]


def _violations(*steps, settings=GATEWAY_NEEDS_IP):
    return check_plan(make_plan(*steps), settings, RULE).violations


def _public_ip(name="pip-web", parent=None):
    return step("azure-native:network:PublicIPAddress", name,
                {"publicIpAddressName": name, "resourceGroupName": "rg", "location": "uksouth",
                 "sku": {"name": "Standard"}, "publicIPAllocationMethod": "Static", "tags": PLATFORM_TAGS},
                parent=parent)


def test_the_expressroute_gateways_ip_is_exempt_when_its_sku_needs_one():
    assert _violations(*platform_plan_steps(), vm(), nic()) == []


def test_the_gateways_ip_is_a_violation_when_its_sku_needs_none():
    scalable = GuardrailSettings(expressroute_gateway_public_ip=False, expressroute_gateway_sku="ErGwScale")
    (violation,) = _violations(*platform_plan_steps(), settings=scalable)
    assert violation.urn.endswith("::pip-lcc-ergw")
    assert "ErGwScale runs without one" in violation.message


def test_any_other_public_ip_is_a_mandatory_violation():
    (violation,) = _violations(*platform_plan_steps(), _public_ip())
    assert (violation.rule, violation.enforcement, violation.path, violation.value) == (
        "no-public-ip", "mandatory", "inputs.publicIpAddressName", "pip-web")
    assert violation.type == "azure-native:network:PublicIPAddress"


def test_a_gateway_naming_its_ip_by_a_known_id_exempts_only_that_ip():
    steps = platform_plan_steps(gateway_parent=urn("platform", "estate:other:Component", "elsewhere"))
    gateway = next(s for s in steps if s["newState"]["type"] == "azure-native:network:VirtualNetworkGateway")
    gateway["newState"]["inputs"]["ipConfigurations"][0]["publicIPAddress"]["id"] = (
        "/subscriptions/0/resourceGroups/rg-lcc-platform/providers/Microsoft.Network/publicIPAddresses/pip-lcc-ergw")
    assert _violations(*steps) == []
    gateway["newState"]["inputs"]["ipConfigurations"][0]["publicIPAddress"]["id"] = "/x/publicIPAddresses/other"
    (violation,) = _violations(*steps)
    assert violation.urn.endswith("::pip-lcc-ergw")


def test_an_unknown_reference_falls_back_to_ips_beside_the_gateway_only():
    elsewhere = urn("platform", "estate:other:Component", "elsewhere")
    (violation,) = _violations(*platform_plan_steps(gateway_parent=elsewhere))
    assert violation.urn.endswith("::pip-lcc-ergw")


def test_a_non_expressroute_gateway_exempts_nothing():
    steps = platform_plan_steps()
    gateway = next(s for s in steps if s["newState"]["type"] == "azure-native:network:VirtualNetworkGateway")
    gateway["newState"]["inputs"]["gatewayType"] = "Vpn"
    assert len(_violations(*steps)) == 1


def test_a_nic_with_a_public_ip_is_a_violation_at_its_ip_configuration():
    (violation,) = _violations(nic(public_ip={"id": UNKNOWN}))
    assert violation.path == "inputs.ipConfigurations[0].publicIPAddress"
    assert violation.type == "azure-native:network:NetworkInterface"


def test_a_vm_with_an_inline_public_ip_configuration_is_a_violation():
    inline = {"networkApiVersion": "2020-11-01", "networkInterfaceConfigurations": [{
        "name": "nic", "ipConfigurations": [{"name": "ip", "publicIPAddressConfiguration": {"name": "pip"}}]}]}
    (violation,) = _violations(vm(networkProfile=inline))
    assert violation.path == ("inputs.networkProfile.networkInterfaceConfigurations[0].ipConfigurations[0]"
                              ".publicIPAddressConfiguration")


def test_nics_without_public_ips_pass():
    assert _violations(nic(), nic("nic-2", public_ip={})) == []


def test_declared_exemptions_cover_named_resources_only():
    bastion = Exemption(rule="no-public-ip", resources=["pip-bastion"], reason="Azure Bastion needs a public IP")
    settings = GuardrailSettings(exemptions=(bastion,))
    assert _violations(_public_ip("pip-bastion"), settings=settings) == []
    assert len(_violations(_public_ip("pip-bastion"), _public_ip("pip-web"), settings=settings)) == 1


def test_deleted_public_ips_are_not_violations():
    leaving = _public_ip()
    leaving["op"] = "delete"
    leaving["oldState"] = leaving.pop("newState")
    assert _violations(leaving) == []


def test_an_unknown_reference_with_a_recorded_dependency_exempts_only_the_ip_it_depends_on():
    # As estate synth and a real first preview record it: the gateway's public IP id is unknown, and the
    # gateway's ipConfigurations name the IP they came from. Another IP beside the gateway is no exemption.
    steps = platform_plan_steps()
    gateway = next(s for s in steps if s["newState"]["type"] == "azure-native:network:VirtualNetworkGateway")
    ergw = next(s for s in steps if s["urn"].endswith("::pip-lcc-ergw"))
    gateway["newState"]["inputs"]["ipConfigurations"][0]["publicIPAddress"]["id"] = UNKNOWN
    gateway["newState"]["propertyDependencies"] = {"ipConfigurations": [ergw["urn"]]}
    beside = _public_ip("pip-beside", parent=ergw["newState"]["parent"])
    (violation,) = _violations(*steps, beside)
    assert violation.urn.endswith("::pip-beside")
