"""azure-preflight on the estate definition: `estate validate` and `estate check --estate` name the field."""

from __future__ import annotations

import json

from estate.definition.generated_names import generated_names
from estate.definition.loader import load_estate
from tests.conftest import EXAMPLE_ESTATE, MINIMAL_ESTATE, run_cli

# A subnet name Azure accepts (80 characters at most) whose NSG name, `nsg-<short_name>-<subnet>`, it refuses.
# (Key Vault names, the old example, are now made to fit 24 characters whatever the short name.)
SUBNET = "apps-" + "x" * 73
NSG = f"nsg-tc-{SUBNET}"
LONG = MINIMAL_ESTATE.replace("{name: apps, prefix: 10.1.1.0/24}", f"{{name: {SUBNET}, prefix: 10.1.1.0/24}}").replace(
    "subnet: apps", f"subnet: {SUBNET}")


def _subnet_line() -> int:
    return next(number for number, line in enumerate(LONG.splitlines(), start=1) if f"name: {SUBNET}" in line)


def test_the_example_and_minimal_estates_generate_only_names_azure_accepts(write_estate):
    assert run_cli("validate", EXAMPLE_ESTATE).exit_code == 0
    assert run_cli("validate", write_estate()).exit_code == 0


def test_validate_refuses_a_generated_name_azure_refuses_at_the_field_it_is_made_from(write_estate):
    path = write_estate(LONG)
    result = run_cli("validate", path)
    assert result.exit_code == 2
    assert (f"{path}:{_subnet_line()}:") in result.output
    assert (f"landing_zone.hub.subnets[1].name: the Microsoft.Network/networkSecurityGroups name made from this "
            f"field, {NSG!r} is {len(NSG)} characters; Microsoft.Network/networkSecurityGroups names are 1-80; "
            "Azure refuses it at deployment (resource group scope") in result.output


def test_estate_check_reports_the_same_name_as_an_azure_preflight_names_violation(write_estate):
    path = write_estate(LONG)
    result = run_cli("check", "--estate", path, "--only", "azure-preflight", "--format", "json")
    assert result.exit_code == 1
    (violation,) = json.loads(result.stdout)["violations"]
    assert (violation["rule"], violation["path"], violation["value"], violation["line"]) == (
        "azure-preflight-names", "landing_zone.hub.subnets[1].name", NSG, _subnet_line())
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
    inputs(steps, "kv")["vaultName"] = "kv-far-too-long-for-azure-x"  # what an estate could once generate
    fields = estate_field_locations(path)
    fields["kv-far-too-long-for-azure-x"] = fields[NSG]  # as if the estate field made this name
    result = check_plan(plan_of(steps), GuardrailSettings(), [RULES["azure-preflight-names"]], estate_fields=fields)
    (violation,) = result.violations
    assert violation.message.endswith(f"[estate field {fields[NSG]}]") and f":{_subnet_line()}:" in fields[NSG]
    assert violation.urn.endswith("::kv") and violation.path == "inputs.vaultName"
