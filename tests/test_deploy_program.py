"""Defects 1, 2, 3, 5, 10, 11: what the program writes is what Azure needs to deploy it first time."""

from __future__ import annotations

from pathlib import Path

import pytest

from estate.definition import naming
from estate.definition.loader import load_estate
from estate.foundation.plan import UNKNOWN, load_plan
from estate.synth.synthesis import synthesise
from tests.conftest import MINIMAL_ESTATE, run_cli

SPOKE = """\
  spokes:
    ukwest:
      address_space: [10.2.0.0/16]
      subnets:
        - {name: west-apps, prefix: 10.2.1.0/24}
"""


def _two_region_estate(text: str = MINIMAL_ESTATE) -> str:
    """The minimal estate with a second, ukwest wave in a spoke VNet."""
    text = text.replace("connectivity:\n", SPOKE + "connectivity:\n", 1)
    wave = text[text.index("  - name: one"):text.index("retained:")]
    west = wave.replace("name: one", "name: west", 1).replace(
        "subnet: apps", "region: ukwest\n    subnet: west-apps").replace("tc-app-", "tc-wapp-").replace(
        "tc-web-", "tc-wweb-")
    return text.replace("retained:", west + "retained:", 1)


def _plans(write_estate, tmp_path, text: str) -> dict:
    out = tmp_path / "plans"
    result = run_cli("synth", "--all", "--out", out, "--estate", write_estate(text))
    assert result.exit_code == 0, result.output
    return {path.stem: load_plan(path) for path in out.iterdir()}


def _of(plan, type_suffix: str) -> list:
    return [r for r in plan.resources if r.type.endswith(type_suffix)]


# Defect 1: a wave in ukwest


def test_a_ukwest_wave_gets_a_peered_spoke_and_a_ukwest_vault(write_estate, tmp_path):
    plans = _plans(write_estate, tmp_path, _two_region_estate())
    platform, west = plans["platform"], plans["wave-west"]
    spoke = next(r for r in _of(platform, ":VirtualNetwork") if r.inputs["location"] == "ukwest")
    assert spoke.inputs["virtualNetworkName"] == "vnet-tc-spoke-ukw"
    networks = {r.urn: r.inputs["virtualNetworkName"] for r in _of(platform, ":VirtualNetwork")}
    # The remote network is created in the same update: its id is unknown, its property dependency names it.
    peerings = {(r.inputs["virtualNetworkName"], r.inputs["remoteVirtualNetwork"]["id"],
                 *(networks[urn] for urn in r.property_dependencies["remoteVirtualNetwork"]))
                for r in _of(platform, ":VirtualNetworkPeering")}
    assert peerings == {("vnet-tc-hub-uks", UNKNOWN, "vnet-tc-spoke-ukw"),
                        ("vnet-tc-spoke-ukw", UNKNOWN, "vnet-tc-hub-uks")}
    vault = next(r for r in _of(platform, "recoveryservices:Vault") if r.inputs["location"] == "ukwest")
    for nic in _of(west, "NetworkInterface"):
        assert nic.inputs["location"] == "ukwest"
        subnet_id = nic.inputs["ipConfigurations"][0]["subnet"]["id"]
        assert "/virtualNetworks/vnet-tc-spoke-ukw/subnets/west-apps" in subnet_id
    for item in _of(west, "ProtectedItem"):
        assert item.inputs["vaultName"] == vault.inputs["vaultName"] == "rsv-tc-backup-ukw"
        assert item.inputs["location"] == "ukwest"
    (group,) = _of(west, "ResourceGroup")
    assert group.inputs == {**group.inputs, "resourceGroupName": "rg-tc-wave-west-ukw", "location": "ukwest"}


def test_a_wave_in_a_region_without_a_network_is_refused_at_validate(write_estate):
    text = _two_region_estate().replace(SPOKE, "")
    result = run_cli("validate", write_estate(text))
    assert result.exit_code == 2
    assert "wave 'west' is in ukwest but the estate has no network there" in result.stderr
    assert "add landing_zone.spokes.ukwest" in result.stderr


