"""The documentation says what the code does: generated references are current, examples are valid, links resolve."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli


def _yaml_block(doc: str, heading: str) -> str:
    text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
    section = text.split(f"## {heading}", 1)[1]
    return section.split("```yaml\n", 1)[1].split("```", 1)[0]


def test_the_command_reference_is_generated_from_the_commands():
    from estate.cli import app
    from estate.cli.reference import render

    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == render(app), \
        "docs/cli.md is stale: run `make docs`"


def test_the_estate_format_example_validates(tmp_path: Path):
    path = tmp_path / "estate.yaml"
    path.write_text(_yaml_block("estate.md", "A complete example"), encoding="utf-8")
    result = run_cli("validate", path)
    assert result.exit_code == 0, result.output
    assert "2 waves, 4 servers to migrate, 6 hosts retained on site" in result.stdout


def test_the_business_case_format_example_reads_without_a_warning(tmp_path: Path):
    path = tmp_path / "case.yaml"
    path.write_text(_yaml_block("business-case.md", "A complete example"), encoding="utf-8")
    result = run_cli("case", "show", path, "--strict")
    assert result.exit_code == 0, result.output
    assert "Warnings: none" in result.stdout


MARKDOWN = sorted([ROOT / "README.md", ROOT / "CONTRIBUTING.md", *(ROOT / "docs").glob("*.md")])


@pytest.mark.parametrize("page", MARKDOWN, ids=lambda page: page.name)
def test_relative_links_resolve(page: Path):
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
        if "://" in target or target.startswith("mailto:"):
            continue
        assert (page.parent / target).exists(), f"{page.name} links to {target}, which does not exist"


def test_nothing_points_outside_the_repository():
    beside = "../" + "shared"  # the folder a clone of this repository alone does not have
    offenders = [str(path.relative_to(ROOT)) for path in ROOT.rglob("*")
                 if path.is_file() and path.suffix in {".py", ".md", ".yaml", ".toml", ".cfg"}
                 and not {".venv", "node_modules", ".git", "out"} & set(path.relative_to(ROOT).parts)
                 and beside in path.read_text(encoding="utf-8", errors="replace")]
    assert offenders == []
