"""The speed levers: the fast path records exactly the stock runtime's plan, and each lever undoes itself."""

from __future__ import annotations

import asyncio
import contextvars
import gc

import pulumi
import pulumi._types as sdk_types
import pulumi.resource as sdk_resource
import pulumi.runtime.resource as sdk_runtime
import pytest
from pulumi.runtime.settings import Settings, configure

from estate.definition.loader import load_estate
from estate.foundation.plan import UNKNOWN
from estate.synth import levers
from estate.synth.synthesis import synthesise

STACKS = ["platform", "wave-one", "retained"]


def _documents(estate_file, *, fast: bool) -> dict[str, dict]:
    estate = load_estate(estate_file)
    run = synthesise(estate, estate_file, estate_file.parent, STACKS, fast=fast)
    return {plan.stack: plan.document for plan in run.plans}


def test_fast_path_records_the_same_plan_as_the_stock_runtime(write_estate):
    estate_file = write_estate()
    stock = _documents(estate_file, fast=False)
    fast = _documents(estate_file, fast=True)
    assert stock == fast
    assert sum(len(document["steps"]) for document in fast.values()) == 39  # 3 stacks (no peering until step 2)
    # Both answer as a first preview: a VM's NIC, created in the same update, has no id yet.
    vm = next(step["newState"] for step in fast["wave-one"]["steps"]
              if step["newState"]["type"] == "azure-native:compute:VirtualMachine")
    assert vm["inputs"]["networkProfile"]["networkInterfaces"][0]["id"] == UNKNOWN


def test_levers_are_on_with_the_pinned_sdk_and_undone_afterwards():
    originals = (sdk_resource.collapse_alias_to_urn, sdk_runtime.prepare_aliases, sdk_runtime._get_stack_trace)
    unwrap = sdk_types.unwrap_type
    assert levers.alias_lever_problem() is None
    assert levers.mock_lever_problem() is None
    assert levers.unwrap_lever_problem() is None
    with levers.fast_synthesis() as on:
        assert on == {"gc_paused": True, "alias_urns_skipped": True, "mock_only_work_skipped": True,
                      "type_unwrapping_memoised": True}
        assert not gc.isenabled()
        assert sdk_resource.collapse_alias_to_urn is not originals[0]
        assert sdk_types.unwrap_type is not unwrap
    assert gc.isenabled()
    assert (sdk_resource.collapse_alias_to_urn, sdk_runtime.prepare_aliases, sdk_runtime._get_stack_trace) == originals
    assert sdk_types.unwrap_type is unwrap


def test_stock_mode_touches_nothing():
    originals = (sdk_resource.collapse_alias_to_urn, sdk_runtime.prepare_aliases, sdk_types.unwrap_type)
    with levers.fast_synthesis(enabled=False) as on:
        assert not any(on.values()) and gc.isenabled()
        assert (sdk_resource.collapse_alias_to_urn, sdk_runtime.prepare_aliases, sdk_types.unwrap_type) == originals


def test_alias_lever_falls_back_to_stock_when_the_sdk_changes_shape(monkeypatch, write_estate):
    def reshaped(alias, name, type_, parent, project=None):  # a new parameter: not the shape we know
        return alias

    monkeypatch.setattr(sdk_resource, "collapse_alias_to_urn", reshaped)
    assert "collapse_alias_to_urn" in levers.alias_lever_problem()
    with levers.alias_urns_skipped() as on:
        assert on is False
        assert sdk_resource.collapse_alias_to_urn is reshaped


def test_mock_lever_falls_back_to_stock_when_the_sdk_changes_shape(monkeypatch, write_estate):
    def not_a_coroutine(resource, resource_options, supports_alias_specs):
        return []

    monkeypatch.setattr(sdk_runtime, "prepare_aliases", not_a_coroutine)
    assert levers.mock_lever_problem() == "prepare_aliases is no longer a coroutine"
    with levers.mock_only_work_skipped() as on:
        assert on is False
        assert sdk_runtime.prepare_aliases is not_a_coroutine


def test_synthesis_still_works_and_matches_with_the_levers_unavailable(monkeypatch, write_estate):
    estate_file = write_estate()
    fast = _documents(estate_file, fast=True)
    monkeypatch.setattr(levers, "alias_lever_problem", lambda: "changed")
    monkeypatch.setattr(levers, "mock_lever_problem", lambda: "changed")
    monkeypatch.setattr(levers, "unwrap_lever_problem", lambda: "changed")
    with levers.fast_synthesis() as on:
        assert on == {"gc_paused": True, "alias_urns_skipped": False, "mock_only_work_skipped": False,
                      "type_unwrapping_memoised": False}
    assert _documents(estate_file, fast=True) == fast


