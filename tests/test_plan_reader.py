"""The one plan reader that checks and costing share."""

from __future__ import annotations

import json

import pytest

from estate.foundation.errors import InputError
from estate.foundation.plan import UNKNOWN, Placement, load_plan, parse_plan, urn_parts
from tests.conftest import EXAMPLE_ESTATE, run_cli
from tests.plan_builders import plan, step, vm_inputs

URN = "urn:pulumi:wave-pilot::estate::estate:wave:MigrationWave$azure-native:compute:VirtualMachine::vm-lcc-web-01"


PROVIDER = "urn:pulumi:wave-pilot::estate::pulumi:providers:azure-native::default"


def _plan(*steps, config=None):
    return json.dumps({"config": config or {}, "steps": list(steps), "changeSummary": {}})


def test_reads_steps_types_inputs_and_config():
    plan = parse_plan(_plan(
        {"op": "create", "urn": URN, "provider": PROVIDER + "::" + UNKNOWN,
         "newState": {"type": "azure-native:compute:VirtualMachine", "custom": True,
                      "inputs": {"location": "uksouth"}, "parent": "urn:p"}},
        config={"azure-native:location": "uksouth"},
    ))
    (resource,) = plan.resources
    assert resource.type == "azure-native:compute:VirtualMachine"
    assert resource.inputs == {"location": "uksouth"}
    assert resource.name == "vm-lcc-web-01"
    assert resource.stack == "wave-pilot"
    assert resource.provider_urn == "urn:pulumi:wave-pilot::estate::pulumi:providers:azure-native::default"
    assert plan.config == {"azure-native:location": "uksouth"}


def test_delete_steps_read_old_state_and_are_leaving():
    plan = parse_plan(_plan({"op": "delete", "urn": URN, "oldState": {"type": "t:m:R", "inputs": {"a": 1}}}))
    assert plan.resources[0].leaving
    assert list(plan.staying()) == []


def test_urn_parts():
    assert urn_parts(URN) == ("wave-pilot", "estate",
                              "estate:wave:MigrationWave$azure-native:compute:VirtualMachine", "vm-lcc-web-01")
    with pytest.raises(ValueError):
        urn_parts("not-a-urn")


@pytest.mark.parametrize(("text", "phrase"), [
    ("", "the plan is empty"),
    ("{\"steps\": [", "truncated"),
    ("<html>", "not JSON"),
    ("[]", "not a plan"),
    ("{\"nosteps\": 1}", "not a plan"),
    (_plan({"op": "create", "urn": URN}), "has no resource state"),
    (_plan({"urn": URN, "newState": {}}), "has no `op` or `urn`"),
    (_plan("text"), "is not an object"),
])
def test_malformed_plans_are_input_errors(text, phrase):
    with pytest.raises(InputError) as caught:
        parse_plan(text, "plan.json")
    assert phrase in str(caught.value)
    assert str(caught.value).startswith("plan.json")


def test_missing_plan_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load_plan(tmp_path / "absent.json")


def _provider_plan() -> dict:
    """A plan whose explicit provider places a VM in westeurope while the stack config says uksouth."""
    provider_urn = "urn:pulumi:wave-x::estate::pulumi:providers:azure-native::eu"
    inputs = vm_inputs("d1")
    del inputs["location"]
    disk = step("wave-x", "azure-native:compute:VirtualMachine", "d1", inputs)
    disk["newState"]["provider"] = disk["provider"] = f"{provider_urn}::0002"
    provider = {"op": "create", "urn": provider_urn,
                "newState": {"urn": provider_urn, "custom": True, "type": "pulumi:providers:azure-native",
                             "inputs": {"location": "westeurope"}}}
    return plan("wave-x", [provider, disk], location="uksouth")


def test_placement_reads_inputs_then_provider_then_stack_config():
    parsed = parse_plan(json.dumps(_provider_plan()))
    disk = next(resource for resource in parsed.resources if resource.name == "d1")
    placement = parsed.placement(disk)
    assert (placement.region, placement.declared) == ("westeurope", False)
    assert "provider eu" in placement.source
    declared = parse_plan(json.dumps(plan("w", [step("w", "azure-native:compute:Disk", "d", {"location": "ukwest"})])))
    assert declared.placement(declared.resources[0]).region == "ukwest"
    bare = parse_plan(json.dumps(plan("w", [step("w", "azure-native:compute:Disk", "d", {})])))
    assert bare.placement(bare.resources[0]) == Placement("uksouth", "the stack config azure-native:location")


def test_check_and_forecast_agree_on_a_resource_placed_by_its_provider(tmp_path):
    # Before one plan reader, the forecast priced the disk in the stack's uksouth while the guardrail saw the
    # provider's westeurope.
    path = tmp_path / "wave-x.json"
    path.write_text(json.dumps(_provider_plan()))
    checked = run_cli("check", path, "--estate", EXAMPLE_ESTATE, "--only", "uk-regions-only", "--format", "json")
    assert checked.exit_code == 1 and "westeurope" in checked.stdout
    rates = tmp_path / "rates.yaml"
    rates.write_text("rate_card: 1\nname: t\ncurrency: GBP\nsource: test\nretrieved: 2026-01-01\nprices: []\n")
    priced = run_cli("forecast", path, "--prices", rates, "--format", "json", "--estate", EXAMPLE_ESTATE)
    assert priced.exit_code == 0, priced.output
    reasons = [item["reason"] for item in json.loads(priced.stdout)["unpriced"]]
    assert reasons and all("armRegionName='westeurope'" in reason for reason in reasons)


def test_azure_name_is_the_type_name_input():
    parsed = parse_plan(json.dumps(plan("w", [step("w", "azure-native:network:PublicIPAddress", "pip",
                                                    {"publicIpAddressName": "pip-a", "resourceGroupName": "rg"})])))
    resource = parsed.resources[0]
    assert (resource.azure_name, resource.azure_name_key) == ("pip-a", "publicIpAddressName")
