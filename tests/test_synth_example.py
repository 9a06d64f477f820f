"""`estate synth` on the bundled council example: every stack's plan matches the estate it came from."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from estate.definition.loader import load_estate
from estate.definition.model import Estate
from estate.foundation.plan import UNKNOWN, Plan, PlanResource, load_plan
from estate.synth.arm import arm_id
from estate.synth.stack_config import SECRET_STAND_IN
from tests.conftest import EXAMPLE_ESTATE, run_cli

pytestmark = pytest.mark.integration

WAVE_TAGS = {"business-case-line", "wave", "cost-centre", "application", "migration-strategy", "reservation"}
PLATFORM_TAGS = {"business-case-line", "wave", "cost-centre", "owner", "environment", "programme"}


@pytest.fixture(scope="module")
def estate() -> Estate:
    return load_estate(EXAMPLE_ESTATE)


@pytest.fixture(scope="module")
def plans(tmp_path_factory, estate) -> dict[str, Plan]:
    out = tmp_path_factory.mktemp("plans")
    result = run_cli("synth", "--all", "--out", out, "--estate", EXAMPLE_ESTATE)
    assert result.exit_code == 0, result.output
    return {stack: load_plan(out / f"{stack}.json") for stack in estate.stacks()}


def azure(plan: Plan, resource_type: str | None = None) -> list[PlanResource]:
    return [r for r in plan.staying() if r.type.startswith("azure-native:")
            and (resource_type is None or r.type == resource_type)]


def test_every_stack_of_the_estate_gets_a_plan_over_a_thousand_resources(plans, estate):
    assert sorted(plans) == sorted(estate.stacks())
    assert sum(len(azure(plan)) for plan in plans.values()) > 1000


def test_wave_plans_hold_a_nic_vm_and_backup_item_per_migrating_server(plans, estate):
    for wave in estate.waves:
        servers = list(estate.servers(wave))
        counts = Counter(r.type for r in azure(plans[wave.stack]))
        assert counts == {
            "azure-native:resources:ResourceGroup": 1,  # the wave stack owns its resource group
            "azure-native:compute:VirtualMachine": len(servers),
            "azure-native:network:NetworkInterface": len(servers),
            "azure-native:recoveryservices:ProtectedItem": sum(1 for s in servers if s.vm.backup),
        }, wave.name
        names = {r.inputs["vmName"] for r in azure(plans[wave.stack], "azure-native:compute:VirtualMachine")}
        retired = {name for s in estate.servers(wave, include_retired=True) if s.vm.strategy == "retire"
                   for name in [s.name]}
        assert names == {s.name for s in servers} and not names & retired


def test_platform_plan_holds_the_landing_zone_and_expressroute(plans, estate):
    counts = Counter(r.type for r in azure(plans["platform"]))
    subnets = estate.landing_zone.hub.subnets
    assert counts == {
        "azure-native:resources:ResourceGroup": 2,  # wave groups belong to the wave stacks
        "azure-native:network:VirtualNetwork": 1,
        "azure-native:network:Subnet": len(subnets),
        "azure-native:network:NetworkSecurityGroup": len(subnets) - 1,  # none on GatewaySubnet
        "azure-native:operationalinsights:Workspace": 1,
        "azure-native:keyvault:Vault": 1,
        "azure-native:recoveryservices:Vault": 1,
        "azure-native:recoveryservices:ProtectionPolicy": 1,
        "azure-native:authorization:PolicyAssignment": 2,
        "azure-native:network:ExpressRouteCircuit": 1,
        "azure-native:network:PublicIPAddress": 1,  # ErGw1AZ needs one
        "azure-native:network:VirtualNetworkGateway": 1,
        # no connection: step 2 (connection.enabled) once the provider has provisioned the circuit
        "azure-native:consumption:Budget": 2,  # one per cloud-run line of the business case
    }


def test_retained_plan_holds_arc_and_site_recovery_only(plans, estate):
    counts = Counter(r.type for r in azure(plans["retained"]))
    arc_groups = sum(1 for group in estate.retained if group.arc)
    assert counts == {"azure-native:resources:ResourceGroup": arc_groups + 1, "azure-native:recoveryservices:Vault": 1}


def test_every_located_resource_is_in_an_allowed_region(plans, estate):
    located = [r for plan in plans.values() for r in azure(plan) if "location" in r.inputs]
    assert len(located) > 1000
    assert {r.inputs["location"] for r in located} <= set(estate.regions.allowed)


def test_hybrid_benefit_vms_carry_their_licence_type(plans, estate):
    for wave in estate.waves:
        vms = {r.inputs["vmName"]: r for r in azure(plans[wave.stack], "azure-native:compute:VirtualMachine")}
        for server in estate.servers(wave):
            expected = ({"windows-server": "Windows_Server", "rhel": "RHEL_BYOS"}[server.vm.os]
                        if server.vm.hybrid_benefit else None)
            assert vms[server.name].inputs.get("licenseType") == expected, server.name


def test_vms_have_image_disks_size_and_boot_diagnostics_from_the_estate(plans, estate):
    wave = estate.wave("complex-a")
    vms = {r.inputs["vmName"]: r.inputs for r in azure(plans[wave.stack], "azure-native:compute:VirtualMachine")}
    sql = vms["lcc-scsql-01"]
    assert sql["hardwareProfile"] == {"vmSize": "Standard_E8s_v3"}
    assert sql["storageProfile"]["imageReference"] == {"publisher": "MicrosoftWindowsServer", "offer": "WindowsServer",
                                                       "sku": "2016-Datacenter", "version": "latest"}
    assert sql["storageProfile"]["osDisk"]["createOption"] == "FromImage"
    assert [(d["lun"], d["diskSizeGB"], d["managedDisk"]["storageAccountType"])
            for d in sql["storageProfile"]["dataDisks"]] == [(0, 1024, "Premium_LRS"), (1, 512, "Premium_LRS")]
    assert sql["diagnosticsProfile"] == {"bootDiagnostics": {"enabled": True}}
    assert sql["osProfile"]["adminPassword"] == "[secret]"
    linux = vms["lcc-ora-01"]["osProfile"]
    assert linux["linuxConfiguration"]["disablePasswordAuthentication"] is True


def test_expressroute_circuit_gateway_and_connection(plans, estate):
    spec = estate.connectivity.expressroute
    (circuit,) = azure(plans["platform"], "azure-native:network:ExpressRouteCircuit")
    assert circuit.inputs["serviceProviderProperties"] == {
        "serviceProviderName": "Jisc", "peeringLocation": "London", "bandwidthInMbps": spec.bandwidth_mbps}
    assert circuit.inputs["sku"] == {"name": "Standard_MeteredData", "tier": "Standard", "family": "MeteredData"}
    (gateway,) = azure(plans["platform"], "azure-native:network:VirtualNetworkGateway")
    assert gateway.inputs["gatewayType"] == "ExpressRoute" and gateway.inputs["sku"]["name"] == "ErGw1AZ"
    # A first preview: the subnet is created in the same update, so its id is unknown; the engine records where
    # the input comes from.
    assert gateway.inputs["ipConfigurations"][0]["subnet"]["id"] == UNKNOWN
    (gateway_subnet,) = [subnet for subnet in azure(plans["platform"], "azure-native:network:Subnet")
                         if subnet.inputs["subnetName"] == "GatewaySubnet"]
    assert gateway_subnet.urn in gateway.property_dependencies["ipConfigurations"]
    assert "publicIPAddress" in gateway.inputs["ipConfigurations"][0]
    # Step 1: the provider must provision the circuit before Azure accepts its private peering, so neither the
    # peering nor the connection is in the plan until `connection.enabled` (step 2, docs/deploy.md).
    assert not azure(plans["platform"], "azure-native:network:ExpressRouteCircuitPeering")
    assert not azure(plans["platform"], "azure-native:network:VirtualNetworkGatewayConnection")


def test_wave_nics_sit_in_the_platform_subnet_named_by_the_wave(plans, estate):
    subnets = {r.inputs["subnetName"]: arm_id(r.type, r.name, r.inputs)
               for r in azure(plans["platform"], "azure-native:network:Subnet")}
    for wave in estate.waves:
        nics = azure(plans[wave.stack], "azure-native:network:NetworkInterface")
        assert {nic.inputs["ipConfigurations"][0]["subnet"]["id"] for nic in nics} == {subnets[wave.subnet]}
        assert not any("publicIPAddress" in nic.inputs["ipConfigurations"][0] for nic in nics)


def test_backup_items_point_at_their_vm_and_the_platform_policy(plans, estate):
    (policy,) = azure(plans["platform"], "azure-native:recoveryservices:ProtectionPolicy")
    policy_id = arm_id(policy.type, policy.name, policy.inputs)
    wave = estate.wave("pilot")
    vms = {r.inputs["vmName"]: r.urn for r in azure(plans[wave.stack], "azure-native:compute:VirtualMachine")}
    items = azure(plans[wave.stack], "azure-native:recoveryservices:ProtectedItem")
    # The VM is created in the same update: its id is unknown, the item's properties depend on it.
    assert {item.inputs["properties"]["sourceResourceId"] for item in items} == {UNKNOWN}
    assert {item.name.removeprefix("backup-"): item.property_dependencies["properties"] for item in items} == {
        server: (urn,) for server, urn in vms.items()}
    # The platform is deployed before the wave: its policy id is known, as Azure gave it.
    assert {item.inputs["properties"]["policyId"] for item in items} == {policy_id}


def test_every_taggable_resource_carries_the_mandatory_tags(plans, estate):
    for stack, plan in plans.items():
        for resource in azure(plan):
            if resource.type in ("azure-native:network:Subnet", "azure-native:authorization:PolicyAssignment",
                                 "azure-native:consumption:Budget", "azure-native:network:ExpressRouteCircuitPeering",
                                 "azure-native:network:VirtualNetworkPeering"):
                continue  # none of these takes tags in Azure
            tags = resource.inputs.get("tags", {})
            required = {"business-case-line", "wave", "cost-centre"}
            if stack.startswith("wave-") and resource.type != "azure-native:resources:ResourceGroup":
                required = WAVE_TAGS
            assert required <= set(tags), (stack, resource.urn)
            assert set(estate.tags.common) <= set(tags), (stack, resource.urn)
            expected_wave = stack.removeprefix("wave-") if stack.startswith("wave-") else stack
            if resource.type != "azure-native:resources:ResourceGroup":
                assert tags["wave"] == expected_wave, resource.urn


def test_inputs_use_the_providers_camel_case_names(plans):
    snake = re.compile(r'"[a-z]+_[a-z_]+":')
    for plan in plans.values():
        for resource in azure(plan):
            assert not snake.search(json.dumps(resource.inputs)), resource.urn


def test_plans_show_secrets_blinded_and_the_stack_config(plans):
    for stack, plan in plans.items():
        assert plan.config["azure-native:location"] == "uksouth"
        assert plan.config["estate:estateFile"].endswith("stacks/estate.yaml")
        text = json.dumps([r.inputs for r in plan.resources]) + json.dumps(dict(plan.config))
        assert SECRET_STAND_IN not in text, stack
    assert "estate:expressRouteAuthorizationKey" not in plans["platform"].config  # the stack owns its circuit


def test_urns_and_providers_have_the_preview_shape(plans):
    plan = plans["wave-pilot"]
    vm = azure(plan, "azure-native:compute:VirtualMachine")[0]
    assert vm.urn.startswith("urn:pulumi:wave-pilot::estate::estate:wave:MigrationWave$"
                             "azure-native:compute:VirtualMachine::vm-")
    # A top-level component's URN carries no root-stack type (as the engine writes it).
    assert vm.parent == "urn:pulumi:wave-pilot::estate::estate:wave:MigrationWave::servers"
    assert re.fullmatch(r"urn:pulumi:wave-pilot::estate::pulumi:providers:azure-native::default_3_\d+_\d+",
                        vm.provider_urn)
    assert vm.provider.endswith("::04da6b54-80e4-46f7-96ec-b56ff0331ba9")
    assert plan.resources[0].type == "pulumi:pulumi:Stack"


def test_platform_plan_carries_budgets_derived_from_the_business_case(plans):
    """One budget per cloud-run line, for the financial year pinned in Pulumi.platform.yaml (2026/27, past the
    case's last period of 2024, so that year's run rate carried forward), filtered by the line's tag."""
    from costing.business_case import load_business_case
    from tests.conftest import ROOT

    case = load_business_case(ROOT / "stacks" / "business-case.yaml")
    run_rates = {line.id: line.values[-1] * 1000 for line in case.lines if line.kind == "cloud-run"}
    budgets = {b.inputs["filter"]["tags"]["values"][0]: b for b in azure(plans["platform"],
                                                                          "azure-native:consumption:Budget")}
    assert set(budgets) == set(run_rates) == {"azure-costs-sungard", "orchard-house-costs"}
    for line, budget in budgets.items():
        assert budget.inputs["amount"] == run_rates[line]
        assert budget.inputs["filter"]["tags"]["name"] == "business-case-line"
        assert budget.inputs["timePeriod"] == {"startDate": "2026-04-01T00:00:00Z", "endDate": "2027-03-31T00:00:00Z"}
        assert budget.inputs["timeGrain"] == "Annually"
        assert budget.inputs["scope"].startswith("/subscriptions/")
        emails = {tuple(n["contactEmails"]) for n in budget.inputs["notifications"].values()}
        assert emails == {("imt-cloud@example.gov.uk",)}


