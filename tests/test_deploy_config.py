"""Defect 6: synth reads stack settings as a real `pulumi preview` does, and check never guesses an estate."""

from __future__ import annotations

import json

import pytest

from estate.foundation.plan import load_plan
from tests.conftest import MINIMAL_ESTATE, ROOT, run_cli

PROJECT = "name: estate\nruntime: python\nmain: estate/program/\nstackConfigDir: settings\n"


def _project(tmp_path, stack_settings: str | None = "config:\n  estate:estateFile: defs/estate.yaml\n"):
    (tmp_path / "Pulumi.yaml").write_text(PROJECT)
    (tmp_path / "defs").mkdir()
    (tmp_path / "settings").mkdir()
    estate_file = tmp_path / "defs" / "estate.yaml"
    estate_file.write_text(MINIMAL_ESTATE)
    if stack_settings is not None:
        for stack in ("platform", "wave-one", "retained"):
            (tmp_path / "settings" / f"Pulumi.{stack}.yaml").write_text(stack_settings)
    return estate_file


def test_stack_files_come_from_the_projects_stack_config_dir(tmp_path):
    estate_file = _project(tmp_path, "config:\n  estate:estateFile: defs/estate.yaml\n  estate:vmAdminUsername: ops\n")
    (tmp_path / "defs" / "Pulumi.wave-one.yaml").write_text("config:\n  estate:vmAdminUsername: ignored\n")
    out = tmp_path / "plans"
    result = run_cli("synth", "--all", "--out", out, "--estate", estate_file)
    assert result.exit_code == 0, result.output
    plan = load_plan(out / "wave-one.json")
    assert plan.config["estate:vmAdminUsername"] == "ops"
    assert plan.config["estate:estateFile"] == "defs/estate.yaml"  # as the stack file says, as a preview shows it


def test_an_estate_file_setting_that_resolves_elsewhere_is_refused(tmp_path):
    estate_file = _project(tmp_path, "config:\n  estate:estateFile: estate.yaml\n")
    result = run_cli("synth", "platform", "--out", tmp_path / "plans", "--estate", estate_file)
    assert result.exit_code == 2
    assert "estate:estateFile is 'estate.yaml', which the program resolves against the project root" in result.stderr
    assert "set estate:estateFile to 'defs/estate.yaml'" in result.stderr


def test_no_stack_file_means_the_programs_default_estate_file(tmp_path):
    estate_file = _project(tmp_path, None)
    result = run_cli("synth", "platform", "--out", tmp_path / "plans", "--estate", estate_file)
    assert result.exit_code == 2 and "'stacks/estate.yaml'" in result.stderr


@pytest.mark.parametrize(("line", "message"), [
    ("estate:estatefile: x.yaml", "estate:estatefile is not a setting the program reads (did you mean "
                                  "estate:estateFile?)"),
    ("estate:budgetFinancialYear: '2026'", "write the financial year as YYYY/YY"),
    ("estate:vmAdminUsername: admin", "Azure refuses it"),
])
def test_unknown_keys_and_unusable_values_are_refused(write_estate, tmp_path, line, message):
    estate_file = write_estate()
    (tmp_path / "Pulumi.wave-one.yaml").write_text(f"config:\n  {line}\n")
    result = run_cli("synth", "wave-one", "--out", tmp_path / "plans", "--estate", estate_file)
    assert result.exit_code == 2, result.output
    assert message in result.stderr and "Pulumi.wave-one.yaml" in result.stderr
    assert "Traceback" not in result.output


def test_the_program_refuses_the_same_settings_a_real_preview_hands_it(write_estate):
    from tests.test_program_main import _run_main

    config = {"estate:estateFile": str(write_estate()), "estate:vmAdminUsernme": "ops"}
    import pulumi

    with pytest.raises(pulumi.RunError, match="estate:vmAdminUsernme is not a setting the program reads"):
        _run_main("platform", config)


def test_check_never_falls_back_to_another_estate(write_estate, tmp_path):
    estate_file = write_estate()
    out = tmp_path / "plans"
    assert run_cli("synth", "platform", "--out", out, "--estate", estate_file).exit_code == 0
    document = json.loads((out / "platform.json").read_text())
    document["config"]["estate:estateFile"] = "stacks/no-such-estate.yaml"
    (out / "platform.json").write_text(json.dumps(document))
    result = run_cli("check", out / "platform.json")
    assert result.exit_code == 2
    assert f"{out / 'platform.json'}: its config names estate:estateFile 'stacks/no-such-estate.yaml'" in result.stderr
    assert str(ROOT / "stacks" / "no-such-estate.yaml") in result.stderr or "no-such-estate" in result.stderr


def test_the_policy_pack_reads_the_estate_its_config_names_and_no_private_function(tmp_path, monkeypatch):
    import policies.pack as pack

    monkeypatch.chdir(tmp_path)
    (tmp_path / "Pulumi.yaml").write_text(PROJECT)
    (tmp_path / "defs").mkdir()
    (tmp_path / "defs" / "estate.yaml").write_text(MINIMAL_ESTATE)
    assert pack.estate_path("defs/estate.yaml") == tmp_path / "defs" / "estate.yaml"
    assert all(policy.config_schema is pack.CONFIG_SCHEMA for policy in pack.policies())
    assert pack.CONFIG_SCHEMA.properties[pack.ESTATE_FILE_CONFIG]["type"] == "string"
    for path in (ROOT / "policies").rglob("*.py"):
        for line in path.read_text().splitlines():
            if line.startswith(("from pulumi_policy", "import pulumi_policy")):
                assert " import _" not in line and "._" not in line, (path, line)
