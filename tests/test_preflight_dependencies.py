"""azure-preflight-dependencies: ids and vault names resolve to the plan or to a stack output."""

from __future__ import annotations

from estate.foundation.plan import UNKNOWN
from policies.rules.preflight.dependencies import NAME, REMEDIATION
from tests.guardrail_plans import step
from tests.preflight_plans import NIC_ID, base_steps, findings, inputs

REFERENCE_URN = "urn:pulumi:platform::estate::pulumi:pulumi:StackReference::platform"


def test_a_plan_whose_references_all_resolve_passes():
    assert findings(base_steps(), NAME) == []


def test_an_id_no_resource_of_the_plan_creates_is_refused():
    steps = base_steps()
    del steps["nic"]
    assert findings(steps, NAME) == [(
        "vm", "mandatory", NIC_ID, "inputs.networkProfile.networkInterfaces[0].id",
        f"refers to {NIC_ID}, which no resource of this plan creates and no stack output it reads provides; "
        f"{REMEDIATION}")]


def test_an_id_read_from_a_stack_output_passes():
    steps = base_steps()
    del steps["nic"]
    steps["ref"] = step("pulumi:pulumi:StackReference", "platform", {"name": "platform"}, op="read")
    steps["ref"]["urn"] = steps["ref"]["newState"]["urn"] = REFERENCE_URN
    steps["vm"]["newState"]["propertyDependencies"] = {"networkProfile": [REFERENCE_URN]}
    assert findings(steps, NAME) == []


def test_an_unknown_id_counts_only_when_it_depends_on_the_plan():
    steps = base_steps()
    inputs(steps, "vm")["networkProfile"]["networkInterfaces"][0]["id"] = UNKNOWN
    steps["vm"]["newState"]["propertyDependencies"] = {"networkProfile": [steps["nic"]["urn"]]}
    assert findings(steps, NAME) == []
    steps["vm"]["newState"]["propertyDependencies"] = {"networkProfile": [], "location": []}
    assert findings(steps, NAME) == [(
        "vm", "mandatory", UNKNOWN, "inputs.networkProfile.networkInterfaces[0].id",
        f"unknown until deployment, yet it depends on no resource of this plan and no stack output; {REMEDIATION}")]


def test_a_recomputed_vault_name_is_refused():
    steps = base_steps()
    del steps["rsv"]
    steps["backup"]["newState"]["propertyDependencies"] = {"properties": [steps["vm"]["urn"]]}
    assert findings(steps, NAME) == [(
        "backup", "mandatory", "rsv-lcc-backup-uks", "inputs.vaultName",
        "Recovery Services vault 'rsv-lcc-backup-uks' (resource group rg-lcc-connectivity-uks) is created by no "
        "resource of this plan and read from no stack output; read the platform stack's vault name output instead of "
        "recomputing it")]


def test_a_first_preview_whose_unknowns_depend_on_the_plan_passes_and_one_that_lost_its_origin_is_refused():
    from tests.preflight_plans import first_preview

    steps = first_preview(base_steps())
    assert findings(steps, NAME) == []
    del steps["vm"]
    assert findings(steps, NAME) == [(
        "backup", "mandatory", UNKNOWN, "inputs.properties.sourceResourceId",
        f"unknown until deployment, yet it depends on no resource of this plan and no stack output; {REMEDIATION}")]
