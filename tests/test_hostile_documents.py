"""Hostile YAML and JSON inputs: each is refused with exit 2 and a located message, in bounded time and memory."""

from __future__ import annotations

import json
import os

import pytest

from tests.conftest import EXAMPLE_ESTATE, MINIMAL_ESTATE, ROOT, run_cli
from tests.cost_helpers import FOCUS_HEADER, focus_row, load, write_focus_export
from tests.hostile_helpers import assert_refused, run_bounded

RATES = ROOT / "stacks" / "rates.yaml"


def forecast(*args):
    return run_cli("forecast", *args, "--prices", RATES)


def check(plan):
    return run_cli("check", plan, "--estate", EXAMPLE_ESTATE)


BILLION_LAUGHS = "a: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},"
    f"*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]\n" for i in range(8))


def test_billion_laughs_is_refused_quickly(tmp_path):
    estate = tmp_path / "estate.yaml"
    estate.write_text(BILLION_LAUGHS, encoding="utf-8")
    assert len(BILLION_LAUGHS) < 600
    result = run_bounded("validate", estate, seconds=30)
    assert_refused(result, "estate.yaml:", "aliases", "ESTATE_MAX_YAML_ALIAS_NODES")


def test_modest_aliases_still_work(tmp_path):
    text = MINIMAL_ESTATE.replace("size: Standard_D2s_v5", "size: &size Standard_D2s_v5", 1)
    text = text.replace("size: Standard_B2ms", "size: *size", 1)
    assert "*size" in text
    estate = tmp_path / "estate.yaml"
    estate.write_text(text, encoding="utf-8")
    result = run_cli("validate", estate)
    assert result.exit_code == 0, result.output


@pytest.mark.timeout(60)
def test_deep_yaml_nesting_is_refused_with_its_line(tmp_path):
    estate = tmp_path / "estate.yaml"
    estate.write_text("organisation: " + "[" * 300 + "]" * 300 + "\n", encoding="utf-8")
    result = run_cli("validate", estate)
    assert_refused(result, "estate.yaml:1:", "nested more than 100 levels", "ESTATE_MAX_NESTING")


@pytest.mark.timeout(60)
def test_deep_json_plan_is_refused(tmp_path):
    plan = tmp_path / "plan.json"
    plan.write_text('{"steps": ' + "[" * 5000 + "]" * 5000 + "}", encoding="utf-8")
    for command in (check, forecast):
        assert_refused(command(plan), "plan.json", "nested more than 100 levels")


def test_yaml_above_the_size_cap_is_refused_before_parsing(tmp_path):
    estate = tmp_path / "estate.yaml"
    estate.write_bytes(b"# padding..\n" * (11 * 1024 * 1024 // 12))
    result = run_bounded("validate", estate, seconds=30)
    assert_refused(result, "above the 10 MiB limit", "ESTATE_MAX_INPUT_MIB")
    raised = run_bounded("validate", estate, seconds=60, env={"ESTATE_MAX_INPUT_MIB": "20"})
    assert_refused(raised, "the file is empty")  # read, then judged on what it says


def test_dev_zero_is_refused_not_read(tmp_path):
    result = run_bounded("validate", "/dev/zero", seconds=20)
    assert_refused(result, "/dev/zero", "not a regular file", "device")
    result = run_bounded("case", "show", "/dev/zero", seconds=20)
    assert_refused(result, "/dev/zero", "device")


def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "estate.yaml"
    os.mkfifo(fifo)
    assert_refused(run_bounded("validate", fifo, seconds=20), "named pipe")
    plan = tmp_path / "plan.json"
    os.mkfifo(plan)
    assert_refused(run_bounded("check", plan, "--estate", EXAMPLE_ESTATE, seconds=20), "named pipe")


@pytest.mark.parametrize("value, shown", [("NaN", "NaN"), ("-Infinity", "-Infinity"), ("1e999", "1e999"),
                                          ("1" + "0" * 40, "has more than 30 digits")])
def test_non_finite_and_huge_numbers_in_a_plan_are_located(tmp_path, value, shown):
    plan = tmp_path / "plan.json"
    plan.write_text('{"steps": [\n {"op": "create", "urn": "urn:pulumi:dev::p::t::n",\n'
                    f'  "newState": {{"type": "t", "inputs": {{"count": {value}}}}}}}]}}', encoding="utf-8")
    result = forecast(plan)
    assert_refused(result, "plan.json:3:", shown)


def test_non_pulumi_urn_is_refused(tmp_path):
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"steps": [{"op": "create", "urn": "not-a-urn", "newState": {"inputs": {}}}]}))
    for command in (check, forecast):
        assert_refused(command(plan), "steps[0]", "not a Pulumi URN")


def test_duplicated_step_is_refused_not_priced_twice(tmp_path):
    step = {"op": "create", "urn": "urn:pulumi:dev::p::azure-native:compute:VirtualMachine::vm1",
            "newState": {"type": "azure-native:compute:VirtualMachine", "inputs": {"location": "uksouth"}}}
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"steps": [step, step]}))
    for command in (check, forecast):
        assert_refused(command(plan), "steps[1]", "repeats the resource of steps[0]")


