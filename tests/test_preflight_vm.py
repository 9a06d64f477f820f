"""azure-preflight-vm: size offered in the region, premium disks, licence type against image."""

from __future__ import annotations

from policies.rules.preflight.vm import NAME
from tests.preflight_plans import base_steps, findings, inputs


def test_a_vm_azure_accepts_passes():
    assert findings(base_steps(), NAME) == []


def test_a_size_not_offered_in_the_region_is_refused():
    steps = base_steps()
    inputs(steps, "vm")["hardwareProfile"]["vmSize"] = "Standard_D2s_v6"
    inputs(steps, "vm")["location"] = "ukwest"
    assert findings(steps, NAME) == [(
        "vm", "mandatory", "Standard_D2s_v6", "inputs.hardwareProfile.vmSize",
        "Standard_D2s_v6 is not offered in ukwest (vm_size_regions.csv); choose a size sold there or place the wave "
        "in another region")]


def test_a_premium_disk_on_a_size_without_premium_storage_is_refused():
    steps = base_steps()
    inputs(steps, "vm")["hardwareProfile"]["vmSize"] = "Standard_D2_v3"
    assert findings(steps, NAME) == [(
        "vm", "mandatory", "Premium_LRS", "inputs.storageProfile.osDisk.managedDisk.storageAccountType",
        "Standard_D2_v3 does not support premium storage, so it cannot attach a Premium_LRS disk; choose an 's' size "
        "(e.g. Standard_D2s_v5) or StandardSSD_LRS")]


def test_windows_licence_on_a_linux_image_is_refused():
    steps = base_steps()
    inputs(steps, "vm")["storageProfile"]["imageReference"] = {
        "publisher": "Canonical", "offer": "0001-com-ubuntu-server-jammy", "sku": "22_04-lts-gen2", "version": "latest"}
    assert findings(steps, NAME) == [(
        "vm", "mandatory", "Windows_Server", "inputs.licenseType",
        "licence type Windows_Server needs a windows image but the image is "
        "Canonical/0001-com-ubuntu-server-jammy/22_04-lts-gen2; set hybrid_benefit: false for this server or give it "
        "the matching OS")]


def test_rhel_byos_needs_a_red_hat_image():
    steps = base_steps()
    inputs(steps, "vm")["licenseType"] = "RHEL_BYOS"
    (finding,) = findings(steps, NAME)
    assert finding[4].startswith("licence type RHEL_BYOS needs a Red Hat Enterprise Linux image but the image is "
                                 "MicrosoftWindowsServer/WindowsServer/")
