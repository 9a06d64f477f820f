"""azure-preflight-regions: resources Azure needs in one region."""

from __future__ import annotations

from policies.rules.preflight.regions import NAME, REMEDIATION
from tests.preflight_plans import base_steps, findings, inputs


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
