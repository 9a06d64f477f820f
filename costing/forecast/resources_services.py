"""Cost functions for platform services: Log Analytics, Recovery Services, Key Vault, PostgreSQL, Static Web Apps.

Most of these cost what they are used for, which no plan knows: the usage file gives log GB a day, backup GB
and Key Vault operations. A usage-priced component without a figure stays unpriced (listed, never zero).
"""

from __future__ import annotations

from decimal import Decimal

from costing.forecast.model import HOURS_PER_MONTH, BadQuantity, CostComponent, Resource, costs, number, usage_component
from costing.prices.catalogue import PriceQuery

DAYS_PER_MONTH = HOURS_PER_MONTH / 24
FREE_RETENTION_DAYS = 31
REDUNDANCY = {"GeoRedundant": "GRS", "LocallyRedundant": "LRS", "ZoneRedundant": "ZRS"}


@costs("azure-native:operationalinsights:Workspace", usage=("ingestion_gb_per_day",))
def log_analytics_workspace(resource: Resource) -> list[CostComponent]:
    """Pay-as-you-go ingestion a month, plus retention beyond the free 31 days."""
    per_day = resource.usage_quantity("ingestion_gb_per_day")
    label = "ingestion"
    cap = number(resource.get("workspaceCapping.dailyQuotaGb"), allow_negative=True)  # -1: no cap
    if cap is not None and cap < 0 and cap != -1:
        raise BadQuantity(f"workspaceCapping.dailyQuotaGb is {cap}: give a daily cap in GB, or -1 for none")
    if per_day is None and cap is not None and cap >= 0:
        per_day, label = cap, "ingestion at the daily cap"
    region = resource.region or ""
    monthly_gb = per_day * DAYS_PER_MONTH if per_day is not None else None
    found = [CostComponent(label, "GB", monthly_gb, PriceQuery.of(
        serviceName="Log Analytics", productName="Log Analytics", skuName="Pay-as-you-go",
        meterName="Pay-as-you-go Data Ingestion", armRegionName=region), usage_key="ingestion_gb_per_day")]
    retention = number(resource.get("retentionInDays")) or Decimal(FREE_RETENTION_DAYS)
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


@costs("azure-native:recoveryservices:Vault", usage=("backup_storage_gb",))
def recovery_services_vault(resource: Resource) -> list[CostComponent]:
    """The vault's backup storage (GB a month in its redundancy); protected instances are on ProtectedItems."""
    redundancy = REDUNDANCY.get(str(resource.get("properties.redundancySettings.standardTierStorageRedundancy")
                                    or "GeoRedundant"), "GRS")
    return [usage_component(resource, f"backup storage ({redundancy})", "GB", "backup_storage_gb", PriceQuery.of(
        serviceName="Backup", productName="Backup", skuName="Standard", meterName=f"{redundancy} Data Stored",
        armRegionName=resource.region or ""))]


@costs("azure-native:recoveryservices:ProtectedItem")
def protected_item(resource: Resource) -> list[CostComponent]:
    """One Azure VM protected instance a month."""
    return [CostComponent("protected instance (Azure VM)", "months", Decimal(1), PriceQuery.of(
        serviceName="Backup", productName="Backup", meterName="Azure VM Protected Instances",
        armRegionName=resource.region or ""))]


@costs("azure-native:keyvault:Vault", usage=("operations_per_month",))
def key_vault(resource: Resource) -> list[CostComponent]:
    sku = str(resource.get("properties.sku.name") or "standard").capitalize()
    return [usage_component(resource, f"operations ({sku})", "operations", "operations_per_month", PriceQuery.of(
        serviceName="Key Vault", productName="Key Vault", skuName=sku, meterName="Operations",
        armRegionName=resource.region or ""))]


POSTGRES_STORAGE = "Az DB for PostgreSQL Flexible Server Storage"
POSTGRES_STORAGE_METERS = (
    # (component, unit, usage key, meterName, needs Premium SSD v2)
    ("provisioned IOPS scaling", "IOPS", "iops_scaling", "IOPS Scaling Provisioned IOPS", False),
    ("Premium SSD v2 storage", "GiB", "premium_v2_storage_gib", "Premium Managed Disk V2 Data Stored", True),
    ("Premium SSD v2 IOPS", "IOPS", "premium_v2_iops", "PMD V2 IOPS Provisioned IOPS", True),
    ("Premium SSD v2 throughput", "MBps", "premium_v2_throughput_mbps", "PMD V2 Throughput Prov Throughput (MBps)",
     True),
)


@costs("azure-native:dbforpostgresql:Server", usage=("storage_gb", *(m[2] for m in POSTGRES_STORAGE_METERS)))
def postgresql_flexible_server(resource: Resource) -> list[CostComponent]:
    """Flexible Server: compute hours of its SKU, storage GB, and the provisioned IOPS/throughput meters used."""
    sku = str(resource.get("sku.name") or "").removeprefix("Standard_")
    region = resource.region or ""
    if not sku:
        return [CostComponent("compute", "hours", HOURS_PER_MONTH, None, problem="the server SKU is not known")]
    found = [CostComponent(f"compute ({sku})", "hours", HOURS_PER_MONTH, PriceQuery.of(
        require={"productName": "Flexible Server"}, serviceName="Azure Database for PostgreSQL",
        skuName=sku.upper(), meterName=sku.upper(), armRegionName=region))]
    storage_type = str(resource.get("storage.type") or "Premium_LRS")
    found.append(usage_component(resource, "storage", "GB", "storage_gb", PriceQuery.of(
        serviceName="Azure Database for PostgreSQL", productName=POSTGRES_STORAGE, meterName="Storage Data Stored",
        armRegionName=region), default=number(resource.get("storage.storageSizeGB"))))
    for name, unit, key, meter, v2_only in POSTGRES_STORAGE_METERS:
        if key in resource.usage or (v2_only and storage_type == "PremiumV2_LRS"):
            found.append(usage_component(resource, name, unit, key, PriceQuery.of(
                serviceName="Azure Database for PostgreSQL", productName=POSTGRES_STORAGE, meterName=meter,
                armRegionName=region)))
    return found


@costs("azure-native:web:StaticSite")
def static_site(resource: Resource) -> list[CostComponent]:
    """Static Web Apps: the Standard plan is a monthly price per app; the Free plan costs nothing."""
    sku = str(resource.get("sku.name") or "Free")
    if sku == "Free":
        return []
    return [CostComponent(f"app ({sku})", "months", Decimal(1), PriceQuery.of(
        serviceName="Azure App Service", productName="Static Web Apps", skuName=sku, meterName=f"{sku} App",
        armRegionName=resource.region or ""))]
