"""The one plan reader that checks and costing share."""

from __future__ import annotations

import json

import pytest

from estate.foundation.errors import InputError
from estate.foundation.plan import UNKNOWN, load_plan, parse_plan, urn_parts

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