def test_replacement_steps_may_share_a_urn(tmp_path):
    from estate.foundation.plan import parse_plan

    urn = "urn:pulumi:dev::p::azure-native:resources:ResourceGroup::rg"
    state = {"type": "azure-native:resources:ResourceGroup", "inputs": {}}
    steps = [{"op": op, "urn": urn, "newState": state, "oldState": state}
             for op in ("create-replacement", "replace", "delete-replaced")]
    assert len(parse_plan(json.dumps({"steps": steps})).resources) == 3


@pytest.mark.parametrize("document", ['{"changes": [1]}', '{"changes": [{"changeType": "Create", "after": '
                                      '{"type": "Microsoft.Compute/disks", "properties": [1]}}]}',
                                      '{"changes": [{"changeType": "Create", "after": {"x": NaN}}]}'])
def test_hostile_what_if_is_refused(tmp_path, document):
    what_if = tmp_path / "whatif.json"
    what_if.write_text(document, encoding="utf-8")
    assert_refused(forecast(what_if), "whatif.json")


def test_nan_in_a_price_snapshot_is_located(tmp_path):
    prices = tmp_path / "prices.json"
    prices.write_text('{"currency": "GBP", "items": [\n{"retailPrice": NaN}]}', encoding="utf-8")
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"steps": []}))
    assert_refused(run_cli("forecast", plan, "--prices", prices), "prices.json:2:", "NaN")


def test_nan_in_a_forecast_given_to_reconcile_is_located(tmp_path):
    forecast_file = tmp_path / "forecast.json"
    forecast_file.write_text('{"currency": "GBP", "lines": [{"monthly": Infinity}]}', encoding="utf-8")
    exports = tmp_path / "exports"
    write_focus_export(exports, "focus", "2025-05-01..2025-05-31", "run-1", "2025-06-01T02:00:00Z",
                       [focus_row("10.00", "2025-05-02")], FOCUS_HEADER)
    assert load(exports, tmp_path / "store").exit_code == 0
    result = run_cli("cost", "reconcile", "--forecast", forecast_file, "--store", tmp_path / "store",
                     "--case", ROOT / "stacks" / "business-case.yaml")
    assert_refused(result, "forecast.json:1:", "Infinity")


def test_an_unexpected_error_is_exit_3_with_one_paragraph_and_no_secret(monkeypatch):
    import estate.app.definition as definition  # the job the `validate` command calls

    def explode(*_args, **_kwargs):
        raise RuntimeError("AccountKey=c2VjcmV0 leaked")

    monkeypatch.setattr(definition, "load_estate", explode)
    result = run_cli("validate", EXAMPLE_ESTATE)
    assert result.exit_code == 3, result.output
    assert "internal error" in result.output and "please report" in result.output
    assert "RuntimeError" in result.output
    assert "c2VjcmV0" not in result.output and "Traceback" not in result.output


def test_the_guard_does_not_swallow_interrupts(monkeypatch):
    import estate.app.definition as definition  # the job the `validate` command calls

    def interrupt(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(definition, "load_estate", interrupt)
    assert run_cli("validate", EXAMPLE_ESTATE).exit_code == 130


def test_a_replaced_resource_is_checked_and_priced_once(tmp_path):
    # A replacement as `pulumi preview --json` prints it: create-replacement and replace (both with the new state)
    # and delete-replaced, all of one URN. It is one VM after the update, not two.
    urn = "urn:pulumi:wave-pilot::estate::azure-native:compute:VirtualMachine::vm-a"
    state = {"type": "azure-native:compute:VirtualMachine", "custom": True,
             "inputs": {"location": "uksouth", "vmName": "lcc-a", "hardwareProfile": {"vmSize": "Standard_B2ms"},
                        "storageProfile": {"osDisk": {"createOption": "FromImage", "diskSizeGB": 128,
                                                      "managedDisk": {"storageAccountType": "StandardSSD_LRS"}}},
                        "tags": {"business-case-line": "azure-run"}}}
    created = tmp_path / "created.json"
    created.write_text(json.dumps({"steps": [{"op": "create", "urn": urn, "newState": state}]}))
    replaced = tmp_path / "replaced.json"
    replaced.write_text(json.dumps({"steps": [
        {"op": "create-replacement", "urn": urn, "newState": state, "oldState": state},
        {"op": "replace", "urn": urn, "newState": state, "oldState": state},
        {"op": "delete-replaced", "urn": urn, "oldState": state}]}))
    totals = []
    for plan in (created, replaced):
        result = forecast(plan, "--format", "json")
        assert result.exit_code == 0, result.output
        totals.append(json.loads(result.stdout)["monthly_total"])
    assert totals[0] == totals[1] and totals[0] != "0.00"
    assert "1 resources checked" in run_cli("check", replaced).stdout
