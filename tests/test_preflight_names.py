"""azure-preflight-names: names Azure refuses, per the reference table, and duplicates in one scope."""

from __future__ import annotations

import pytest

from estate.foundation.plan import UNKNOWN
from policies.rules.preflight.names import NAME, REMEDIATION
from tests.preflight_plans import base_steps, findings, first_preview, inputs

TAIL = f"; Azure refuses it at deployment; {REMEDIATION}"


def test_a_plan_azure_accepts_has_no_naming_findings():
    assert findings(base_steps(), NAME) == []


def test_a_key_vault_name_over_24_characters_is_refused():
    steps = base_steps()
    inputs(steps, "kv")["vaultName"] = "kv-lancashirecc-platform-uks"
    assert findings(steps, NAME) == [("kv", "mandatory", "kv-lancashirecc-platform-uks", "inputs.vaultName",
                                      "'kv-lancashirecc-platform-uks' is 28 characters; Microsoft.KeyVault/vaults "
                                      "names are 3-24" + TAIL)]


def test_a_key_vault_name_with_a_reserved_word_is_refused():
    steps = base_steps()
    inputs(steps, "kv")["vaultName"] = "kv-microsoft-uks"
    assert findings(steps, NAME) == [("kv", "mandatory", "kv-microsoft-uks", "inputs.vaultName",
                                      "'kv-microsoft-uks' contains the reserved word 'MICROSOFT'" + TAIL)]


def test_a_windows_computer_name_over_15_characters_is_refused_but_the_vm_name_is_not():
    steps = base_steps()
    inputs(steps, "vm")["osProfile"]["computerName"] = "lcc-webserver-001"
    (finding,) = findings(steps, NAME)
    assert finding[:4] == ("vm", "mandatory", "lcc-webserver-001", "inputs.osProfile.computerName")
    assert finding[4] == ("'lcc-webserver-001' is 17 characters; Microsoft.Compute/virtualMachines (Windows computer "
                          "name) names are 1-15" + TAIL)


def test_a_linux_host_name_may_be_longer_than_15():
    steps = base_steps()
    vm = inputs(steps, "vm")
    vm["osProfile"]["computerName"] = "lcc-webserver-001"
    vm["osProfile"]["linuxConfiguration"] = {"disablePasswordAuthentication": True}
    vm.pop("licenseType")
    assert findings(steps, NAME) == []


@pytest.mark.parametrize(("name", "why"), [
    ("vnet-lcc-hub-", "'vnet-lcc-hub-' is not a valid Microsoft.Network/virtualNetworks name (alphanumerics, "
                      "underscores, periods and hyphens; start with an alphanumeric, end with an alphanumeric or "
                      "underscore)"),
    ("v", "'v' is 1 characters; Microsoft.Network/virtualNetworks names are 2-64"),
])
def test_a_virtual_network_name_ending_in_a_hyphen_or_too_short_is_refused(name, why):
    steps = base_steps()
    inputs(steps, "vnet")["virtualNetworkName"] = name
    assert (NAME, why + TAIL) in {(NAME, f[4]) for f in findings(steps, NAME) if f[0] == "vnet"}


def test_a_data_disk_name_is_checked_inside_the_vm():
    steps = base_steps()
    inputs(steps, "vm")["storageProfile"]["dataDisks"][0]["name"] = "disk-lcc-web-01-data-00."
    (finding,) = findings(steps, NAME)
    assert finding[3] == "inputs.storageProfile.dataDisks[0].name"
    assert finding[4].startswith("'disk-lcc-web-01-data-00.' is not a valid Microsoft.Compute/disks (data disk) name")


def test_two_resources_with_one_name_in_one_resource_group_collide():
    steps = base_steps()
    second = base_steps()["nic"]
    second["urn"] = second["urn"].replace("::nic", "::nic-2")
    second["newState"]["urn"] = second["urn"]
    steps["nic-2"] = second
    assert findings(steps, NAME) == [(
        "nic-2", "mandatory", "nic-lcc-web-01", "inputs.networkInterfaceName",
        f"{steps['nic']['urn']} already declares this NetworkInterface (same name in the same scope): the second "
        "would update the first instead of creating its own; give each its own name")]


def test_two_subnets_whose_unknown_network_name_comes_from_one_network_collide():
    steps = first_preview(base_steps())
    inputs(steps, "snet-workloads")["subnetName"] = "GatewaySubnet"
    assert inputs(steps, "snet-workloads")["virtualNetworkName"] == UNKNOWN
    assert findings(steps, NAME) == [(
        "snet-workloads", "mandatory", "GatewaySubnet", "inputs.subnetName",
        f"{steps['snet-gw']['urn']} already declares this Subnet (same name in the same scope): the second would "
        "update the first instead of creating its own; give each its own name")]
