"""`estate check --estate FILE`: the guardrails before synthesis, pointing at YAML file:line; and the estate
fields the guardrails read (tags.server_only, exemptions)."""

from __future__ import annotations

import json

from tests.conftest import EXAMPLE_ESTATE, MINIMAL_ESTATE, run_cli


def _line_of(path, text):
    return next(number for number, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_the_council_example_passes():
    result = run_cli("check", "--estate", EXAMPLE_ESTATE)
    assert result.exit_code == 0, result.output
    assert "passed" in result.stdout


def test_a_non_uk_vm_region_is_pointed_at_by_file_and_line(write_estate):
    path = write_estate(MINIMAL_ESTATE.replace("        size: Standard_D2s_v5",
                                               "        size: Standard_D2s_v5\n        region: West Europe"))
    result = run_cli("check", "--estate", path)
    assert result.exit_code == 1
    line = _line_of(path, "region: West Europe")
    assert f"{path}:{line}:" in result.stdout
    assert "[mandatory] uk-regions-only: waves[0].vms[0].region" in result.stdout
    assert "westeurope is outside the allowed regions (uksouth, ukwest)" in result.stdout


def test_json_output_adds_file_line_and_column(write_estate):
    path = write_estate(MINIMAL_ESTATE.replace("  - name: one\n", "  - name: one\n    region: northeurope\n"))
    result = run_cli("check", "--estate", path, "--format", "json")
    assert result.exit_code == 1
    (violation,) = json.loads(result.stdout)["violations"]
    assert violation["path"] == "waves[0].region" and violation["urn"] is None
    assert violation["type"] == "estate:wave"
    assert (violation["file"], violation["line"]) == (str(path), _line_of(path, "region: northeurope"))


def test_a_mandatory_tag_nothing_sets_is_found(write_estate):
    text = MINIMAL_ESTATE.replace("landing_zone:", "tags:\n  mandatory: [business-case-line, wave, owner]\n"
                                                   "  server_only: []\nlanding_zone:")
    path = write_estate(text)
    result = run_cli("check", "--estate", path, "--only", "required-tags")
    assert result.exit_code == 1
    assert "tags.mandatory[2]" in result.stdout and "mandatory tag 'owner' is set on no resources" in result.stdout
    fixed = write_estate(text.replace("  server_only: []", "  server_only: []\n  common: {owner: platform-team}"),
                         name="fixed.yaml")
    assert run_cli("check", "--estate", fixed, "--only", "required-tags").exit_code == 0


def test_an_empty_tag_on_a_vm_is_found(write_estate):
    path = write_estate(MINIMAL_ESTATE.replace("        application: payroll",
                                               "        application: payroll\n        tags: {wave: ''}"))
    result = run_cli("check", "--estate", path, "--format", "json")
    assert result.exit_code == 1
    (violation,) = json.loads(result.stdout)["violations"]
    assert (violation["rule"], violation["path"]) == ("required-tags", "waves[0].vms[0].tags.wave")


def test_an_os_out_of_support_at_the_waves_go_live_is_found(write_estate):
    path = write_estate(MINIMAL_ESTATE.replace("planned_month: 2025-01", "planned_month: 2026-11")
                        .replace('os_version: "2022"', 'os_version: "2012-r2"'))
    result = run_cli("check", "--estate", path, "--format", "json", "--only", "supported-os")
    assert result.exit_code == 1
    violation, ending = json.loads(result.stdout)["violations"]
    assert violation["path"] == "waves[0].vms[0].os_version" and violation["enforcement"] == "mandatory"
    # Ubuntu 22.04 ends 2027-06-01, within 12 months of go-live: advisory.
    assert (ending["path"], ending["enforcement"]) == ("waves[0].vms[1].os_version", "advisory")
    assert violation["line"] == _line_of(path, 'os_version: "2012-r2"')


def test_sarif_and_junit_work_for_the_definition_too(write_estate):
    path = write_estate(MINIMAL_ESTATE.replace("  - name: one\n", "  - name: one\n    region: northeurope\n"))
    sarif = json.loads(run_cli("check", "--estate", path, "--format", "sarif").stdout)
    region = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == _line_of(path, "region: northeurope")
    junit = run_cli("check", "--estate", path, "--format", "junit").stdout
    assert 'failures="1"' in junit and "waves[0].region" in junit


def test_a_definition_that_breaks_the_schema_is_exit_2(write_estate):
    result = run_cli("check", "--estate", write_estate("organisation: [oops]\n"))
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_exemptions_must_name_an_exemptible_rule_and_give_a_reason(write_estate):
    path = write_estate(MINIMAL_ESTATE + "exemptions:\n  - {rule: uk-regions-only, resources: [rg-*], reason: ''}\n")
    result = run_cli("validate", path)
    assert result.exit_code == 2
    assert "exemptions[0].rule" in result.stderr and "exemptions[0].reason" in result.stderr


def test_a_declared_exemption_loads(write_estate):
    from estate.definition.loader import load_estate

    path = write_estate(MINIMAL_ESTATE + "exemptions:\n  - rule: no-public-ip\n    resources: [pip-bastion]\n"
                                         "    reason: Azure Bastion needs a public IP\n")
    (exemption,) = load_estate(path).exemptions
    assert exemption.covers("pip-bastion") and not exemption.covers("pip-web")


def test_server_only_tags_must_be_mandatory(write_estate):
    path = write_estate(MINIMAL_ESTATE.replace("landing_zone:", "tags:\n  server_only: [applicaton]\nlanding_zone:"))
    result = run_cli("validate", path)
    assert result.exit_code == 2
    assert "tags.server_only[0]: 'applicaton' is not a mandatory tag" in result.stderr
