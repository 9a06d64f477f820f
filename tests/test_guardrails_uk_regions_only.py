"""uk-regions-only: every resource and every region named in its inputs stays in the allowed UK regions."""

from __future__ import annotations

import json

import pytest

from policies.plan_check import check_plan
from policies.rules import RULES
from policies.rules.base import GuardrailSettings, PlanContext, Resource
from policies.rules.uk_regions_only import NAME, check, region_inputs, region_problem
from tests.guardrail_plans import (
    PLATFORM_TAGS,
    default_provider,
    make_plan,
    platform_plan_steps,
    resource_group,
    step,
    urn,
    vm,
)

SETTINGS = GuardrailSettings()
RULE = [RULES[NAME]]


def _violations(*steps, config=None, settings=SETTINGS, stacks_dir="stacks"):
    return check_plan(make_plan(*steps, config=config), settings, RULE, stacks_dir=stacks_dir).violations


def test_compliant_platform_plan_has_no_violations():
    assert _violations(*platform_plan_steps(), vm()) == []


def test_resource_outside_the_uk_is_a_mandatory_violation_with_its_path_and_value():
    (violation,) = _violations(resource_group("rg-eu", location="westeurope"))
    assert (violation.rule, violation.enforcement, violation.path, violation.value) == (
        "uk-regions-only", "mandatory", "inputs.location", "westeurope")
    assert violation.urn == urn("platform", "azure-native:resources:ResourceGroup", "rg-eu")
    assert violation.type == "azure-native:resources:ResourceGroup"
    assert violation.message.startswith("westeurope is outside the allowed regions (uksouth, ukwest)")


@pytest.mark.parametrize("spelling", ["uksouth", "UK South", "uk south", "UKSouth", "uks", "UK West", "ukwest",
                                      "GLOBAL", "global"])
def test_display_names_aliases_and_global_are_allowed(spelling):
    assert _violations(resource_group(location=spelling)) == []


@pytest.mark.parametrize(("spelling", "region"), [("West Europe", "westeurope"), ("North Europe", "northeurope"),
                                                  ("East US", "eastus"), ("francecentral", "francecentral")])
def test_display_name_of_a_non_uk_region_is_normalised_in_the_message(spelling, region):
    (violation,) = _violations(resource_group(location=spelling))
    assert violation.value == spelling
    assert f"({region}) is outside" in violation.message or violation.message.startswith(f"{region} is outside")


def test_unknown_region_name_is_a_violation():
    (violation,) = _violations(resource_group(location="Atlantis"))
    assert violation.message.startswith("'Atlantis' is not an Azure region")


def test_nested_region_lists_on_multi_region_resources_are_checked_with_their_paths():
    account = step("azure-native:documentdb:DatabaseAccount", "cosmos-lcc", {
        "accountName": "cosmos-lcc", "resourceGroupName": "rg", "location": "uksouth",
        "locations": [{"locationName": "UK South", "failoverPriority": 0},
                      {"locationName": "West Europe", "failoverPriority": 1}],
        "tags": PLATFORM_TAGS})
    (violation,) = _violations(account)
    assert (violation.path, violation.value) == ("inputs.locations[1].locationName", "West Europe")


@pytest.mark.parametrize("key", ["secondaryLocation", "failoverRegion", "replicaLocation", "recoveryLocation",
                                 "backupLocation", "targetRegion"])
def test_secondary_replica_failover_recovery_and_backup_locations_are_checked(key):
    resource = Resource("urn:x", "azure-native:dbforpostgresql:Server", "db",
                        {"location": "uksouth", "properties": {"geo": {key: "northeurope"}}})
    (violation,) = check(resource, SETTINGS, PlanContext())
    assert violation.path == f"inputs.properties.geo.{key}"


def test_region_lists_inside_arm_parameter_values_are_checked():
    assignment = step("azure-native:authorization:PolicyAssignment", "allowed-locations", {
        "policyAssignmentName": "allowed-locations", "scope": "/subscriptions/0",
        "parameters": {"listOfAllowedLocations": {"value": ["uksouth", "eastus"]}}})
    (violation,) = _violations(assignment)
    assert violation.path == "inputs.parameters.listOfAllowedLocations.value[1]"


