"""Hostile estate definitions and plans for the guardrails: bounded expansion, and guardrails that fail closed."""

from __future__ import annotations

import json

import pytest

from tests.conftest import EXAMPLE_ESTATE, MINIMAL_ESTATE, run_cli
from tests.guardrail_plans import platform_plan_steps, resource_group, write_plan
from tests.hostile_helpers import assert_refused, run_bounded


def test_a_huge_name_pattern_width_is_refused_in_bounded_memory(tmp_path):
    estate = tmp_path / "estate.yaml"
    estate.write_text(MINIMAL_ESTATE.replace("tc-web-{n:02}", "tc-web-{n:0999999999}"), encoding="utf-8")
    assert "0999999999" in estate.read_text()
    result = run_bounded("validate", estate, seconds=60)
    assert_refused(result, "estate.yaml:", "name_pattern", "{n:0999999999}")


@pytest.mark.parametrize("pattern", ["tc-{n.__class__}", "tc-{0}", "tc-" + "x" * 200 + "-{n}", "tc-{n:020}"])
def test_exotic_or_long_name_patterns_are_refused(write_estate, pattern):
    result = run_cli("validate", write_estate(MINIMAL_ESTATE.replace("tc-web-{n:02}", pattern)))
    assert_refused(result, "name_pattern")


@pytest.mark.parametrize("location", [5, True, ["uksouth", "westeurope"], ["uksouth"]])
def test_a_location_that_is_not_text_is_a_violation(tmp_path, location):
    plan = write_plan(tmp_path / "plan.json", *platform_plan_steps(), resource_group("rg-odd", location=location))
    result = run_cli("check", plan, "--estate", EXAMPLE_ESTATE, "--format", "json")
    assert result.exit_code == 1, result.output
    violations = json.loads(result.stdout)["violations"]
    odd = [v for v in violations if v["urn"].endswith("::rg-odd")]
    assert odd and odd[0]["rule"] == "uk-regions-only" and "not a region name" in odd[0]["message"]


def test_a_switch_about_regions_is_not_a_region(tmp_path):
    plan = write_plan(tmp_path / "plan.json", *platform_plan_steps(),
                      resource_group("rg-ok", enableMultipleWriteLocations=False))
    assert run_cli("check", plan, "--estate", EXAMPLE_ESTATE).exit_code == 0


def test_check_estate_validates_first(write_estate):
    estate = write_estate(MINIMAL_ESTATE.replace("subnet: apps", "subnet: nowhere"))
    validated = run_cli("validate", estate)
    assert validated.exit_code == 2, validated.output
    checked = run_cli("check", "--estate", estate)
    assert_refused(checked, "estate.yaml:", "subnet")
