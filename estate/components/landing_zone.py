"""LandingZone: the shared platform every wave lands in (resource groups, hub network, logging, vaults, policy)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import authorization, keyvault, network, operationalinsights, recoveryservices, resources

from estate.definition import naming
from estate.definition.model import BackupPolicy, Hub, KeyVault, LogAnalytics, PolicyAssignment, RecoveryVault

POLICY_DEFINITION_PREFIX = "/providers/Microsoft.Authorization/policyDefinitions/"


@dataclass(frozen=True)
class LandingZoneArgs:
    short_name: str
    region: str
    allowed_regions: tuple[str, ...]
    hub: Hub
    wave_names: tuple[str, ...]
    log_analytics: LogAnalytics
    key_vault: KeyVault
    recovery_vault: RecoveryVault
    policy_assignments: tuple[PolicyAssignment, ...]
    tags: dict[str, str]
    tenant_id: pulumi.Input[str]
    subscription_id: pulumi.Input[str]
    wave_tags: dict[str, dict[str, str]] = field(default_factory=dict)


class LandingZone(pulumi.ComponentResource):
    """Resource groups, hub VNet with subnets and NSGs, Log Analytics, Key Vault, backup vault and policy."""

    connectivity_group: resources.ResourceGroup
    management_group: resources.ResourceGroup
    wave_groups: dict[str, resources.ResourceGroup]
    hub: network.VirtualNetwork
    subnet_ids: dict[str, pulumi.Output[str]]
    workspace: operationalinsights.Workspace
    recovery_vault: recoveryservices.Vault
    backup_policy: recoveryservices.ProtectionPolicy

    def __init__(self, name: str, args: LandingZoneArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("estate:platform:LandingZone", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self._resource_groups(name, args, child)
        self._network(name, args, child)
        self._management(name, args, child)
        self._policies(name, args, child)
        self.register_outputs({
            "subnetIds": self.subnet_ids,
            "recoveryVaultName": self.recovery_vault.name,
            "backupPolicyId": self.backup_policy.id,
        })

    def _resource_groups(self, name: str, args: LandingZoneArgs, child: pulumi.ResourceOptions) -> None:
        def group(role: str, group_name: str, tags: dict[str, str]) -> resources.ResourceGroup:
            return resources.ResourceGroup(f"{name}-rg-{role}", resource_group_name=group_name,
                                           location=args.region, tags=tags, opts=child)

        self.connectivity_group = group(
            "connectivity", naming.resource_group(args.short_name, "connectivity", args.region), args.tags)
        self.management_group = group(
            "management", naming.resource_group(args.short_name, "management", args.region), args.tags)
        self.wave_groups = {
            wave: group(f"wave-{wave}", naming.wave_resource_group(args.short_name, wave, args.region),
                        args.wave_tags.get(wave, args.tags))
            for wave in args.wave_names
        }

    def _network(self, name: str, args: LandingZoneArgs, child: pulumi.ResourceOptions) -> None:
        group_name = self.connectivity_group.name
        self.hub = network.VirtualNetwork(
            f"{name}-vnet-hub",
            virtual_network_name=naming.hub_vnet(args.short_name, args.region),
            resource_group_name=group_name, location=args.region,
            address_space={"address_prefixes": [str(space) for space in args.hub.address_space]},
            tags=args.tags, opts=child)
        self.subnet_ids = {}
        for subnet in args.hub.subnets:
            nsg_id = None
            # Azure does not allow an NSG on the gateway subnet.
            if subnet.name != "GatewaySubnet":
                nsg_id = network.NetworkSecurityGroup(
                    f"{name}-nsg-{subnet.name}", network_security_group_name=naming.nsg(args.short_name, subnet.name),
                    resource_group_name=group_name, location=args.region, tags=args.tags, opts=child).id
            created = network.Subnet(
                f"{name}-snet-{subnet.name}", subnet_name=subnet.name, virtual_network_name=self.hub.name,
                resource_group_name=group_name, address_prefix=str(subnet.prefix),
                network_security_group={"id": nsg_id} if nsg_id is not None else None, opts=child)
            self.subnet_ids[subnet.name] = created.id

    def _management(self, name: str, args: LandingZoneArgs, child: pulumi.ResourceOptions) -> None:
        group_name = self.management_group.name
        capping = ({"daily_quota_gb": float(args.log_analytics.daily_quota_gb)}
                   if args.log_analytics.daily_quota_gb is not None else None)
        self.workspace = operationalinsights.Workspace(
            f"{name}-log", workspace_name=naming.log_analytics(args.short_name, args.region),
            resource_group_name=group_name, location=args.region, sku={"name": "PerGB2018"},
            retention_in_days=args.log_analytics.retention_days, workspace_capping=capping, tags=args.tags,
            opts=child)
        keyvault.Vault(
            f"{name}-kv", vault_name=naming.key_vault(args.short_name, args.region), resource_group_name=group_name,
            location=args.region, tags=args.tags, opts=child,
            properties={
                "tenant_id": args.tenant_id,
                "sku": {"family": "A", "name": args.key_vault.sku},
                "enable_rbac_authorization": True,
                "enable_purge_protection": args.key_vault.purge_protection,
                "enable_soft_delete": True,
                "soft_delete_retention_in_days": args.key_vault.soft_delete_retention_days,
            })
        vault = args.recovery_vault
        self.recovery_vault = recoveryservices.Vault(
            f"{name}-rsv", vault_name=naming.recovery_vault(args.short_name, "backup", args.region),
            resource_group_name=group_name, location=args.region, sku={"name": "Standard"}, tags=args.tags,
            opts=child,
            properties={
                "public_network_access": "Enabled",
                "redundancy_settings": {
                    "standard_tier_storage_redundancy": vault.storage_redundancy,
                    "cross_region_restore": "Enabled" if vault.cross_region_restore else "Disabled",
                },
            })
        self.backup_policy = recoveryservices.ProtectionPolicy(
            f"{name}-backup-policy", policy_name=vault.backup_policy.name, vault_name=self.recovery_vault.name,
            resource_group_name=group_name, tags=args.tags, opts=child,
            properties=backup_policy_properties(vault.backup_policy))

    def _policies(self, name: str, args: LandingZoneArgs, child: pulumi.ResourceOptions) -> None:
        scope = pulumi.Output.concat("/subscriptions/", args.subscription_id)
        for assignment in args.policy_assignments:
            parameters = assignment.parameters or {"listOfAllowedLocations": list(args.allowed_regions)}
            authorization.PolicyAssignment(
                f"{name}-policy-{assignment.name}",
                policy_assignment_name=naming.policy_assignment(args.short_name, assignment.name),
                scope=scope, policy_definition_id=policy_definition_id(assignment.definition_id),
                display_name=assignment.display_name, enforcement_mode=assignment.enforcement,
                parameters={key: {"value": value} for key, value in parameters.items()}, opts=child)


def policy_definition_id(definition: str) -> str:
    """A built-in definition's GUID becomes its full id; a full id is kept as given."""
    return definition if definition.startswith("/") else POLICY_DEFINITION_PREFIX + definition


