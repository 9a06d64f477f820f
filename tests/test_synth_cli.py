"""`estate synth` at the command line: stacks, output files, determinism and bad input."""

from __future__ import annotations

import json

import pytest

from estate.foundation.plan import load_plan
from tests.conftest import MINIMAL_ESTATE, run_cli

MINIMAL_STACKS = ["platform", "wave-one", "retained"]


def test_all_writes_one_plan_per_stack_and_prints_resources_by_type(write_estate, tmp_path):
    estate_file = write_estate()
    out = tmp_path / "plans"
    result = run_cli("synth", "--all", "--out", out, "--estate", estate_file)
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in out.iterdir()) == sorted(f"{stack}.json" for stack in MINIMAL_STACKS)
    assert "wave-one: 14 resources" in result.stdout  # 4 servers x (NIC, VM, backup), the component, its group
    assert "      4  azure-native:compute:VirtualMachine" in result.stdout
    plan = load_plan(out / "wave-one.json")
    assert plan.config["estate:estateFile"] == estate_file.as_posix()
    assert json.loads((out / "wave-one.json").read_text())["changeSummary"] == {"create": 17, "read": 1}


def test_same_estate_gives_byte_identical_plans(write_estate, tmp_path):
    estate_file = write_estate()
    for run in ("first", "second"):
        assert run_cli("synth", "--all", "--out", tmp_path / run, "--estate", estate_file).exit_code == 0
    for name in (f"{stack}.json" for stack in MINIMAL_STACKS):
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "second" / name).read_bytes()


def test_one_process_and_workers_write_byte_identical_plans(write_estate, tmp_path, monkeypatch):
    estate_file = write_estate()
    monkeypatch.setenv("ESTATE_SYNTH_JOBS", "2")
    assert run_cli("synth", "--all", "--out", tmp_path / "workers", "--estate", estate_file).exit_code == 0
    assert run_cli("synth", "--all", "--jobs", "1", "--out", tmp_path / "one", "--estate", estate_file).exit_code == 0
    for name in (f"{stack}.json" for stack in MINIMAL_STACKS):
        assert (tmp_path / "workers" / name).read_bytes() == (tmp_path / "one" / name).read_bytes()
    refused = run_cli("synth", "--all", "--jobs", "0", "--out", tmp_path / "none", "--estate", estate_file)
    assert refused.exit_code == 2 and not (tmp_path / "none").exists()


def test_a_wave_alone_reads_the_platform_without_writing_its_plan(write_estate, tmp_path):
    out = tmp_path / "plans"
    result = run_cli("synth", "wave-one", "--out", out, "--estate", write_estate())
    assert result.exit_code == 0, result.output
    assert [path.name for path in out.iterdir()] == ["wave-one.json"]
    nic = next(r for r in load_plan(out / "wave-one.json").resources if r.type.endswith("NetworkInterface"))
    assert nic.inputs["ipConfigurations"][0]["subnet"]["id"].endswith("/virtualNetworks/vnet-tc-hub-uks/subnets/apps")


def test_stack_the_estate_does_not_define_lists_its_stacks(write_estate, tmp_path):
    out = tmp_path / "plans"
    result = run_cli("synth", "wave-two", "--out", out, "--estate", write_estate())
    assert result.exit_code == 2
    assert "'wave-two' is not a stack of this estate; its stacks are: platform, wave-one, retained" in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.parametrize(("args", "message"), [
    ((), "name the stacks to synthesise, or use --all"),
    (("platform", "--all"), "give stack names or --all, not both"),
])
def test_stacks_or_all_must_be_given_once(write_estate, tmp_path, args, message):
    result = run_cli("synth", *args, "--out", tmp_path / "plans", "--estate", write_estate())
    assert result.exit_code == 2
    assert message in result.stderr


def test_invalid_estate_exits_2_with_the_validate_messages_and_writes_nothing(write_estate, tmp_path):
    broken = write_estate(MINIMAL_ESTATE.replace("size: Standard_B2ms", "size: Standard_Z9"))
    out = tmp_path / "plans"
    result = run_cli("synth", "--all", "--out", out, "--estate", broken)
    assert result.exit_code == 2
    assert "unknown VM size 'Standard_Z9'" in result.stderr
    assert f"{broken}:" in result.stderr
    assert not out.exists()


def test_stack_settings_beside_the_estate_are_used_and_secrets_blinded(write_estate, tmp_path):
    estate_file = write_estate()
    (tmp_path / "Pulumi.wave-one.yaml").write_text(
        "config:\n  estate:vmAdminUsername: opsadmin\n  estate:vmAdminPassword:\n    secure: v1:abc\n"
        "  azure-native:location: ukwest\n", encoding="utf-8")
    out = tmp_path / "plans"
    assert run_cli("synth", "wave-one", "--out", out, "--estate", estate_file).exit_code == 0
    plan = load_plan(out / "wave-one.json")
    assert plan.config["estate:vmAdminUsername"] == "opsadmin"
    assert plan.config["estate:vmAdminPassword"] == "[secret]"
    assert plan.config["azure-native:location"] == "ukwest"
    vm = next(r for r in plan.resources if r.type.endswith("VirtualMachine"))
    assert vm.inputs["osProfile"]["adminUsername"] == "opsadmin"
    provider = next(r for r in plan.resources if r.type == "pulumi:providers:azure-native")
    assert provider.inputs["location"] == "ukwest"


def test_bad_stack_settings_file_is_located(write_estate, tmp_path):
    estate_file = write_estate()
    (tmp_path / "Pulumi.platform.yaml").write_text("config: [oops\n", encoding="utf-8")
    result = run_cli("synth", "platform", "--out", tmp_path / "plans", "--estate", estate_file)
    assert result.exit_code == 2
    assert "Pulumi.platform.yaml:" in result.stderr and "YAML syntax error" in result.stderr
