"""Defect 8: Pulumi itself can install the program and the policy pack, with the provider version synth uses."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata

from ruamel.yaml import YAML

from tests.conftest import ROOT, run_cli


def _requirements(path) -> list[str]:
    return [line.strip() for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]


def test_program_and_pack_have_requirements_that_install_this_project():
    for project_file, requirements, project_dir in ((ROOT / "Pulumi.yaml", ROOT / "requirements.txt", "."),
                                                    (ROOT / "policies" / "PulumiPolicy.yaml",
                                                     ROOT / "policies" / "requirements.txt", "..")):
        runtime = YAML(typ="safe").load(project_file.read_text())["runtime"]
        assert runtime["options"]["toolchain"] == "pip"
        assert _requirements(requirements) == [f"-e {project_dir}"]  # every version comes from pyproject.toml


def test_the_azure_native_provider_is_pinned_once_and_synth_uses_that_version(write_estate, tmp_path):
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    (pin,) = [d for d in dependencies if d.startswith("pulumi-azure-native")]
    version = re.fullmatch(r"pulumi-azure-native==(\d+\.\d+\.\d+)", pin.split(";")[0].strip()).group(1)
    assert metadata.version("pulumi-azure-native") == version
    out = tmp_path / "plans"
    assert run_cli("synth", "platform", "--out", out, "--estate", write_estate()).exit_code == 0
    text = (out / "platform.json").read_text()
    assert f"pulumi:providers:azure-native::default_{version.replace('.', '_')}" in text
    assert f'"version": "{version}"' in text
