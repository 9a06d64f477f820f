"""The estate model and the bundled council example."""

from __future__ import annotations

from decimal import Decimal

from ruamel.yaml import YAML

from estate.definition.loader import load_estate
from estate.definition.summary import summarise
from tests.conftest import EXAMPLE_ESTATE, run_cli


def _declared_counts(path):
    """Count servers straight from the YAML, independently of the model: count, or 1 for a named VM."""
    document = YAML(typ="safe").load(path.read_text())
    per_wave = {}
    for wave in document["waves"]:
        per_wave[wave["name"]] = sum(
            vm.get("count", 1) for vm in wave["vms"] if vm.get("strategy", "rehost") != "retire"
        )
    retained = sum(group["count"] for group in document.get("retained", []))
    return per_wave, retained


def test_example_estate_validates_and_counts_match_the_file():
    estate = load_estate(EXAMPLE_ESTATE)
    per_wave, retained = _declared_counts(EXAMPLE_ESTATE)
    summary = summarise(estate)
    assert {wave.name: wave.servers for wave in summary.waves} == per_wave
    assert summary.servers == sum(per_wave.values())
    assert summary.retained_hosts == retained


def test_example_matches_the_council_business_case():
    estate = load_estate(EXAMPLE_ESTATE)
    summary = summarise(estate)
    # About 300 VMs leave SunGard (288 move, 12 retire) and 61 Windows 2008 servers leave Orchard House.
    sungard = [w for w in summary.waves if w.name != "orchard-2008"]
    assert sum(w.servers + w.retired for w in sungard) == 300
    assert estate.wave("orchard-2008").vms[0].os_version == "2008-r2"
    assert summary.retained_hosts == 117
    assert summary.retained_by_site_and_reason() == {("Orchard House", "latency"): 97,
                                                     ("Orchard House", "unsupported-os"): 20}
    assert len(estate.waves) >= 3
    circuit = estate.connectivity.expressroute
    assert (circuit.service_provider, circuit.peering_location) == ("Jisc", "London")
    assert estate.regions.allowed == ["uksouth", "ukwest"]
    assert estate.regions.primary == "uksouth" and estate.regions.secondary == "ukwest"


def test_count_expands_into_names_from_the_pattern(write_estate):
    estate = load_estate(write_estate())
    names = [server.name for server in estate.servers()]
    assert names == ["tc-app-01", "tc-web-01", "tc-web-02", "tc-web-03"]
    assert all(server.region == "uksouth" for server in estate.servers())


def test_retired_servers_are_counted_apart(write_estate):
    text = (write_estate().read_text()
            .replace("business_case_line: azure-run\n      - count: 3",
                     "business_case_line: azure-run\n        strategy: retire\n      - count: 3"))
    estate = load_estate(write_estate(text))
    assert [s.name for s in estate.servers()] == ["tc-web-01", "tc-web-02", "tc-web-03"]
    assert summarise(estate).waves[0].retired == 1


def test_region_spellings_are_normalised(write_estate):
    text = write_estate().read_text().replace("cost_centre: IT\n", "cost_centre: IT\nregions:\n"
                                              "  allowed: [UK South, UKWest]\n  primary: uk south\n"
                                              "  secondary: ukw\n")
    estate = load_estate(write_estate(text))
    assert estate.regions.allowed == ["uksouth", "ukwest"]
    assert (estate.regions.primary, estate.regions.secondary) == ("uksouth", "ukwest")


def test_money_is_exact_decimal(write_estate):
    text = write_estate().read_text().replace("annual_run_cost: 4000", "annual_run_cost: 4000.10")
    estate = load_estate(write_estate(text))
    assert estate.retained[0].annual_run_cost == Decimal("4000.10")


def test_tags_merge_common_and_given_values(write_estate):
    estate = load_estate(write_estate())
    tags = estate.tags_for(wave="one", business_case_line="azure-run", application=None)
    assert tags == {"business-case-line": "azure-run", "cost-centre": "IT", "wave": "one"}


def test_stacks_are_platform_then_waves_then_retained():
    estate = load_estate(EXAMPLE_ESTATE)
    assert estate.stacks() == ["platform", "wave-pilot", "wave-medium", "wave-complex-a", "wave-complex-b",
                               "wave-orchard-2008", "retained"]


def test_validate_command_reports_counts():
    result = run_cli("validate", EXAMPLE_ESTATE)
    assert result.exit_code == 0, result.output
    assert "5 waves, 349 servers to migrate, 117 hosts retained" in result.stdout


def test_show_prints_waves_retained_hosts_and_connectivity():
    result = run_cli("show", EXAMPLE_ESTATE)
    assert result.exit_code == 0, result.output
    for text in ("Migration waves", "complex-a", "Standard_D4s_v3", "Windows Server 2008 R2 SP1",
                 "Orchard House", "unsupported-os", "Jisc at London, 1000 Mbps", "UK South (uksouth)",
                 "134,550.00", "annual run cost in GBP"):
        assert text in result.stdout


def test_show_json_carries_the_same_figures():
    import json

    result = run_cli("show", EXAMPLE_ESTATE, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["servers"] == 349
    assert data["retained_hosts"] == 117
    assert data["retained_annual_run_cost"] == "134550"
    assert data["currency"] == "GBP"
    assert [w["name"] for w in data["waves"]] == ["pilot", "medium", "complex-a", "complex-b", "orchard-2008"]
