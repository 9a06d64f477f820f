"""The program entry point builds under the mock runtime exactly as `pulumi preview -s STACK` runs it."""

from __future__ import annotations

import contextvars
import runpy
from pathlib import Path

import pulumi
import pytest
from pulumi.runtime import set_all_config, set_mocks
from pulumi.runtime.settings import set_root_resource

from estate.definition.loader import load_estate
from estate.synth.recorder import EstateMocks, RecordingMonitor
from estate.synth.stack_config import SECRET_STAND_IN
from estate.synth.synthesis import synthesise

PROGRAM_DIR = Path(__file__).resolve().parents[1] / "estate" / "program"


def _run_main(stack: str, config: dict[str, str], outputs: dict | None = None) -> RecordingMonitor:
    """Run `estate/program/` as the Python language host does under mocks: the folder's __main__ inside
    `run_in_stack`, which then awaits the program registered with `pulumi.run`."""
    from pulumi.runtime.stack import run_in_stack
    from pulumi.runtime.sync_await import _sync_await

    monitor = RecordingMonitor(EstateMocks(outputs), fast=False)

    def run():
        set_root_resource(None)
        set_all_config(config, [key for key, value in config.items() if value == SECRET_STAND_IN])
        set_mocks(monitor.mocks, project="estate", stack=stack, preview=True, monitor=monitor)
        set_root_resource(None)  # run_in_stack makes the root stack, as the language host's does
        _sync_await(run_in_stack(lambda: runpy.run_path(str(PROGRAM_DIR), run_name="__main__") and None))

    contextvars.copy_context().run(run)
    return monitor


def test_main_builds_the_wave_named_by_the_stack_from_the_configured_estate(write_estate):
    estate_file = write_estate()
    platform = synthesise(load_estate(estate_file), estate_file, estate_file.parent, ["platform"]).plans[0]
    monitor = _run_main("wave-one", {"estate:estateFile": str(estate_file), "estate:vmAdminPassword": SECRET_STAND_IN,
                                     "estate:vmAdminSshPublicKey": SECRET_STAND_IN},
                        outputs={"platform": platform.exports})
    types = [step.type for step in monitor.steps]
    assert types.count("azure-native:compute:VirtualMachine") == 4
    assert "estate:wave:MigrationWave" in types and "pulumi:pulumi:StackReference" in types


def test_main_builds_the_platform(write_estate):
    estate_file = write_estate()
    monitor = _run_main("platform", {"estate:estateFile": str(estate_file)})  # no key: it owns its circuit
    types = {step.type for step in monitor.steps}
    assert {"estate:platform:LandingZone", "estate:platform:ExpressRoute",
            "azure-native:network:ExpressRouteCircuit"} <= types


def test_main_stops_on_a_stack_the_estate_does_not_define(write_estate):
    with pytest.raises(pulumi.RunError, match="stack 'staging' is not defined by the estate; its stacks are: "
                                          "platform, wave-one, retained"):
        _run_main("staging", {"estate:estateFile": str(write_estate())})


def test_main_reports_an_invalid_estate_without_a_traceback(write_estate):
    broken = write_estate("organisation: {name: x}\n")
    with pytest.raises(pulumi.RunError, match=r"problems? found"):
        _run_main("platform", {"estate:estateFile": str(broken)})


def test_wave_without_platform_outputs_says_to_deploy_the_platform_first(write_estate):
    config = {"estate:estateFile": str(write_estate()), "estate:vmAdminPassword": SECRET_STAND_IN,
              "estate:vmAdminSshPublicKey": SECRET_STAND_IN}
    deploy_first = (r"the 'platform' stack exports no regions\['uksouth'\].subnetIds\['apps'\] \(nor 3 more\); "
                    r"run `pulumi up -s platform`")
    with pytest.raises(pulumi.RunError, match=deploy_first):
        _run_main("wave-one", config, outputs={})


def test_platform_exports_what_the_wave_stacks_read(write_estate):
    from estate.program import STACK_OUTPUTS

    estate_file = write_estate()
    platform = synthesise(load_estate(estate_file), estate_file, estate_file.parent, ["platform"]).plans[0]
    assert set(STACK_OUTPUTS) <= set(platform.exports)
    assert "waveResourceGroups" not in platform.exports  # each wave stack owns its group
    assert platform.exports["subnetIds"]["apps"].startswith("/subscriptions/00000000-0000-0000-0000-000000000000/")
    assert platform.exports["regions"]["uksouth"]["recoveryVaultName"] == "rsv-tc-backup-uks"
