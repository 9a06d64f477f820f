"""required-tags: the estate's mandatory tags present and non-empty on every taggable resource."""

from __future__ import annotations

from estate.foundation.plan import UNKNOWN
from policies.plan_check import check_plan
from policies.rules import RULES
from policies.rules.base import GuardrailSettings
from policies.rules.required_tags import NAME, required_for
from policies.rules.sdk import taggable
from tests.guardrail_plans import (
    PLATFORM_TAGS,
    SERVER_TAGS,
    make_plan,
    nic,
    platform_plan_steps,
    resource_group,
    step,
    vm,
)

SETTINGS = GuardrailSettings()
RULE = [RULES[NAME]]


def _violations(*steps, settings=SETTINGS):
    return check_plan(make_plan(*steps), settings, RULE).violations


def test_compliant_platform_and_wave_resources_pass():
    assert _violations(*platform_plan_steps(), vm(), nic()) == []


def test_a_missing_mandatory_tag_is_named_with_its_path():
    tags = {key: value for key, value in PLATFORM_TAGS.items() if key != "business-case-line"}
    (violation,) = _violations(resource_group(tags=tags))
    assert (violation.rule, violation.enforcement) == ("required-tags", "mandatory")
    assert violation.path == "inputs.tags['business-case-line']"
    assert violation.value is None
    assert violation.message.startswith("missing mandatory tag 'business-case-line'")


def test_empty_and_blank_tags_are_violations():
    violations = _violations(resource_group(tags={**PLATFORM_TAGS, "wave": "", "cost-centre": "   "}))
    assert sorted((v.path, v.value) for v in violations) == [("inputs.tags.wave", ""),
                                                            ("inputs.tags['cost-centre']", "   ")]
    assert all("is empty" in v.message for v in violations)


def test_a_taggable_resource_with_no_tags_misses_every_platform_tag():
    group = resource_group()
    del group["newState"]["inputs"]["tags"]
    violations = _violations(group)
    assert {v.path for v in violations} == {"inputs.tags['business-case-line']", "inputs.tags.wave",
                                            "inputs.tags['cost-centre']"}


def test_servers_their_nics_and_disks_also_need_the_server_tags():
    server_tags = {key: value for key, value in SERVER_TAGS.items() if key != "reservation"}
    (violation,) = _violations(vm(tags=server_tags))
    assert violation.path == "inputs.tags.reservation"
    assert required_for("azure-native:network:NetworkInterface", SETTINGS) == list(SETTINGS.mandatory_tags)
    assert "application" not in required_for("azure-native:network:VirtualNetwork", SETTINGS)


def test_untaggable_types_are_not_checked():
    subnet = step("azure-native:network:Subnet", "snet", {"subnetName": "apps", "virtualNetworkName": "v",
                                                          "resourceGroupName": "rg", "addressPrefix": "10.0.0.0/24"})
    assignment = step("azure-native:authorization:PolicyAssignment", "pa", {"policyAssignmentName": "pa",
                                                                            "scope": "/subscriptions/0"})
    assert _violations(subnet, assignment) == []
    assert not taggable("azure-native:network:Subnet")


def test_unknown_tag_values_and_computed_tags_count_as_set():
    assert _violations(resource_group(tags={**PLATFORM_TAGS, "wave": UNKNOWN})) == []
    assert _violations(resource_group(tags=UNKNOWN)) == []


def test_mandatory_tags_come_from_the_estate():
    settings = GuardrailSettings(mandatory_tags=("owner", "business-case-line"), server_only_tags=())
    (violation,) = _violations(resource_group(tags={"business-case-line": "x"}), settings=settings)
    assert violation.path == "inputs.tags.owner"


def test_delete_steps_are_not_checked():
    leaving = resource_group(tags={})
    leaving["op"] = "delete"
    leaving["oldState"] = leaving.pop("newState")
    assert _violations(leaving) == []


def test_exempted_resources_are_not_checked():
    from estate.definition.model import Exemption

    settings = GuardrailSettings(exemptions=(Exemption(rule="required-tags", resources=["rg-legacy-*"],
                                                       reason="imported, tagged by the owning team"),))
    assert _violations(resource_group("rg-legacy-01", tags={}), settings=settings) == []
    assert _violations(resource_group("rg-other", tags={}), settings=settings) != []
