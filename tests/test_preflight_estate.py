"""azure-preflight on the estate definition: `estate validate` and `estate check --estate` name the field."""

from __future__ import annotations

import json

from estate.definition.generated_names import generated_names
from estate.definition.loader import load_estate
from tests.conftest import EXAMPLE_ESTATE, MINIMAL_ESTATE, run_cli

LONG = MINIMAL_ESTATE.replace("short_name: tc", "short_name: lancashire")


def test_the_example_and_minimal_estates_generate_only_names_azure_accepts(write_estate):
    assert run_cli("validate", EXAMPLE_ESTATE).exit_code == 0
    assert run_cli("validate", write_estate()).exit_code == 0


def test_validate_refuses_a_key_vault_name_over_24_characters_at_the_short_name(write_estate):
    path = write_estate(LONG)
    result = run_cli("validate", path)
    assert result.exit_code == 2
    line = LONG.splitlines().index("  short_name: lancashire") + 1
    assert (f"{path}:{line}:15: organisation.short_name: the Microsoft.KeyVault/vaults name made from this field, "
            "'kv-lancashire-platform-uks' is 26 characters; Microsoft.KeyVault/vaults names are 3-24; Azure refuses "
            "it at deployment (global scope; source: https://learn.microsoft.com/azure/azure-resource-manager/"
            "management/resource-name-rules#microsoftkeyvault); shorten or change this field") in result.output


def test_estate_check_reports_the_same_name_as_an_azure_preflight_names_violation(write_estate):
    path = write_estate(LONG)
    result = run_cli("check", "--estate", path, "--only", "azure-preflight", "--format", "json")
    assert result.exit_code == 1
    (violation,) = json.loads(result.stdout)["violations"]
    line = LONG.splitlines().index("  short_name: lancashire") + 1
    assert (violation["rule"], violation["path"], violation["value"], violation["line"], violation["column"]) == (
        "azure-preflight-names", "organisation.short_name", "kv-lancashire-platform-uks", line, 15)
    assert violation["file"] == str(path)


def test_estate_check_refuses_a_size_not_offered_in_the_servers_region(write_estate):
    text = MINIMAL_ESTATE.replace("size: Standard_D2s_v5", "size: Standard_D2s_v6\n        region: ukwest")
    path = write_estate(text)
    result = run_cli("check", "--estate", path, "--only", "azure-preflight-vm", "--format", "json")
    assert result.exit_code == 1
    (violation,) = json.loads(result.stdout)["violations"]
    assert (violation["path"], violation["message"]) == (
        "waves[0].vms[0].size", "Standard_D2s_v6 is not offered in ukwest (vm_size_regions.csv); choose a size sold "
        "there or place the server in another region")


def test_generated_names_are_the_names_the_plans_carry(tmp_path):
    # What validate checks is what synthesis writes: every generated name appears in the example's plans.
    from estate.synth.synthesis import synthesise

    estate = load_estate(EXAMPLE_ESTATE)
    run = synthesise(estate, EXAMPLE_ESTATE, EXAMPLE_ESTATE.parent, ["platform", estate.waves[0].stack])
    text = "".join(json.dumps(plan.document) for plan in run.plans)
    wanted = [name for name in generated_names(estate)
              if name.loc[:1] != ("retained",) and (name.loc[0] != "waves" or name.loc[1] == 0)]
    missing = [name.name for name in wanted if f'"{name.name}"' not in text]
    assert wanted and missing == []


def test_a_plan_finding_names_the_estate_field_the_name_is_made_from(write_estate):
    from policies.plan_check import check_plan, estate_field_locations
    from policies.rules import RULES
    from policies.rules.base import GuardrailSettings
    from tests.preflight_plans import base_steps, inputs, plan_of

    path = write_estate(LONG)
    steps = base_steps()
    inputs(steps, "kv")["vaultName"] = "kv-lancashire-platform-uks"
    line = LONG.splitlines().index("  short_name: lancashire") + 1
    result = check_plan(plan_of(steps), GuardrailSettings(), [RULES["azure-preflight-names"]],
                        estate_fields=estate_field_locations(path))
    (violation,) = result.violations
    assert violation.message.endswith(f"[estate field {path}:{line}:15]")
    assert violation.urn.endswith("::kv") and violation.path == "inputs.vaultName"
