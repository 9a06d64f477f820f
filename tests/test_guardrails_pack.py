"""The CrossGuard pack: each policy's validate callable with pulumi-policy's own argument types, and the
pack itself loading as a real analyzer (Pulumi's gRPC protocol over loopback)."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import unknown_checking_proxy

from estate.foundation.plan import UNKNOWN
from policies import pack
from tests.conftest import EXAMPLE_ESTATE, ROOT
from tests.guardrail_plans import PLATFORM_TAGS, SERVER_TAGS

VM_TYPE = "azure-native:compute:VirtualMachine"


@pytest.fixture(autouse=True)
def example_estate(monkeypatch):
    monkeypatch.setenv(pack.ESTATE_FILE_ENV, str(EXAMPLE_ESTATE))
    pack.pack_settings.cache_clear()
    yield
    pack.pack_settings.cache_clear()


PREFLIGHT = ["azure-preflight-names", "azure-preflight-regions", "azure-preflight-expressroute", "azure-preflight-vm",
             "azure-preflight-dependencies"]


def _policy(name):
    return next(policy for policy in pack.policies() if policy.name == name)


def _options(parent=None):
    return PolicyResourceOptions(protect=False, ignore_changes=[], delete_before_replace=None, aliases=[],
                                 custom_timeouts=PolicyCustomTimeouts(0, 0, 0), additional_secret_outputs=[],
                                 parent=parent)


def _provider(location="uksouth"):
    props = {"location": location} if location else {}
    return PolicyProviderResource("pulumi:providers:azure-native", unknown_checking_proxy(props),
                                  "urn:pulumi:platform::estate::pulumi:providers:azure-native::default", "default")


def _args(resource_type, props, name="r", provider=None):
    return ResourceValidationArgs(resource_type, unknown_checking_proxy(props),
                                  f"urn:pulumi:platform::estate::{resource_type}::{name}", name, _options(),
                                  provider or _provider())


def _validate(policy_name, args):
    reported = []
    _policy(policy_name).validate(args, lambda message, urn=None: reported.append((message, urn)))
    return reported


def test_the_pack_has_every_rule_with_its_enforcement():
    policies = {policy.name: policy for policy in pack.policies()}
    assert list(policies) == ["uk-regions-only", "required-tags", "no-public-ip", "supported-os",
                              "supported-os-advisory", *PREFLIGHT]
    assert isinstance(policies["no-public-ip"], StackValidationPolicy)
    assert all(isinstance(policies[name], StackValidationPolicy) for name in PREFLIGHT)
    assert all(isinstance(policies[name], ResourceValidationPolicy)
               for name in ("uk-regions-only", "required-tags", "supported-os", "supported-os-advisory"))
    assert policies["supported-os-advisory"].enforcement_level == EnforcementLevel.ADVISORY
    assert policies["uk-regions-only"].enforcement_level == EnforcementLevel.MANDATORY


def test_uk_regions_only_reports_a_non_uk_location():
    props = {"resourceGroupName": "rg", "location": "westeurope", "tags": PLATFORM_TAGS}
    ((message, _),) = _validate("uk-regions-only", _args("azure-native:resources:ResourceGroup", props))
    assert message.startswith("inputs.location = 'westeurope': westeurope is outside the allowed regions")


def test_uk_regions_only_uses_the_providers_location_and_tolerates_unknowns():
    props = {"resourceGroupName": "rg", "tags": PLATFORM_TAGS, "id": UNKNOWN, "nested": {"subnet": {"id": UNKNOWN}}}
    args = _args("azure-native:resources:ResourceGroup", props, provider=_provider("northeurope"))
    ((message, _),) = _validate("uk-regions-only", args)
    assert "its provider default's location 'northeurope'" in message
    assert _validate("uk-regions-only", _args("azure-native:resources:ResourceGroup", props)) == []


def test_required_tags_reports_each_missing_tag():
    props = {"resourceGroupName": "rg", "location": "uksouth", "tags": {"wave": "platform"}}
    reported = _validate("required-tags", _args("azure-native:resources:ResourceGroup", props))
    assert sorted(message.split(" =")[0] for message, _ in reported) == [
        "inputs.tags['business-case-line']", "inputs.tags['cost-centre']"]


def _vm_props(sku, wave):
    return {"vmName": "vm-1", "location": "uksouth", "tags": {**SERVER_TAGS, "wave": wave},
            "storageProfile": {"imageReference": {"publisher": "MicrosoftWindowsServer", "offer": "WindowsServer",
                                                  "sku": sku, "version": "latest"}}}


def test_supported_os_splits_mandatory_and_advisory_into_two_policies(monkeypatch, tmp_path):
    estate = EXAMPLE_ESTATE.read_text().replace("planned_month: 2020-11", "planned_month: 2025-12")
    (tmp_path / "estate.yaml").write_text(estate)
    monkeypatch.setenv(pack.ESTATE_FILE_ENV, str(tmp_path / "estate.yaml"))
    pack.pack_settings.cache_clear()
    old = _args(VM_TYPE, _vm_props("2008-R2-SP1", "orchard-2008"))
    ending = _args(VM_TYPE, _vm_props("2012-R2-Datacenter", "orchard-2008"))
    assert len(_validate("supported-os", old)) == 1 and _validate("supported-os-advisory", old) == []
    assert _validate("supported-os", ending) == [] and len(_validate("supported-os-advisory", ending)) == 1


def _stack_resource(resource_type, name, props, parent=None):
    return PolicyResource(resource_type, unknown_checking_proxy(props),
                          f"urn:pulumi:platform::estate::{resource_type}::{name}", name, _options(parent),
                          _provider(), None, [], {})


def test_no_public_ip_exempts_the_expressroute_gateways_ip_through_its_dependency():
    ip = _stack_resource("azure-native:network:PublicIPAddress", "pip-ergw",
                         {"publicIpAddressName": "pip-ergw", "location": "uksouth", "tags": PLATFORM_TAGS})
    stray = _stack_resource("azure-native:network:PublicIPAddress", "pip-web",
                            {"publicIpAddressName": "pip-web", "location": "uksouth", "tags": PLATFORM_TAGS})
    gateway = _stack_resource("azure-native:network:VirtualNetworkGateway", "vgw",
                              {"gatewayType": "ExpressRoute",
                               "ipConfigurations": [{"publicIPAddress": {"id": UNKNOWN}}]})
    gateway.dependencies.append(ip)
    reported = []
    _policy("no-public-ip").validate(StackValidationArgs([ip, stray, gateway]),
                                     lambda message, urn=None: reported.append((message, urn)))
    assert [urn for _, urn in reported] == [stray.urn]


def test_an_unreadable_estate_is_reported_not_raised(monkeypatch, tmp_path):
    monkeypatch.setenv(pack.ESTATE_FILE_ENV, str(tmp_path / "missing.yaml"))
    pack.pack_settings.cache_clear()
    ((message, _),) = _validate("uk-regions-only", _args("azure-native:resources:ResourceGroup", {}))
    assert "cannot read the estate" in message and "no such file" in message


def test_pulumi_policy_yaml_describes_a_python_pack():
    from ruamel.yaml import YAML

    document = YAML(typ="safe").load((ROOT / "policies" / "PulumiPolicy.yaml").read_text())
    assert document["runtime"]["name"] == "python"
    assert (ROOT / "policies" / "__main__.py").is_file()


@pytest.mark.integration
def test_the_pack_loads_as_a_crossguard_analyzer_and_answers_over_grpc():
    """Start the pack the way Pulumi does (`python -m pulumi.policy ENGINE PACKDIR`), then call it over gRPC."""
    import grpc
    from google.protobuf import empty_pb2, struct_pb2
    from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

    env = {"PATH": "/usr/bin:/bin", "ESTATE_FILE": str(EXAMPLE_ESTATE)}
    process = subprocess.Popen([sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:1", str(ROOT / "policies")],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=env, text=True)
    try:
        port = _read_port(process)
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = analyzer_pb2_grpc.AnalyzerStub(channel)
            info = stub.GetAnalyzerInfo(empty_pb2.Empty(), timeout=20)
            assert info.name == "estate-guardrails"
            assert [policy.name for policy in info.policies] == [
                "uk-regions-only", "required-tags", "no-public-ip", "supported-os", "supported-os-advisory", *PREFLIGHT]
            properties = struct_pb2.Struct()
            properties.update({"resourceGroupName": "rg", "location": "westeurope", "tags": PLATFORM_TAGS})
            request = analyzer_pb2.AnalyzeRequest(
                type="azure-native:resources:ResourceGroup", properties=properties,
                urn="urn:pulumi:platform::estate::azure-native:resources:ResourceGroup::rg", name="rg")
            response = stub.Analyze(request, timeout=20)
            assert [(d.policyName, d.enforcementLevel) for d in response.diagnostics] == [
                ("uk-regions-only", analyzer_pb2.MANDATORY)]
            assert "westeurope is outside the allowed regions" in response.diagnostics[0].message
            stack = stub.AnalyzeStack(analyzer_pb2.AnalyzeStackRequest(resources=_stack_over_grpc()), timeout=20)
            assert [(d.policyName, d.urn.rsplit("::", 1)[-1]) for d in stack.diagnostics] == [
                ("no-public-ip", "pip-web")]
    finally:
        process.kill()
        process.wait(timeout=10)


def _stack_over_grpc():
    from google.protobuf import struct_pb2
    from pulumi.runtime.proto import analyzer_pb2

    def resource(resource_type, name, props, dependencies=()):
        properties = struct_pb2.Struct()
        properties.update(props)
        return analyzer_pb2.AnalyzerResource(
            type=resource_type, properties=properties, name=name, dependencies=list(dependencies),
            urn=f"urn:pulumi:platform::estate::{resource_type}::{name}")

    ip_type = "azure-native:network:PublicIPAddress"
    return [
        resource(ip_type, "pip-ergw", {"publicIpAddressName": "pip-ergw", "location": "uksouth"}),
        resource(ip_type, "pip-web", {"publicIpAddressName": "pip-web", "location": "uksouth"}),
        resource("azure-native:network:VirtualNetworkGateway", "vgw",
                 {"gatewayType": "ExpressRoute", "ipConfigurations": [{"publicIPAddress": {"id": UNKNOWN}}]},
                 dependencies=[f"urn:pulumi:platform::estate::{ip_type}::pip-ergw"]),
    ]


def _read_port(process: subprocess.Popen) -> int:
    deadline = time.monotonic() + 60
    line = ""
    while time.monotonic() < deadline and not line.strip():
        line = process.stdout.readline()
        if process.poll() is not None and not line:
            raise AssertionError(f"the pack exited: {process.stderr.read()}")
    assert line.strip().isdigit(), f"expected the analyzer port, got {line!r}"
    return int(line)


def test_azure_preflight_runs_as_a_stack_policy_seeing_the_whole_stack():
    subnet_id = ("/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/"
                 "apps")
    vnet = _stack_resource("azure-native:network:VirtualNetwork", "vnet",
                           {"virtualNetworkName": "vnet", "resourceGroupName": "rg", "location": "uksouth"})
    subnet = _stack_resource("azure-native:network:Subnet", "apps",
                             {"subnetName": "apps", "virtualNetworkName": "vnet", "resourceGroupName": "rg",
                              "addressPrefix": "10.0.1.0/24"})
    nic = _stack_resource("azure-native:network:NetworkInterface", "nic",
                          {"networkInterfaceName": "nic", "resourceGroupName": "rg", "location": "ukwest",
                           "ipConfigurations": [{"name": "ipconfig1", "subnet": {"id": subnet_id}}]})
    reported = []
    _policy("azure-preflight-regions").validate(StackValidationArgs([vnet, subnet, nic]),
                                                lambda message, urn=None: reported.append((message, urn)))
    assert [urn for _, urn in reported] == [nic.urn]
    assert reported[0][0].startswith(f"inputs.ipConfigurations[0].subnet.id = {subnet_id!r}: NetworkInterface in "
                                     f"ukwest but its subnet's virtual network {vnet.urn} is in uksouth")
