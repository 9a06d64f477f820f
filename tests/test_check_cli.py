"""`estate check PLAN...`: exit codes, the JSON shape, SARIF 2.1.0, JUnit, --only, --out, malformed plans."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree

import pytest

from tests.conftest import EXAMPLE_ESTATE, run_cli
from tests.guardrail_plans import nic, plan_text, platform_plan_steps, resource_group, vm, write_plan

JSON_KEYS = ["rule", "enforcement", "urn", "type", "path", "value", "message"]


@pytest.fixture
def clean_plan(tmp_path):
    return write_plan(tmp_path / "platform.json", *platform_plan_steps(), vm(), nic())


@pytest.fixture
def non_uk_plan(tmp_path):
    return write_plan(tmp_path / "bad.json", *platform_plan_steps(), resource_group("rg-eu", location="West Europe"))


PREFLIGHT = ["azure-preflight-names", "azure-preflight-regions", "azure-preflight-expressroute", "azure-preflight-vm",
             "azure-preflight-dependencies"]


def test_a_compliant_plan_exits_0_with_a_summary(clean_plan):
    result = run_cli("check", clean_plan, "--estate", EXAMPLE_ESTATE)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"{clean_plan}: passed: 11 resources checked, 0 mandatory and 0 advisory violations"


def test_a_plan_with_a_non_uk_resource_exits_1_naming_it(non_uk_plan):
    result = run_cli("check", non_uk_plan, "--estate", EXAMPLE_ESTATE)
    assert result.exit_code == 1
    assert "[mandatory] uk-regions-only: inputs.location = \"West Europe\"" in result.stdout
    assert "rg-eu" in result.stdout and "FAILED" in result.stdout


def test_json_output_has_exactly_the_documented_shape(non_uk_plan):
    result = run_cli("check", non_uk_plan, "--estate", EXAMPLE_ESTATE, "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert list(document) == ["resources_checked", "violations"]
    assert document["resources_checked"] == 10
    (violation,) = document["violations"]
    assert list(violation) == JSON_KEYS
    assert violation == {
        "rule": "uk-regions-only", "enforcement": "mandatory",
        "urn": "urn:pulumi:platform::estate::azure-native:resources:ResourceGroup::rg-eu",
        "type": "azure-native:resources:ResourceGroup", "path": "inputs.location", "value": "West Europe",
        "message": violation["message"]}
    assert violation["message"].startswith("West Europe (westeurope) is outside the allowed regions")


def test_several_plans_are_checked_together(clean_plan, non_uk_plan):
    result = run_cli("check", clean_plan, non_uk_plan, "--estate", EXAMPLE_ESTATE, "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["resources_checked"] == 21


def test_only_runs_the_named_rules(tmp_path):
    plan = write_plan(tmp_path / "p.json", resource_group("rg-eu", location="westeurope", tags={}))
    both = json.loads(run_cli("check", plan, "--estate", EXAMPLE_ESTATE, "--format", "json").stdout)
    assert {v["rule"] for v in both["violations"]} == {"uk-regions-only", "required-tags"}
    only = run_cli("check", plan, "--estate", EXAMPLE_ESTATE, "--format", "json", "--only", "required-tags")
    assert {v["rule"] for v in json.loads(only.stdout)["violations"]} == {"required-tags"}
    tags_ok = run_cli("check", write_plan(tmp_path / "q.json", resource_group(location="westeurope")),
                      "--estate", EXAMPLE_ESTATE, "--only", "required-tags", "--only", "no-public-ip")
    assert tags_ok.exit_code == 0


def test_an_unknown_rule_is_a_usage_error(clean_plan):
    result = run_cli("check", clean_plan, "--only", "uk-only")
    assert result.exit_code == 2
    assert "no such rule; rules are uk-regions-only, required-tags, no-public-ip, supported-os" in result.stderr


def test_advisory_violations_alone_exit_0(tmp_path):
    estate = tmp_path / "estate.yaml"
    estate.write_text(EXAMPLE_ESTATE.read_text().replace("planned_month: 2019-12", "planned_month: 2025-12"))
    plan = write_plan(tmp_path / "wave.json", vm(sku="2012-R2-Datacenter"))
    result = run_cli("check", plan, "--estate", estate, "--format", "json")
    assert result.exit_code == 0, result.output
    (violation,) = json.loads(result.stdout)["violations"]
    assert (violation["rule"], violation["enforcement"]) == ("supported-os", "advisory")


def test_sarif_output_is_sarif_2_1_0_pointing_at_the_step(non_uk_plan):
    result = run_cli("check", non_uk_plan, "--estate", EXAMPLE_ESTATE, "--format", "sarif")
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "estate-guardrails"
    assert [rule["id"] for rule in driver["rules"]] == ["uk-regions-only", "required-tags", "no-public-ip",
                                                        "supported-os", *PREFLIGHT]
    (finding,) = run["results"]
    assert (finding["ruleId"], finding["level"]) == ("uk-regions-only", "error")
    assert driver["rules"][finding["ruleIndex"]]["id"] == "uk-regions-only"
    location = finding["locations"][0]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == non_uk_plan.as_uri()
    line = location["physicalLocation"]["region"]["startLine"]
    assert "rg-eu" in non_uk_plan.read_text().splitlines()[line - 1]
    assert location["logicalLocations"][0]["fullyQualifiedName"].endswith("::rg-eu")
    assert finding["partialFingerprints"]


def test_junit_output_has_a_case_per_rule_failing_on_mandatory_violations(non_uk_plan):
    result = run_cli("check", non_uk_plan, "--estate", EXAMPLE_ESTATE, "--format", "junit")
    assert result.exit_code == 1
    root = ElementTree.fromstring(result.stdout.split("\n", 1)[1])
    (suite,) = root.findall("testsuite")
    assert (suite.get("tests"), suite.get("failures")) == ("9", "1")
    cases = {case.get("name"): case for case in suite.findall("testcase")}
    assert list(cases) == ["uk-regions-only", "required-tags", "no-public-ip", "supported-os", *PREFLIGHT]
    failure = cases["uk-regions-only"].find("failure")
    assert failure.get("message") == "1 mandatory violation of uk-regions-only"
    assert "rg-eu" in failure.text
    assert cases["required-tags"].find("failure") is None


def test_out_writes_the_report_to_a_file_and_keeps_the_exit_code(non_uk_plan, tmp_path):
    report = tmp_path / "reports" / "guardrails.sarif"
    result = run_cli("check", non_uk_plan, "--estate", EXAMPLE_ESTATE, "--format", "sarif", "--out", report)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert json.loads(report.read_text())["version"] == "2.1.0"
    assert f"report written to {report}" in result.stderr
    assert not [path for path in report.parent.iterdir() if path.name.endswith(".tmp")]


def test_the_estate_named_in_the_plan_config_is_used(tmp_path, monkeypatch):
    estate = tmp_path / "mine.yaml"
    estate.write_text(EXAMPLE_ESTATE.read_text().replace("allowed: [uksouth, ukwest]", "allowed: [uksouth]")
                      .replace("secondary: ukwest", "secondary: null"))
    plan = write_plan(tmp_path / "p.json", resource_group(location="ukwest"),
                      config={"azure-native:location": "uksouth", "estate:estateFile": str(estate)})
    result = run_cli("check", plan)
    assert result.exit_code == 1, result.output
    assert "outside the allowed regions (uksouth)" in result.stdout


def test_a_missing_estate_is_exit_2(clean_plan, tmp_path):
    result = run_cli("check", clean_plan, "--estate", tmp_path / "nope.yaml")
    assert result.exit_code == 2
    assert "nope.yaml: no such file" in result.stderr and "--estate FILE" in result.stderr


@pytest.mark.parametrize(("text", "phrase"), [
    ("", "the plan is empty"),
    ("{\"steps\": [{\"op\": \"create\"", "truncated"),
    ("not json at all", "not JSON"),
    ("{\"config\": {}}", "not a plan"),
    ("{\"steps\": [{\"op\": \"create\", \"urn\": \"urn:pulumi:s::p::t::n\"}]}", "has no resource state"),
])
def test_malformed_plans_exit_2_with_one_paragraph_naming_the_file(tmp_path, text, phrase):
    plan = tmp_path / "broken.json"
    plan.write_text(text)
    result = run_cli("check", plan, "--estate", EXAMPLE_ESTATE)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert str(plan) in result.stderr and phrase in result.stderr
    assert "Traceback" not in result.output
    assert result.stderr.count("\n") == 1


def test_a_missing_plan_is_exit_2(tmp_path):
    result = run_cli("check", tmp_path / "absent.json", "--estate", EXAMPLE_ESTATE)
    assert result.exit_code == 2 and "no such file" in result.stderr


def test_delete_steps_are_not_violations(tmp_path):
    text = json.loads(plan_text(resource_group("rg-eu", location="westeurope")))
    step = text["steps"][0]
    step["op"], step["oldState"] = "delete", step.pop("newState")
    plan = tmp_path / "delete.json"
    plan.write_text(json.dumps(text))
    result = run_cli("check", plan, "--estate", EXAMPLE_ESTATE, "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"resources_checked": 0, "violations": []}


def test_an_unwritable_out_path_is_exit_2(clean_plan, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = run_cli("check", clean_plan, "--estate", EXAMPLE_ESTATE, "--out", blocker / "report.json")
    assert result.exit_code == 2
    assert "cannot write the report" in result.stderr and "Traceback" not in result.output


def test_read_steps_of_resources_the_stack_does_not_manage_are_not_checked(tmp_path):
    looked_up = resource_group("rg-shared-eu", location="westeurope")
    looked_up["op"] = "read"
    plan = write_plan(tmp_path / "read.json", looked_up, resource_group())
    result = run_cli("check", plan, "--estate", EXAMPLE_ESTATE, "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["resources_checked"] == 1


def test_the_council_examples_plans_pass(tmp_path):
    from estate.definition.loader import load_estate
    from tests.guardrail_plans import example_wave_steps

    estate = load_estate(EXAMPLE_ESTATE)
    plans = [write_plan(tmp_path / "platform.json", *platform_plan_steps())]
    plans += [write_plan(tmp_path / f"{wave.stack}.json", *example_wave_steps(estate, wave)) for wave in estate.waves]
    result = run_cli("check", *plans, "--estate", EXAMPLE_ESTATE, "--format", "json")
    assert result.exit_code == 0, result.stdout[:2000]
    document = json.loads(result.stdout)
    servers = sum(1 for _ in estate.servers())
    assert document["resources_checked"] == 9 + len(estate.waves) * 2 + servers * 3
    assert document["violations"] == []


def test_the_council_example_fails_once_one_resource_leaves_the_uk(tmp_path):
    from estate.definition.loader import load_estate
    from tests.guardrail_plans import example_wave_steps

    estate = load_estate(EXAMPLE_ESTATE)
    steps = example_wave_steps(estate, estate.wave("pilot"))
    steps[5]["newState"]["inputs"]["location"] = "francecentral"
    result = run_cli("check", write_plan(tmp_path / "wave-pilot.json", *steps), "--estate", EXAMPLE_ESTATE,
                     "--format", "json")
    assert result.exit_code == 1
    (violation,) = json.loads(result.stdout)["violations"]
    assert (violation["rule"], violation["urn"]) == ("uk-regions-only", steps[5]["urn"])
