"""The second estate (tests/data/estate-two-regions.yaml): two regions, a ukwest wave, ExpressRoute, 46 servers.

`estate validate` accepts it, `estate synth --all` writes its plans, and they pass every rule of the guardrail
registry (uk-regions-only and all the others, and any family added to the registry later).
"""

from __future__ import annotations

import json

import pytest

from estate.definition.loader import load_estate
from tests.conftest import ROOT, run_cli

pytestmark = pytest.mark.integration
TWO_REGIONS = ROOT / "tests" / "data" / "estate-two-regions.yaml"


@pytest.fixture(scope="module")
def plans_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("two-regions")
    result = run_cli("synth", "--all", "--out", out, "--estate", TWO_REGIONS)
    assert result.exit_code == 0, result.output
    return out


def test_the_second_estate_is_valid_with_two_regions_and_over_forty_servers():
    result = run_cli("validate", TWO_REGIONS)
    assert result.exit_code == 0, result.output
    estate = load_estate(TWO_REGIONS)
    assert len(list(estate.servers())) >= 40
    assert estate.regions_used() == ["uksouth", "ukwest"]
    assert estate.connectivity.expressroute is not None


def test_its_plans_pass_every_rule_of_the_registry(plans_dir):
    from policies.rules import RULES

    plans = sorted(plans_dir.glob("*.json"))
    assert [p.stem for p in plans] == sorted(load_estate(TWO_REGIONS).stacks())
    result = run_cli("check", *plans, "--estate", TWO_REGIONS, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["resources_checked"] > 170
    assert "uk-regions-only" in RULES
    for name in RULES:  # one at a time, so that each rule of the registry is seen to pass
        only = run_cli("check", *plans, "--estate", TWO_REGIONS, "--only", name)
        assert only.exit_code == 0, (name, only.output)


def test_its_ukwest_wave_lands_in_ukwest_end_to_end(plans_dir):
    west = json.loads((plans_dir / "wave-west.json").read_text())
    located = [s["newState"]["inputs"]["location"] for s in west["steps"]
               if s["newState"]["type"].startswith("azure-native:") and "location" in s["newState"].get("inputs", {})]
    assert located and set(located) == {"ukwest"}
    platform = json.loads((plans_dir / "platform.json").read_text())
    types = [s["newState"]["type"] for s in platform["steps"]]
    assert types.count("azure-native:network:VirtualNetworkPeering") == 2
    assert types.count("azure-native:recoveryservices:Vault") == 2
    # step 1: the circuit and its gateway; the peering and the connection wait for the provider (docs/deploy.md)
    assert "azure-native:network:ExpressRouteCircuit" in types
    assert "azure-native:network:VirtualNetworkGatewayConnection" not in types