def backup_policy_properties(policy: BackupPolicy) -> recoveryservices.AzureIaaSVMProtectionPolicyArgs:
    """An Azure VM backup policy: daily at `time_utc`, kept for days, weeks and months as the estate says.

    Built from the SDK's Args classes, not dicts: these properties are unions, which the SDK can only
    translate to the API's camelCase names when it knows the concrete type.
    """
    rs = recoveryservices
    run_time = f"2020-01-01T{policy.time_utc}:00Z"  # Azure reads only the time of day.

    def kept(count: int, unit: str) -> rs.RetentionDurationArgs:
        return rs.RetentionDurationArgs(count=count, duration_type=unit)

    weekly = monthly = None
    if policy.weekly_retention_weeks:
        weekly = rs.WeeklyRetentionScheduleArgs(days_of_the_week=["Sunday"], retention_times=[run_time],
                                                retention_duration=kept(policy.weekly_retention_weeks, "Weeks"))
    if policy.monthly_retention_months:
        monthly = rs.MonthlyRetentionScheduleArgs(
            retention_schedule_format_type="Weekly", retention_times=[run_time],
            retention_schedule_weekly=rs.WeeklyRetentionFormatArgs(days_of_the_week=["Sunday"],
                                                                   weeks_of_the_month=["First"]),
            retention_duration=kept(policy.monthly_retention_months, "Months"))
    return rs.AzureIaaSVMProtectionPolicyArgs(
        backup_management_type="AzureIaasVM", time_zone="UTC",
        schedule_policy=rs.SimpleSchedulePolicyArgs(schedule_policy_type="SimpleSchedulePolicy",
                                                    schedule_run_frequency="Daily", schedule_run_times=[run_time]),
        retention_policy=rs.LongTermRetentionPolicyArgs(
            retention_policy_type="LongTermRetentionPolicy",
            daily_schedule=rs.DailyRetentionScheduleArgs(retention_times=[run_time],
                                                         retention_duration=kept(policy.daily_retention_days, "Days")),
            weekly_schedule=weekly, monthly_schedule=monthly))
