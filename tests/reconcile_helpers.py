"""Small cost stores built in tests: Parquet partitions and a manifest in the cost store's documented layout."""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

COST = pa.decimal128(38, 24)
STORE_COLUMNS = pa.schema([
    ("ChargePeriodStart", pa.timestamp("us", tz="UTC")),
    ("BillingCurrency", pa.string()),
    ("BilledCost", COST),
    ("EffectiveCost", COST),
    ("ServiceName", pa.string()),
    ("ResourceId", pa.string()),
    ("SubAccountId", pa.string()),
    ("SubAccountName", pa.string()),
    ("Tags", pa.string()),
    ("x_SourceName", pa.string()),
    ("x_SourceRow", pa.int64()),
])


@dataclass
class Row:
    """One cost row: a month, an amount (effective; billed defaults to the same) and what identifies it."""

    month: str
    effective: str
    billed: str | None = None
    line: str | None = None
    service: str = "Virtual Machines"
    resource_group: str | None = "rg-apps"
    subscription: str | None = "sub-1"
    currency: str = "GBP"
    tags: dict[str, str] = field(default_factory=dict)


def write_store(store: Path, rows: list[Row], *, source: str = "test-export", fx_csv: str | None = None) -> Path:
    """Write `rows` as a cost store (one Parquet file per month) and return its directory."""
    store.mkdir(parents=True, exist_ok=True)
    by_month: dict[str, list[Row]] = {}
    for row in rows:
        by_month.setdefault(row.month, []).append(row)
    partitions = {}
    for month, month_rows in sorted(by_month.items()):
        relative = f"actuals/source=test/month={month}/part.parquet"
        (store / relative).parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(_table(month_rows, source), store / relative)
        partitions[month] = {"files": [relative], "rows": len(month_rows)}
    manifest = {"store_format": 2, "schema": "estate-focus/2", "currencies": sorted({r.currency for r in rows}),
                "fx_table": "fx-rates.csv" if fx_csv else None,
                "sources": {source: {"kind": "export", "origin": f"tests/{source}.csv", "format": "focus-1.0",
                                     "partitions": partitions}}}
    if fx_csv:
        (store / "fx-rates.csv").write_text(textwrap.dedent(fx_csv).strip() + "\n", encoding="utf-8")
    (store / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return store


def _table(rows: list[Row], source: str) -> pa.Table:
    def start(month: str) -> datetime:
        year, number = month.split("-")
        return datetime(int(year), int(number), 1, tzinfo=UTC)

    def tags(row: Row) -> str:
        merged = dict(row.tags)
        if row.line:
            merged["business-case-line"] = row.line
        return json.dumps(merged)

    def resource(row: Row) -> str | None:
        if row.subscription is None:
            return None
        group = f"/resourceGroups/{row.resource_group}" if row.resource_group else ""
        return f"/subscriptions/{row.subscription}{group}/providers/Microsoft.Compute/virtualMachines/vm"

    return pa.table({
        "ChargePeriodStart": [start(row.month) for row in rows],
        "BillingCurrency": [row.currency for row in rows],
        "BilledCost": [Decimal(row.billed or row.effective) for row in rows],
        "EffectiveCost": [Decimal(row.effective) for row in rows],
        "ServiceName": [row.service for row in rows],
        "ResourceId": [resource(row) for row in rows],
        "SubAccountId": [row.subscription for row in rows],
        "SubAccountName": [f"{row.subscription}-name" if row.subscription else None for row in rows],
        "Tags": [tags(row) for row in rows],
        "x_SourceName": [source] * len(rows),
        "x_SourceRow": list(range(1, len(rows) + 1)),
    }, schema=STORE_COLUMNS)


SMALL_CASE = textwrap.dedent(
    """\
    name: Test migration
    organisation: Test Council
    currency: GBP
    unit: units
    periods: [2024/25, 2025/26]
    lines:
      - {id: baseline, label: Baseline, kind: baseline, classification: revenue, values: [2400, 2400]}
      - {id: azure-run, label: Azure run, kind: cloud-run, classification: revenue, values: [1200, 1200]}
      - {id: azure-other, label: Azure other, kind: cloud-run, classification: revenue, values: [120, 120]}
      - {id: migration, label: Migration, kind: one-off, classification: revenue, values: [600, 0]}
    rules:
      - {line: azure-other, resource_group: "rg-other-*"}
      - {line: azure-other, service: "Storage*"}
    """
)


def write_case(path: Path, text: str = SMALL_CASE) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# Monthly GBP prices for the example forecast below: round test figures, not real Azure prices.
VM_MONTHLY_GBP = {"Standard_B2s": "25", "Standard_B2ms": "45", "Standard_D2s_v3": "70", "Standard_D4s_v3": "140",
                  "Standard_D8s_v3": "280", "Standard_E4s_v3": "190", "Standard_E8s_v3": "380"}
DISK_MONTHLY_GBP_PER_GB = "0.08"
PLATFORM_LINES_GBP = [("ExpressRoute", "azure-native:network:ExpressRouteCircuit", "er-janet", "1500"),
                      ("VPN Gateway", "azure-native:network:VirtualNetworkGateway", "ergw-hub", "900"),
                      ("Log Analytics", "azure-native:operationalinsights:Workspace", "log-hub", "400"),
                      ("Backup", "azure-native:recoveryservices:Vault", "rsv-hub", "1200")]


def example_forecast(path: Path, estate_file: Path) -> Path:
    """A forecast JSON of the example estate in the shape `estate forecast --format json` prints."""
    from estate.definition.loader import load_estate

    estate = load_estate(estate_file)
    lines = []

    def add(urn, type_, component, resource, stack, wave, line, service, monthly, region="uksouth"):
        lines.append({"urn": urn, "type": type_, "component": component, "quantity": "1", "unit": "months",
                      "unit_price": monthly, "monthly": monthly, "price_source": "test fixture", "annual": "",
                      "resource": resource, "stack": stack, "wave": wave, "business_case_line": line,
                      "service": service, "region": region})

    for service, type_, name, monthly in PLATFORM_LINES_GBP:
        add(f"urn:pulumi:platform::estate::{type_}::{name}", type_, service, name, "platform", "",
            estate.landing_zone.business_case_line, service, monthly)
    for server in estate.servers():
        stack = server.wave.stack
        urn = f"urn:pulumi:{stack}::estate::azure-native:compute:VirtualMachine::vm-{server.name}"
        add(urn, "azure-native:compute:VirtualMachine", "compute", f"vm-{server.name}", stack, server.wave.name,
            server.vm.business_case_line, "Virtual Machines", VM_MONTHLY_GBP[server.vm.size])
        disk_gb = sum(disk.size_gb for disk in server.vm.data_disks) + server.vm.os_disk.size_gb
        add(urn.replace("VirtualMachine::vm-", "Disk::disk-"), "azure-native:compute:Disk", "managed disks",
            f"disk-{server.name}", stack, server.wave.name, server.vm.business_case_line, "Storage",
            str(Decimal(DISK_MONTHLY_GBP_PER_GB) * disk_gb))
    for group in estate.retained:
        add(f"onprem:{group.site}/{group.name}", "estate:onprem:RetainedHosts", "fixed run cost", group.name,
            "retained", "retained", group.business_case_line, "On-premises hosting",
            str(group.annual_run_cost / 12), region=f"on-premises ({group.site})")
    total = sum(Decimal(line["monthly"]) for line in lines)
    path.write_text(json.dumps({"currency": estate.organisation.billing_currency, "monthly_total": str(total),
                                "annual_total": str(total * 12), "lines": lines, "unpriced": []}), encoding="utf-8")
    return path
