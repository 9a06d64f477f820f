"""azure-preflight-regions: resources Azure needs in one region."""

from __future__ import annotations

from estate.foundation.plan import UNKNOWN
from policies.rules.preflight.regions import NAME, REMEDIATION
from tests.preflight_plans import base_steps, findings, first_preview, inputs


def test_a_plan_in_one_region_passes():
    assert findings(base_steps(), NAME) == []


def test_a_ukwest_nic_on_a_uksouth_subnet_is_refused():
    steps = base_steps()
    inputs(steps, "nic")["location"] = "ukwest"
    inputs(steps, "vm")["location"] = "ukwest"
    vnet = steps["vnet"]["urn"]
    assert ("nic", "mandatory", inputs(steps, "nic")["ipConfigurations"][0]["subnet"]["id"],
            "inputs.ipConfigurations[0].subnet.id",
            f"NetworkInterface in ukwest but its subnet's virtual network {vnet} is in uksouth; Azure refuses "
            f"resources in different regions here; {REMEDIATION}") in findings(steps, NAME)


def test_a_vm_in_another_region_than_its_nic_is_refused():
    steps = base_steps()
    inputs(steps, "vm")["location"] = "ukwest"
    result = [f for f in findings(steps, NAME) if f[0] == "vm"]
    assert result == [("vm", "mandatory", inputs(steps, "vm")["networkProfile"]["networkInterfaces"][0]["id"],
                       "inputs.networkProfile.networkInterfaces[0].id",
                       f"VirtualMachine in ukwest but its network interface {steps['nic']['urn']} is in uksouth; "
                       f"Azure refuses resources in different regions here; {REMEDIATION}")]


def test_a_vm_protected_by_a_vault_in_another_region_is_refused():
    steps = base_steps()
    inputs(steps, "rsv")["location"] = "ukwest"
    assert findings(steps, NAME) == [(
        "backup", "mandatory", "rsv-lcc-backup-uks", "inputs.vaultName",
        f"{steps['vm']['urn']} is in uksouth but its Recovery Services vault {steps['rsv']['urn']} is in ukwest; "
        f"Azure Backup protects a VM only from a vault in the VM's region; {REMEDIATION}")]


def test_a_gateway_in_another_region_than_its_virtual_network_is_refused():
    steps = base_steps()
    inputs(steps, "gateway")["location"] = "ukwest"
    (finding,) = findings(steps, NAME)
    assert finding[:2] == ("gateway", "mandatory")
    assert finding[4].startswith(f"VirtualNetworkGateway in ukwest but its virtual network {steps['vnet']['urn']} "
                                 "is in uksouth")


def test_a_subnet_another_stack_creates_is_looked_up_in_the_other_plans_of_the_check():
    from policies.plan_check import check_plan
    from policies.rules import RULES
    from policies.rules.base import GuardrailSettings
    from tests.preflight_plans import plan_of

    platform = base_steps()
    wave = {"nic": platform.pop("nic")}
    inputs(wave, "nic")["location"] = "ukwest"
    rule = [RULES[NAME]]
    alone = check_plan(plan_of(wave), GuardrailSettings(), rule)
    beside = check_plan(plan_of(wave), GuardrailSettings(), rule, neighbours=[plan_of(platform)])
    assert alone.violations == []  # the subnet is not in this plan: nothing to compare with
    (violation,) = beside.violations
    assert violation.path == "inputs.ipConfigurations[0].subnet.id"
    assert violation.message.startswith(f"NetworkInterface in ukwest but its subnet's virtual network "
                                        f"{platform['vnet']['urn']} is in uksouth")
    assert beside.resources_checked == 1


# A first `pulumi preview` shows the id of a resource the same plan creates as unknown; the rule follows the
# input's recorded property dependency to that resource.

def test_a_first_preview_of_a_plan_in_one_region_passes_every_preflight_rule():
    from policies.rules import RULES

    steps = first_preview(base_steps())
    assert inputs(steps, "vm")["networkProfile"]["networkInterfaces"][0]["id"] == UNKNOWN
    for name in RULES:
        if name.startswith("azure-preflight-"):
            assert findings(steps, name) == [], name


def test_a_ukwest_nic_whose_unknown_subnet_id_comes_from_a_uksouth_subnet_is_refused():
    steps = first_preview(base_steps())
    inputs(steps, "nic")["location"] = "ukwest"
    inputs(steps, "vm")["location"] = "ukwest"
    assert ("nic", "mandatory", UNKNOWN, "inputs.ipConfigurations[0].subnet.id",
            f"NetworkInterface in ukwest but its subnet's virtual network {steps['vnet']['urn']} is in uksouth; "
            f"Azure refuses resources in different regions here; {REMEDIATION}") in findings(steps, NAME)


def test_a_vm_whose_unknown_nic_id_comes_from_a_nic_in_another_region_is_refused():
    steps = first_preview(base_steps())
    inputs(steps, "vm")["location"] = "ukwest"
    assert [f for f in findings(steps, NAME) if f[0] == "vm"] == [(
        "vm", "mandatory", UNKNOWN, "inputs.networkProfile.networkInterfaces[0].id",
        f"VirtualMachine in ukwest but its network interface {steps['nic']['urn']} is in uksouth; Azure refuses "
        f"resources in different regions here; {REMEDIATION}")]


def test_a_backup_whose_unknown_vm_id_comes_from_a_vm_in_another_region_than_the_vault_is_refused():
    steps = first_preview(base_steps())
    for name in ("nic", "vm", "backup"):
        inputs(steps, name)["location"] = "ukwest"
    assert [f for f in findings(steps, NAME) if f[0] == "backup"] == [(
        "backup", "mandatory", UNKNOWN, "inputs.vaultName",
        f"{steps['vm']['urn']} is in ukwest but its Recovery Services vault {steps['rsv']['urn']} is in uksouth; "
        f"Azure Backup protects a VM only from a vault in the VM's region; {REMEDIATION}")]


def test_a_gateway_whose_unknown_subnet_id_comes_from_a_subnet_in_another_region_is_refused():
    steps = first_preview(base_steps())
    inputs(steps, "gateway")["location"] = "ukwest"
    (finding,) = findings(steps, NAME)
    assert finding[:4] == ("gateway", "mandatory", UNKNOWN, "inputs.ipConfigurations[0].subnet.id")
    assert finding[4].startswith(f"VirtualNetworkGateway in ukwest but its virtual network {steps['vnet']['urn']} "
                                 "is in uksouth")


def test_an_unknown_id_that_depends_on_two_candidates_is_not_guessed():
    steps = first_preview(base_steps())
    inputs(steps, "nic")["location"] = "ukwest"
    inputs(steps, "vm")["location"] = "ukwest"
    steps["nic"]["newState"]["propertyDependencies"]["ipConfigurations"].append(steps["snet-gw"]["urn"])
    assert [f for f in findings(steps, NAME) if f[0] == "nic"] == []
