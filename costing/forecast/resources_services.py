"""Cost components for platform services: Log Analytics, Recovery Services, Key Vault, PostgreSQL, Static Web Apps.

Most of these cost what they are used for, which no plan knows: the usage file gives log GB a day, backup GB
and Key Vault operations. A usage-priced component without a figure stays unpriced (listed, never zero).
"""

from __future__ import annotations

from decimal import Decimal

from costing.forecast.model import HOURS_PER_MONTH, CostComponent
from costing.forecast.specs import FREE_RETENTION_DAYS, PostgresSpec, UsageSpec, WorkspaceSpec
from costing.prices.catalogue import PriceQuery

DAYS_PER_MONTH = HOURS_PER_MONTH / 24


def log_analytics_workspace(spec: WorkspaceSpec) -> list[CostComponent]:
    """Pay-as-you-go ingestion a month, plus retention beyond the free 31 days."""
    per_day = spec.ingestion_gb_per_day
    label = "ingestion at the daily cap" if spec.capped else "ingestion"
    region = spec.region
    monthly_gb = per_day * DAYS_PER_MONTH if per_day is not None else None
    found = [CostComponent(label, "GB", monthly_gb, PriceQuery.of(
        serviceName="Log Analytics", productName="Log Analytics", skuName="Pay-as-you-go",
        meterName="Pay-as-you-go Data Ingestion", armRegionName=region), usage_key="ingestion_gb_per_day")]
    retention = spec.retention_days
    if retention > FREE_RETENTION_DAYS:
        # Steady state: every day's data is kept (retention - 31) days beyond the free period.
        retained = per_day * (retention - FREE_RETENTION_DAYS) if per_day is not None else None
        found.append(CostComponent(f"retention beyond {FREE_RETENTION_DAYS} days ({retention} days)", "GB",
                                   retained, PriceQuery.of(serviceName="Log Analytics", productName="Log Analytics",
                                                           skuName="Pay-as-you-go",
                                                           meterName="Pay-as-you-go Data Retention",
                                                           armRegionName=region),
                                   usage_key="ingestion_gb_per_day"))
    return found


def _usage(spec: UsageSpec | PostgresSpec, name: str, unit: str, key: str, query: PriceQuery,
           default: Decimal | None = None) -> CostComponent:
    """A component whose quantity comes from the usage file (or `default`), else is left unknown."""
    return CostComponent(name, unit, spec.usage.get(key, default), query, usage_key=key)


def recovery_services_vault(spec: UsageSpec) -> list[CostComponent]:
    """The vault's backup storage (GB a month in its redundancy); protected instances are on ProtectedItems."""
    redundancy = spec.sku
    return [_usage(spec, f"backup storage ({redundancy})", "GB", "backup_storage_gb", PriceQuery.of(
        serviceName="Backup", productName="Backup", skuName="Standard", meterName=f"{redundancy} Data Stored",
        armRegionName=spec.region))]


def protected_item(spec: UsageSpec) -> list[CostComponent]:
    """One Azure VM protected instance a month."""
    return [CostComponent("protected instance (Azure VM)", "months", Decimal(1), PriceQuery.of(
        serviceName="Backup", productName="Backup", meterName="Azure VM Protected Instances",
        armRegionName=spec.region))]


def key_vault(spec: UsageSpec) -> list[CostComponent]:
    sku = spec.sku
    return [_usage(spec, f"operations ({sku})", "operations", "operations_per_month", PriceQuery.of(
        serviceName="Key Vault", productName="Key Vault", skuName=sku, meterName="Operations",
        armRegionName=spec.region))]


POSTGRES_STORAGE = "Az DB for PostgreSQL Flexible Server Storage"
POSTGRES_STORAGE_METERS = (
    # (component, unit, usage key, meterName, needs Premium SSD v2)
    ("provisioned IOPS scaling", "IOPS", "iops_scaling", "IOPS Scaling Provisioned IOPS", False),
    ("Premium SSD v2 storage", "GiB", "premium_v2_storage_gib", "Premium Managed Disk V2 Data Stored", True),
    ("Premium SSD v2 IOPS", "IOPS", "premium_v2_iops", "PMD V2 IOPS Provisioned IOPS", True),
    ("Premium SSD v2 throughput", "MBps", "premium_v2_throughput_mbps", "PMD V2 Throughput Prov Throughput (MBps)",
     True),
)


POSTGRES_USAGE = ("storage_gb", *(meter[2] for meter in POSTGRES_STORAGE_METERS))


def postgresql_flexible_server(spec: PostgresSpec) -> list[CostComponent]:
    """Flexible Server: compute hours of its SKU, storage GB, and the provisioned IOPS/throughput meters used."""
    sku, region = spec.sku, spec.region
    if not sku:
        return [CostComponent("compute", "hours", HOURS_PER_MONTH, None, problem="the server SKU is not known")]
    found = [CostComponent(f"compute ({sku})", "hours", HOURS_PER_MONTH, PriceQuery.of(
        require={"productName": "Flexible Server"}, serviceName="Azure Database for PostgreSQL",
        skuName=sku.upper(), meterName=sku.upper(), armRegionName=region))]
    found.append(_usage(spec, "storage", "GB", "storage_gb", PriceQuery.of(
        serviceName="Azure Database for PostgreSQL", productName=POSTGRES_STORAGE, meterName="Storage Data Stored",
        armRegionName=region), default=spec.storage_gb))
    for name, unit, key, meter, v2_only in POSTGRES_STORAGE_METERS:
        if key in spec.usage or (v2_only and spec.storage_type == "PremiumV2_LRS"):
            found.append(_usage(spec, name, unit, key, PriceQuery.of(
                serviceName="Azure Database for PostgreSQL", productName=POSTGRES_STORAGE, meterName=meter,
                armRegionName=region)))
    return found


def static_site(spec: UsageSpec) -> list[CostComponent]:
    """Static Web Apps: the Standard plan is a monthly price per app; the Free plan costs nothing."""
    sku = spec.sku
    if sku == "Free":
        return []
    return [CostComponent(f"app ({sku})", "months", Decimal(1), PriceQuery.of(
        serviceName="Azure App Service", productName="Static Web Apps", skuName=sku, meterName=f"{sku} App",
        armRegionName=spec.region))]
