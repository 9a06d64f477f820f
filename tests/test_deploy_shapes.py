"""Defect 7: plans carry URNs exactly as the engine writes them, compared with a recorded real preview."""

from __future__ import annotations

import json

from estate.foundation.plan import UNKNOWN, load_plan, urn_parts
from estate.synth.recorder import engine_urn
from tests.conftest import run_cli


def _real_preview(third_party) -> dict:
    return json.loads((third_party / "pulumi-preview" / "sample-preview-creates-excerpt.json").read_text())


def test_engine_urns_of_a_recorded_preview_are_rebuilt_from_parent_type_and_name(third_party):
    steps = _real_preview(third_party)["steps"]
    assert any(step["urn"].count("$") == 2 for step in steps)  # a grandchild: the whole chain
    for step in steps:
        state = step["newState"]
        stack, project, _, name = urn_parts(state["urn"])
        assert engine_urn(stack, project, state.get("parent", ""), state["type"], name) == state["urn"]


def test_our_plans_have_no_root_stack_type_in_urns_and_chain_parents(write_estate, tmp_path):
    out = tmp_path / "plans"
    assert run_cli("synth", "--all", "--out", out, "--estate", write_estate()).exit_code == 0
    for path in out.iterdir():
        for resource in load_plan(path).resources:
            if resource.type != "pulumi:pulumi:Stack":
                assert "pulumi:pulumi:Stack$" not in resource.urn, resource.urn
            if resource.parent and "pulumi:pulumi:Stack::" not in resource.parent:
                parent_chain = urn_parts(resource.parent)[2]
                assert urn_parts(resource.urn)[2] == f"{parent_chain}${resource.type}"


def test_our_steps_use_only_keys_a_real_preview_writes(write_estate, tmp_path, third_party):
    real = _real_preview(third_party)
    step_keys = {key for step in real["steps"] for key in step} | {"oldState"}
    # `id` (reads), `protect` and `retainOnDelete` are fields of the engine's step state too (omitted when empty).
    state_keys = {key for step in real["steps"] for key in step["newState"]} | {"id", "protect", "retainOnDelete"}
    assert UNKNOWN in json.dumps(real)  # unknown inputs are written as the sentinel we read as UNKNOWN
    out = tmp_path / "plans"
    assert run_cli("synth", "platform", "--out", out, "--estate", write_estate()).exit_code == 0
    ours = json.loads((out / "platform.json").read_text())
    assert set(ours) <= set(real) | {"config"}
    for step in ours["steps"]:
        assert set(step) <= step_keys, step["urn"]
        assert set(step["newState"]) <= state_keys, step["urn"]
