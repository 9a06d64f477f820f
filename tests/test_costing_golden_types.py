"""Golden files per priced resource type: what the parser makes of each case (the spec) and the cost components
made from it, in `tests/golden/forecast/<type>.json`.

A change to a parser or a cost function shows up as a diff of these files in review. They are rewritten only on
purpose: `pytest tests/test_costing_golden_types.py --update-golden`; a plain run compares and fails on any change.
"""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from costing.forecast.model import Resource
from costing.forecast.registry import COST_MODELS
from tests.plan_builders import vm_inputs

GOLDEN = Path(__file__).parent / "golden" / "forecast"

# (case name, inputs, usage) per type: a default case, and each input that changes the spec or the meters.
CASES: dict[str, list[tuple[str, dict[str, Any], dict[str, str]]]] = {
    "azure-native:compute:VirtualMachine": [
        ("windows-hybrid-benefit", vm_inputs("vm-1"), {}),
        ("windows-payg-reserved-3y", vm_inputs("vm-2", hybrid=False, reservation="3y"), {}),
        ("rhel-with-data-disks", vm_inputs("vm-3", os="rhel", data_disks=[(512, "Premium_LRS"), (40, "")]), {}),
        ("ubuntu-spot-small-os-disk", {**vm_inputs("vm-4", os="ubuntu", os_disk_gb=8), "priority": "Spot"},
         {"hours_per_month": "200"}),
        ("no-size-no-image", {"vmName": "vm-5", "storageProfile": {}}, {}),
    ],
    "azure-native:containerservice:ManagedCluster": [
        ("standard-tier-two-pools", {"sku": {"tier": "Standard"}, "agentPoolProfiles": [
            {"name": "sys", "count": 3, "vmSize": "Standard_D4s_v5"},
            {"name": "win", "count": 2, "vmSize": "Standard_D4_v5", "osType": "Windows", "osDiskSizeGB": 200}]}, {}),
        ("free-ephemeral", {"agentPoolProfiles": [{"name": "a", "vmSize": "Standard_B2ms", "osDiskType": "Ephemeral"}]},
         {}),
    ],
    "azure-native:network:ExpressRouteCircuit": [
        ("london-metered-200", {"sku": {"tier": "Standard", "family": "MeteredData"}, "serviceProviderProperties": {
            "serviceProviderName": "Jisc", "peeringLocation": "London", "bandwidthInMbps": 200}},
         {"outbound_data_gb": "1500"}),
        ("premium-unlimited-1g", {"sku": {"tier": "Premium", "family": "UnlimitedData"}, "serviceProviderProperties": {
            "peeringLocation": "London2", "bandwidthInMbps": 1000}}, {}),
        ("unknown-peering-location", {"serviceProviderProperties": {"peeringLocation": "Atlantis",
                                                                    "bandwidthInMbps": 50}}, {}),
    ],
    "azure-native:network:VirtualNetworkGateway": [
        ("expressroute-ergw1az", {"gatewayType": "ExpressRoute", "sku": {"name": "ErGw1AZ"}}, {}),
        ("vpn-default", {"sku": {"name": "VpnGw2"}}, {}),
        ("no-sku", {"gatewayType": "ExpressRoute"}, {}),
    ],
    "azure-native:network:PublicIPAddress": [
        ("standard", {"sku": {"name": "Standard"}}, {}),
        ("basic-dynamic-default", {}, {}),
    ],
    "azure-native:operationalinsights:Workspace": [
        ("usage-and-long-retention", {"retentionInDays": 90}, {"ingestion_gb_per_day": "5"}),
        ("daily-cap-no-usage", {"workspaceCapping": {"dailyQuotaGb": 2}}, {}),
        ("nothing-known", {}, {}),
    ],
    "azure-native:recoveryservices:Vault": [
        ("locally-redundant", {"properties": {"redundancySettings": {
            "standardTierStorageRedundancy": "LocallyRedundant"}}}, {"backup_storage_gb": "4000"}),
        ("default-geo", {}, {}),
    ],
    "azure-native:recoveryservices:ProtectedItem": [("one-vm", {}, {})],
    "azure-native:keyvault:Vault": [
        ("premium-with-operations", {"properties": {"sku": {"name": "premium"}}}, {"operations_per_month": "100000"}),
    ],
    "azure-native:dbforpostgresql:Server": [
        ("burstable-stated-storage", {"sku": {"name": "Standard_B1ms"}, "storage": {"storageSizeGB": 32}}, {}),
        ("premium-v2", {"sku": {"name": "Standard_D2ds_v5"}, "storage": {"type": "PremiumV2_LRS"}},
         {"storage_gb": "256", "premium_v2_iops": "3000"}),
    ],
    "azure-native:web:StaticSite": [("standard", {"sku": {"name": "Standard"}}, {}), ("free", {}, {})],
}


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {field.name: _plain(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in sorted(value.items())}
    return value


def _case(token: str, inputs: dict[str, Any], usage: dict[str, str]) -> dict[str, Any]:
    resource = Resource(f"urn:pulumi:s::p::{token}::r", token, "r", inputs, "uksouth",
                        {key: Decimal(value) for key, value in usage.items()})
    model = COST_MODELS[token]
    spec = model.parse(resource)
    return {"spec": _plain(spec), "components": _plain(model.components(spec))}


def _golden_path(token: str) -> Path:
    return GOLDEN / (token.replace("azure-native:", "").replace(":", "-").lower() + ".json")


def test_every_priced_type_has_golden_cases():
    assert sorted(CASES) == sorted(COST_MODELS)


@pytest.mark.parametrize("token", sorted(CASES))
def test_specs_and_components_match_the_golden_file(token: str, request: pytest.FixtureRequest):
    found = {"type": token, "cases": [{"name": name, "inputs": inputs, "usage": usage,
                                       **_case(token, inputs, usage)} for name, inputs, usage in CASES[token]]}
    path = _golden_path(token)
    text = json.dumps(found, indent=2, sort_keys=True) + "\n"
    if request.config.getoption("--update-golden"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.is_file(), f"{path} is missing: run pytest {__file__} --update-golden and review the new file"
    assert json.loads(path.read_text(encoding="utf-8")) == found, \
        f"{token}: the parser or cost function changed what it makes; if that is intended, rerun with " \
        "--update-golden and review the diff of tests/golden/forecast/"