def _in_fresh_runtime(function, *, monitor=None, features=frozenset()):
    def run():
        configure(Settings(project="p", stack="s", monitor=monitor))
        from pulumi.runtime.settings import SETTINGS
        SETTINGS.monitor_features = set(features)
        return function()
    return contextvars.copy_context().run(run)


def test_alias_urns_are_still_computed_for_a_monitor_without_alias_specs():
    alias = pulumi.Alias(type_="azure-native:compute/v20200601:VirtualMachine")
    with levers.alias_urns_skipped():
        skipped = _in_fresh_runtime(lambda: sdk_resource.collapse_alias_to_urn(alias, "vm", "t:m:T", None),
                                    features={sdk_runtime.resource_pb2.RESOURCE_MONITOR_FEATURE_ALIAS_SPECS})
        computed = _in_fresh_runtime(lambda: sdk_resource.collapse_alias_to_urn(alias, "vm", "t:m:T", None))
    assert skipped == levers.ALIAS_URN_NOT_COMPUTED
    assert isinstance(computed, pulumi.Output)


def test_alias_specs_are_still_prepared_for_a_real_engine():
    from pulumi.runtime.mocks import MockMonitor

    class Named:
        _name, _type = "vm", "t:m:T"

    options = pulumi.ResourceOptions(aliases=["urn:pulumi:s::p::t:m:T::old"])

    def prepare():
        return asyncio.new_event_loop().run_until_complete(sdk_runtime.prepare_aliases(Named(), options, True))

    with levers.mock_only_work_skipped():
        for_engine = _in_fresh_runtime(prepare, monitor=object())
        for_mock = _in_fresh_runtime(prepare, monitor=MockMonitor(None))
    assert [alias.urn for alias in for_engine] == ["urn:pulumi:s::p::t:m:T::old"]
    assert for_mock == []


@pytest.mark.parametrize("lever", [levers.paused_gc, levers.alias_urns_skipped, levers.mock_only_work_skipped,
                                   levers.type_unwrapping_memoised])
def test_levers_undo_themselves_when_synthesis_fails(lever):
    before = (gc.isenabled(), sdk_resource.collapse_alias_to_urn, sdk_runtime.prepare_aliases, sdk_types.unwrap_type)
    with pytest.raises(RuntimeError), lever():
        raise RuntimeError("program failed")
    assert (gc.isenabled(), sdk_resource.collapse_alias_to_urn, sdk_runtime.prepare_aliases,
            sdk_types.unwrap_type) == before


def test_memoised_unwrapping_answers_as_the_sdk_does():
    from typing import Optional

    import pulumi_azure_native.compute as compute

    # The annotations as the SDK writes them (typing.Optional, not `X | None`).
    annotations = [Optional[pulumi.Input[str]], pulumi.Input[compute.HardwareProfileArgs],  # noqa: UP045
                   Optional[pulumi.Input[list[pulumi.Input[compute.DataDiskArgs]]]],  # noqa: UP045
                   pulumi.Output[int], str, Optional[pulumi.InputType[compute.OSProfileArgs]]]  # noqa: UP045
    expected = [sdk_types.unwrap_type(annotation) for annotation in annotations]
    with levers.type_unwrapping_memoised() as on:
        assert on is True
        assert [sdk_types.unwrap_type(annotation) for annotation in annotations * 2] == expected * 2


def test_memoised_unwrapping_leaves_unhashable_annotations_to_the_sdk(monkeypatch):
    seen = []
    monkeypatch.setattr(sdk_types, "unwrap_type", lambda val: seen.append(val) or "unwrapped")
    with levers.type_unwrapping_memoised():
        assert sdk_types.unwrap_type(["not", "hashable"]) == "unwrapped"
        assert sdk_types.unwrap_type(["not", "hashable"]) == "unwrapped"
        assert sdk_types.unwrap_type(int) == sdk_types.unwrap_type(int) == "unwrapped"
    assert seen == [["not", "hashable"], ["not", "hashable"], int]


def test_unwrap_lever_falls_back_to_stock_when_the_sdk_changes_shape(monkeypatch):
    def reshaped(val, strict=False):
        return val

    monkeypatch.setattr(sdk_types, "unwrap_type", reshaped)
    assert levers.unwrap_lever_problem() == "unwrap_type has a new signature"
    with levers.type_unwrapping_memoised() as on:
        assert on is False
        assert sdk_types.unwrap_type is reshaped
