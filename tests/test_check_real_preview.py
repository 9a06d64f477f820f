"""`estate check` over a plan shaped like `pulumi preview --json` (update, same, delete, secrets).

The plan, tests/data/preview-wave-pilot.json, is hand-written in that shape (see tests/data/README.md); the
recorded real preview is tests/data/third_party/pulumi-preview/ (test_deploy_shapes.py).
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import EXAMPLE_ESTATE, run_cli

PREVIEW = Path(__file__).parent / "data" / "preview-wave-pilot.json"
# The fixture's NIC depends on a subnet URN of another stack, which azure-preflight-dependencies rightly refuses;
# these tests are about the preview's shape (ops, defaults), so they run the four original rules.
ORIGINAL_RULES = ("--only", "uk-regions-only", "--only", "required-tags", "--only", "no-public-ip",
                  "--only", "supported-os")


def test_a_real_preview_of_a_compliant_wave_passes_and_its_delete_step_is_ignored():
    # The storage account in North Europe is being deleted: leaving the estate is never a violation.
    result = run_cli("check", PREVIEW, "--estate", EXAMPLE_ESTATE, "--format", "json", *ORIGINAL_RULES)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"resources_checked": 4, "violations": []}


def test_resources_without_location_take_the_default_providers_location(tmp_path):
    document = json.loads(PREVIEW.read_text())
    provider = document["steps"][1]["newState"]
    provider["inputs"]["location"] = "westeurope"
    plan = tmp_path / "preview.json"
    plan.write_text(json.dumps(document, indent=2))
    result = run_cli("check", plan, "--estate", EXAMPLE_ESTATE, "--format", "json", *ORIGINAL_RULES)
    assert result.exit_code == 1
    violations = json.loads(result.stdout)["violations"]
    where = {(v["urn"].rsplit("::", 1)[-1], v["path"], v["value"]) for v in violations}
    # The provider itself, and the NIC and VM that set no location; the resource group sets its own.
    assert where == {("default_3_29_0", "inputs.location", "westeurope"),
                     ("nic-lcc-intra-01", "inputs.location", "westeurope"),
                     ("vm-lcc-intra-01", "inputs.location", "westeurope")}
    assert all(v["rule"] == "uk-regions-only" for v in violations)