def test_the_program_writes_the_tags_the_stack_definitions_say(plans, estate):
    # estate.definition.stacks is the one definition of each stack's tags: what `estate check --estate` reads
    # before synthesis is exactly what the plans carry.
    from estate.definition.stacks import platform_tags, server_tags, stack_secrets, tag_sets, wave_tags

    hub = next(r for r in azure(plans["platform"], "azure-native:network:VirtualNetwork")
               if r.inputs["virtualNetworkName"].endswith("hub-uks"))
    assert dict(hub.tags) == platform_tags(estate)
    wave = estate.waves[0]
    vm = next(v for v in wave.vms if v.strategy != "retire")
    name = vm.name or vm.names()[0]
    planned = next(r for r in azure(plans[wave.stack], "azure-native:compute:VirtualMachine")
                   if r.inputs["vmName"] == name)
    assert dict(planned.tags) == server_tags(estate, wave, vm)
    group = next(r for r in azure(plans[wave.stack], "azure-native:resources:ResourceGroup"))
    assert dict(group.tags) == wave_tags(estate, wave)
    assert {each.what for each in tag_sets(estate)} >= {"platform resources", f"wave {wave.name} resource group"}
    families = {v.operating_system.family for v in wave.vms if v.strategy != "retire"}
    assert set(stack_secrets(estate, wave.stack)) == {key for family, key in (
        ("windows", "vmAdminPassword"), ("linux", "vmAdminSshPublicKey")) if family in families}
    assert stack_secrets(estate, "platform") == ()  # the stack creates its own circuit: no authorisation key