def test_on_premises_ranges_overlapping_a_spoke_are_refused(write_estate):
    text = _two_region_estate().replace("on_premises_prefixes: [192.168.0.0/16]", "on_premises_prefixes: [10.2.0.0/20]")
    result = run_cli("validate", write_estate(text))
    assert result.exit_code == 2
    assert "10.2.0.0/20 overlaps the ukwest spoke's address space 10.2.0.0/16" in result.stderr


def test_a_server_in_another_region_than_its_wave_is_refused(write_estate):
    size = "        size: Standard_B2ms\n"
    text = MINIMAL_ESTATE.replace(size, size + "        region: ukwest\n", 1)
    result = run_cli("validate", write_estate(text))
    assert result.exit_code == 2, result.output
    assert "ukwest differs from its wave's region uksouth" in result.stderr


# Defect 2: ExpressRoute in its real sequence


def test_step_1_is_the_circuit_alone_no_peering_or_connection_until_the_provider_has_provisioned_it(
        write_estate, tmp_path):
    platform = _plans(write_estate, tmp_path, MINIMAL_ESTATE)["platform"]
    assert _of(platform, "ExpressRouteCircuit")
    assert not _of(platform, "ExpressRouteCircuitPeering")  # Azure refuses a peering on an unprovisioned circuit
    assert not _of(platform, "VirtualNetworkGatewayConnection")
    assert not [key for key in platform.config if "uthorization" in key]  # no key for our own circuit
    nsg = _of(platform, "NetworkSecurityGroup")[0]
    assert nsg.inputs["securityRules"][0]["sourceAddressPrefixes"] == ["192.168.0.0/16"]


def test_step_2_connects_after_the_peering_without_a_key(write_estate, tmp_path):
    text = MINIMAL_ESTATE.replace("vlan_id: 100}", "vlan_id: 100}\n    connection: {enabled: true}")
    platform = _plans(write_estate, tmp_path, text)["platform"]
    (connection,) = _of(platform, "VirtualNetworkGatewayConnection")
    (peering,) = _of(platform, "ExpressRouteCircuitPeering")
    assert peering.inputs == {**peering.inputs, "peeringType": "AzurePrivatePeering", "peerASN": 65010,
                              "primaryPeerAddressPrefix": "172.31.255.0/30",
                              "secondaryPeerAddressPrefix": "172.31.255.4/30", "vlanId": 100}
    assert peering.urn in connection.inputs.get("dependencies", []) or peering.urn in \
        load_plan_dependencies(tmp_path / "plans" / "platform.json", connection.urn)
    assert "authorizationKey" not in connection.inputs


def load_plan_dependencies(path: Path, urn: str) -> list[str]:
    import json

    step = next(s for s in json.loads(path.read_text())["steps"] if s["urn"] == urn)
    return step["newState"].get("dependencies", [])


@pytest.mark.parametrize(("change", "message"), [
    ("vlan_id: 100}\n    circuit_id: /subscriptions/s/resourceGroups/g/providers/Microsoft.Network/"
     "expressRouteCircuits/c", "a circuit owned elsewhere (circuit_id) needs the authorisation key"),
    ("vlan_id: 100}\n    authorization_key_config: key", "an authorisation key is only for a circuit in another"),
    ("vlan_id: 100, peer_asn: 65515}", "ASN 65515 is reserved by Azure"),
])
def test_expressroute_settings_azure_would_refuse_are_refused(write_estate, change, message):
    text = MINIMAL_ESTATE.replace("vlan_id: 100}", change)
    text = text.replace("peer_asn: 65010, primary", "primary") if "peer_asn: 65515" in change else text
    result = run_cli("validate", write_estate(text))
    assert result.exit_code == 2, result.output
    assert message in result.stderr


def test_a_service_key_output_is_declared_for_the_network_team(write_estate, monkeypatch):
    import estate.program.stacks as stacks

    exported: list[str] = []
    real_export = stacks.pulumi.export
    monkeypatch.setattr(stacks.pulumi, "export", lambda name, value: (exported.append(name), real_export(name, value)))
    estate_file = write_estate()
    synthesise(load_estate(estate_file), estate_file, estate_file.parent, ["platform"])
    assert {"expressRouteCircuitId", "expressRouteServiceKey", "expressRouteProvisioningState"} <= set(exported)


