"""Golden totals: ACE's three test cases (ARM What-If + the Retail API page served for them) priced by our registry.

ACE (TheCloudTheory/arm-estimator) asserts 176.44, 14.9903 and 9 USD a month for these cases. ACE prices each
non-hourly PostgreSQL storage meter at one unit a month; this test states that as its usage, so the figure
comes from the registry's PostgreSQL cost function and the usage file, not from anything special-cased.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from costing.forecast.arm_whatif import load_what_if
from costing.forecast.pricing import Pricer
from costing.forecast.usage import load_usage
from costing.prices.sources import load_prices
from tests.conftest import run_cli

CASES = [
    ("aks-ultrassd", "aks/ultrassd", Decimal("176.44"), "azure-native:containerservice:ManagedCluster"),
    ("postgresql", "postgresql/burstable", Decimal("14.9903"), "azure-native:dbforpostgresql:Server"),
    ("static-web-app-standard", "static-web-app/standard", Decimal("9"), "azure-native:web:StaticSite"),
]
ACE_USAGE = """\
version: 1
types:
  azure-native:dbforpostgresql:Server:
    storage_gb: 1
    iops_scaling: 1
    premium_v2_storage_gib: 1
    premium_v2_iops: 1
    premium_v2_throughput_mbps: 1
"""


@pytest.fixture
def ace_usage(tmp_path: Path) -> Path:
    path = tmp_path / "ace-usage.yaml"
    path.write_text(ACE_USAGE)
    return path


@pytest.mark.parametrize(("what_if", "page", "expected", "token"), CASES)
def test_ace_case_total_is_exact(third_party: Path, ace_usage: Path, what_if: str, page: str, expected: Decimal,
                                 token: str) -> None:
    fixtures = third_party / "arm-estimator" / "mocked-responses"
    plan = load_what_if(fixtures / "what-if" / f"{what_if}.json")
    prices = load_prices([fixtures / "retail-api" / f"{page}.json"], as_of=date(2026, 11, 23))
    forecast = Pricer(prices, load_usage(ace_usage), "USD").forecast([plan])
    assert forecast.monthly_total == expected
    assert forecast.unpriced == [] and {line.type for line in forecast.lines} == {token}
    assert all("meter " in line.price_source for line in forecast.lines)


def test_aks_windows_node_uses_the_windows_meter_and_a_premium_os_disk(third_party: Path, ace_usage: Path) -> None:
    fixtures = third_party / "arm-estimator" / "mocked-responses"
    result = run_cli("forecast", fixtures / "what-if" / "aks-ultrassd.json", "--prices",
                     fixtures / "retail-api" / "aks" / "ultrassd.json", "--usage", ace_usage, "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert (document["currency"], document["monthly_total"], document["annual_total"]) == ("USD", "176.44",
                                                                                          "2117.28")
    lines = {line["component"]: line for line in document["lines"]}
    compute = lines["node pool agentpool x1 (Standard_D2s_v3, Windows)"]
    assert (compute["quantity"], compute["unit"], compute["unit_price"], compute["monthly"]) == (
        "730", "hours", "0.212", "154.76")
    assert lines["node pool agentpool x1 OS disk (P10 LRS, 127 GiB)"]["monthly"] == "21.68"


def test_postgresql_without_usage_lists_storage_as_unpriced(third_party: Path) -> None:
    fixtures = third_party / "arm-estimator" / "mocked-responses"
    result = run_cli("forecast", fixtures / "what-if" / "postgresql.json", "--prices",
                     fixtures / "retail-api" / "postgresql" / "burstable.json", "--format", "json")
    document = json.loads(result.stdout)
    assert document["monthly_total"] == "14.527"
    assert [item["component"] for item in document["unpriced"]] == ["storage"]
    assert "storage_gb" in document["unpriced"][0]["reason"]