def test_expressroute_peering_location_is_a_site_not_a_region():
    # Regions.csv maps `london` to uksouth and other cities to other regions: peering sites are never read.
    circuit = step("azure-native:network:ExpressRouteCircuit", "erc", {
        "circuitName": "erc", "resourceGroupName": "rg", "location": "uksouth",
        "serviceProviderProperties": {"serviceProviderName": "Equinix", "peeringLocation": "Amsterdam",
                                      "bandwidthInMbps": 1000}, "tags": PLATFORM_TAGS})
    assert _violations(circuit) == []
    assert list(region_inputs(circuit["newState"]["inputs"])) == [("inputs.location", "uksouth")]


def test_tags_are_free_text_not_regions():
    assert _violations(resource_group(tags={**PLATFORM_TAGS, "location": "Paris office"})) == []


def test_unknown_location_is_not_a_violation():
    assert region_problem("04da6b54-80e4-46f7-96ec-b56ff0331ba9", ["uksouth"]) is None


def test_a_resource_without_location_takes_its_explicit_providers_location():
    provider_urn = urn("platform", "pulumi:providers:azure-native", "paris")
    provider = step("pulumi:providers:azure-native", "paris", {"location": "francecentral"}, provider=False)
    group = resource_group("rg-default", location=None)
    group["newState"]["provider"] = group["provider"] = f"{provider_urn}::id"
    violations = _violations(provider, group)
    assert {v.urn.rsplit("::", 1)[-1] for v in violations} == {"paris", "rg-default"}
    inherited = next(v for v in violations if v.urn.endswith("rg-default"))
    assert (inherited.path, inherited.value) == ("inputs.location", "francecentral")
    assert "its provider paris's location" in inherited.message


def test_the_provider_location_wins_over_the_stack_config():
    group = resource_group("rg-default", location=None)
    assert _violations(default_provider("platform", "uksouth"), group,
                       config={"azure-native:location": "westeurope"}) == []


def test_without_a_provider_location_the_stack_config_location_applies():
    group = resource_group("rg-default", location=None)
    (violation,) = _violations(default_provider("platform", None), group, config={"azure-native:location": "eastus"})
    assert violation.value == "eastus"
    assert "stack config azure-native:location" in violation.message
    assert _violations(default_provider("platform", None), group, config={"azure-native:location": "ukwest"}) == []


def test_without_any_config_the_stack_file_location_applies(tmp_path):
    (tmp_path / "Pulumi.platform.yaml").write_text("config:\n  azure-native:location: northeurope\n")
    group = resource_group("rg-default", location=None)
    (violation,) = _violations(group, config={}, stacks_dir=tmp_path)
    assert violation.value == "northeurope"
    assert "Pulumi.platform.yaml" in violation.message


def test_types_without_a_location_take_no_default_region():
    subnet = step("azure-native:network:Subnet", "snet", {"subnetName": "apps", "virtualNetworkName": "vnet",
                                                          "resourceGroupName": "rg", "addressPrefix": "10.0.0.0/24"})
    assert _violations(subnet, config={"azure-native:location": "westeurope"}) == []


def test_delete_steps_are_not_violations():
    leaving = resource_group("rg-old", location="westeurope")
    leaving["op"] = "delete"
    leaving["oldState"] = leaving.pop("newState")
    assert _violations(leaving) == []


def test_allowed_regions_come_from_the_estate():
    only_south = GuardrailSettings(allowed_regions=("uksouth",))
    (violation,) = _violations(resource_group(location="UK West"), settings=only_south)
    assert "outside the allowed regions (uksouth)" in violation.message


def test_b2c_directories_are_left_out_as_the_built_in_allowed_locations_policy_does(third_party):
    definition = json.loads((third_party / "azure-policy" / "AllowedLocations_Deny.json").read_text())
    assert "Microsoft.AzureActiveDirectory/b2cDirectories" in json.dumps(definition)
    tenant = step("azure-native:azureactivedirectory:B2CTenant", "b2c",
                  {"resourceName": "b2c", "resourceGroupName": "rg", "location": "Europe", "tags": PLATFORM_TAGS})
    assert _violations(tenant) == []