# Defect 3: protect, and wave groups owned by the waves


def test_stateful_resources_are_protected_and_wave_groups_belong_to_waves(write_estate, tmp_path):
    import json

    plans = _plans(write_estate, tmp_path, MINIMAL_ESTATE)
    steps = {s["newState"]["type"]: s["newState"] for s in
             json.loads((tmp_path / "plans" / "platform.json").read_text())["steps"]}
    for kind in ("keyvault:Vault", "recoveryservices:Vault", "operationalinsights:Workspace",
                 "network:ExpressRouteCircuit", "network:VirtualNetwork"):
        assert steps[f"azure-native:{kind}"].get("protect") is True, kind
    assert {r.inputs["resourceGroupName"] for r in _of(plans["platform"], "ResourceGroup")} == {
        "rg-tc-connectivity-uks", "rg-tc-management-uks"}
    wave = json.loads((tmp_path / "plans" / "wave-one.json").read_text())
    (group,) = [s["newState"] for s in wave["steps"] if s["newState"]["type"].endswith("ResourceGroup")]
    assert group["inputs"]["resourceGroupName"] == "rg-tc-wave-one-uks" and group.get("retainOnDelete") is True


def test_protect_can_be_switched_off_in_the_estate(write_estate, tmp_path):
    import json

    text = MINIMAL_ESTATE.replace("  hub:\n", "  protect: false\n  hub:\n", 1)
    _plans(write_estate, tmp_path, text)
    steps = json.loads((tmp_path / "plans" / "platform.json").read_text())["steps"]
    assert not [s for s in steps if s["newState"].get("protect")]


# Defect 5: the Key Vault's global name


def test_key_vault_names_fit_24_characters_with_a_stable_unique_suffix():
    long_name = naming.key_vault("abcdefghij", "germanywestcentral", naming.unique_suffix("A Council", "abcdefghij"))
    assert 3 <= len(long_name) <= 24 and "--" not in long_name and long_name[0].isalpha()
    first = naming.key_vault("tc", "uksouth", naming.unique_suffix("Test Council", "tc"))
    assert first == naming.key_vault("tc", "uksouth", naming.unique_suffix("Test Council", "tc"))
    assert first != naming.key_vault("tc", "uksouth", naming.unique_suffix("Other Council", "tc"))
    assert first.startswith("kv-tc-uks-") and len(first) == len("kv-tc-uks-") + 6


# Defect 10: waves read what the platform exports


def test_waves_use_the_vault_the_platform_exports_and_export_vm_ids(write_estate):
    from estate.synth.mock_runtime import synthesise_stack
    from estate.synth.stack_config import load_stack_config

    estate_file = write_estate()
    estate = load_estate(estate_file)
    platform = synthesise(estate, estate_file, estate_file.parent, ["platform"]).plans[0].exports
    platform["regions"]["uksouth"] = {**platform["regions"]["uksouth"], "recoveryVaultName": "rsv-imported",
                                      "recoveryVaultResourceGroupName": "rg-imported"}
    config = load_stack_config(estate_file.parent, "wave-one", estate, estate_file)
    plan = synthesise_stack("wave-one", estate, config, stack_outputs={"platform": platform})
    items = [s["newState"]["inputs"] for s in plan.document["steps"] if s["newState"]["type"].endswith("ProtectedItem")]
    assert items and {(i["vaultName"], i["resourceGroupName"]) for i in items} == {("rsv-imported", "rg-imported")}
    assert sorted(plan.exports["vmIds"]) == [s.name for s in estate.servers(estate.wave("one"))]
    assert "privateIpAddresses" in plan.exports


# Defect 11: synth writes its plans through the one atomic writer (the umask is its concern)


def test_synth_writes_plans_through_write_atomic(write_estate, tmp_path, monkeypatch):
    import estate.foundation.files as files

    written: list[str] = []
    real = files.write_atomic

    def recording(path, data):
        written.append(Path(path).name)
        return real(path, data)

    monkeypatch.setattr(files, "write_atomic", recording)
    assert run_cli("synth", "--all", "--out", tmp_path / "plans", "--estate", write_estate()).exit_code == 0
    assert sorted(written) == ["platform.json", "retained.json", "wave-one.json"]
