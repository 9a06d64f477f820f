"""LandingZone: the shared platform every wave lands in (resource groups, networks, logging, vaults, policy).

One hub VNet in the landing zone's region, and for every other region a wave uses a spoke VNet peered with the
hub both ways (Azure places a NIC only in a subnet of its own region), with a Recovery Services vault and backup
policy per region (Azure Backup protects a VM only from a vault in the VM's region). Wave resource groups are
not here: each wave stack owns its own, so removing a wave never reaches into the platform.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv4Network

import pulumi
from pulumi_azure_native import authorization, keyvault, network, operationalinsights, recoveryservices, resources

from estate.components.backup_policy import backup_policy_properties
from estate.definition import naming
from estate.definition.model import Hub, KeyVault, LogAnalytics, PolicyAssignment, RecoveryVault, Spoke, Subnet

POLICY_DEFINITION_PREFIX = "/providers/Microsoft.Authorization/policyDefinitions/"
GATEWAY_SUBNET = "GatewaySubnet"
# Administrative ports opened to the on-premises ranges that ExpressRoute brings in (RDP, SSH).
ADMIN_PORTS = ("22", "3389")


@dataclass(frozen=True)
class LandingZoneArgs:
    short_name: str
    region: str
    allowed_regions: tuple[str, ...]
    hub: Hub
    log_analytics: LogAnalytics
    key_vault: KeyVault
    recovery_vault: RecoveryVault
    policy_assignments: tuple[PolicyAssignment, ...]
    tags: dict[str, str]
    tenant_id: pulumi.Input[str]
    subscription_id: pulumi.Input[str]
    # Suffix that makes the Key Vault's global name unique (naming.unique_suffix of the organisation).
    unique: str = "000000"
    spokes: dict[str, Spoke] = field(default_factory=dict)
    protect: bool = True
    on_premises_prefixes: tuple[IPv4Network, ...] = ()


@dataclass
class RegionalBackup:
    """What a region's VMs are backed up to; the names as plain strings, known before anything is deployed."""

    group: resources.ResourceGroup
    group_name: str
    vault: recoveryservices.Vault
    vault_name: str
    policy: recoveryservices.ProtectionPolicy


class LandingZone(pulumi.ComponentResource):
    """Resource groups, hub (and spoke) VNets with subnets and NSGs, Log Analytics, Key Vault, backup vaults and
    policy.

    A child names its resource group, virtual network or vault by the plain name the estate gives it
    (`estate.definition.naming`), not by that resource's `name` output, and is created after it (`depends_on`):
    Azure assigns no name, so the name is known before deployment, and a first `pulumi preview` shows it (an
    output is unknown until the resource exists). Ids stay outputs (`.id`): Azure assigns them.
    """

    connectivity_group: resources.ResourceGroup
    connectivity_group_name: str
    management_group: resources.ResourceGroup
    management_group_name: str
    hub: network.VirtualNetwork
    spokes: dict[str, network.VirtualNetwork]
    subnet_ids: dict[str, pulumi.Output[str]]
    region_subnet_ids: dict[str, dict[str, pulumi.Output[str]]]
    workspace: operationalinsights.Workspace
    backups: dict[str, RegionalBackup]

    def __init__(self, name: str, args: LandingZoneArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("estate:platform:LandingZone", name, None, opts)
        self._name, self._args = name, args
        child = pulumi.ResourceOptions(parent=self)
        self._groups: dict[tuple[str, str], resources.ResourceGroup] = {}
        self.connectivity_group = self._group("connectivity", args.region)
        self.connectivity_group_name = self._group_name("connectivity", args.region)
        self.management_group = self._group("management", args.region)
        self.management_group_name = self._group_name("management", args.region)
        hub_name = naming.hub_vnet(args.short_name, args.region)
        self.hub = network.VirtualNetwork(
            f"{name}-vnet-hub", virtual_network_name=hub_name, resource_group_name=self.connectivity_group_name,
            location=args.region,
            address_space={"address_prefixes": [str(space) for space in args.hub.address_space]},
            tags=args.tags, opts=self._after(self.connectivity_group, protect=args.protect))
        self.subnet_ids = self._subnets(self.hub, hub_name, args.hub.subnets, args.region, "")
        self.region_subnet_ids = {args.region: self.subnet_ids}
        self.spokes = {}
        for region, spoke in sorted(args.spokes.items()):
            code = naming.region_code(region)
            spoke_name = naming.spoke_vnet(args.short_name, region)
            self.spokes[region] = network.VirtualNetwork(
                f"{name}-vnet-spoke-{code}", virtual_network_name=spoke_name,
                resource_group_name=self._group_name("connectivity", region), location=region,
                address_space={"address_prefixes": [str(space) for space in spoke.address_space]},
                tags=args.tags, opts=self._after(self._group("connectivity", region), protect=args.protect))
            self.region_subnet_ids[region] = self._subnets(self.spokes[region], spoke_name, spoke.subnets, region,
                                                           code)
        self._management(name, args)
        self._policies(name, args, child)
        self.register_outputs({
            "subnetIds": self.subnet_ids,
            "recoveryVaultName": self.backups[args.region].vault_name,
            "backupPolicyId": self.backup_policy.id,
        })

    @property
    def recovery_vault(self) -> recoveryservices.Vault:
        return self.backups[self._args.region].vault

    @property
    def backup_policy(self) -> recoveryservices.ProtectionPolicy:
        return self.backups[self._args.region].policy

    def peer_spokes(self, gateway: pulumi.Resource | None = None) -> None:
        """Peer every spoke with the hub, both directions; with a gateway, spokes reach on-premises through it.

        Called once the gateway (if any) is declared: a spoke's `useRemoteGateways` needs the hub's gateway to
        exist first (https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview).
        """
        args = self._args
        after = [gateway] if gateway is not None else []
        hub_name = naming.hub_vnet(args.short_name, args.region)
        for region, spoke in sorted(self.spokes.items()):
            code = naming.region_code(region)
            spoke_name = naming.spoke_vnet(args.short_name, region)
            network.VirtualNetworkPeering(
                f"{self._name}-peer-hub-to-{code}", virtual_network_peering_name=naming.peering(hub_name, spoke_name),
                virtual_network_name=hub_name, resource_group_name=self.connectivity_group_name,
                remote_virtual_network={"id": spoke.id}, allow_virtual_network_access=True,
                allow_forwarded_traffic=True, allow_gateway_transit=gateway is not None,
                opts=self._after(self.hub, *after))
            network.VirtualNetworkPeering(
                f"{self._name}-peer-{code}-to-hub", virtual_network_peering_name=naming.peering(spoke_name, hub_name),
                virtual_network_name=spoke_name, resource_group_name=self._group_name("connectivity", region),
                remote_virtual_network={"id": self.hub.id}, allow_virtual_network_access=True,
                allow_forwarded_traffic=True, use_remote_gateways=gateway is not None,
                opts=self._after(spoke, *after))

    def _after(self, *resources: pulumi.Resource, protect: bool = False) -> pulumi.ResourceOptions:
        """A child created after `resources` (the group, network or vault it names by its plain name)."""
        return pulumi.ResourceOptions(parent=self, depends_on=list(resources), protect=protect or None)

    def _group_name(self, role: str, region: str) -> str:
        return naming.resource_group(self._args.short_name, role, region)

    def _group(self, role: str, region: str) -> resources.ResourceGroup:
        key = (role, region)
        if key not in self._groups:
            suffix = "" if region == self._args.region else f"-{naming.region_code(region)}"
            self._groups[key] = resources.ResourceGroup(
                f"{self._name}-rg-{role}{suffix}", resource_group_name=self._group_name(role, region),
                location=region, tags=self._args.tags, opts=pulumi.ResourceOptions(parent=self))
        return self._groups[key]

    def _subnets(self, vnet: network.VirtualNetwork, vnet_name: str, subnets: list[Subnet], region: str,
                 code: str) -> dict[str, pulumi.Output[str]]:
        args, ids = self._args, {}
        group, group_name = self._groups["connectivity", region], self._group_name("connectivity", region)
        infix = f"{code}-" if code else ""
        for subnet in subnets:
            nsg_id = None
            # Azure does not allow an NSG on the gateway subnet, and the gateway subnet holds nothing else.
            if subnet.name != GATEWAY_SUBNET:
                nsg_id = network.NetworkSecurityGroup(
                    f"{self._name}-nsg-{infix}{subnet.name}",
                    network_security_group_name=naming.nsg(args.short_name, f"{infix}{subnet.name}".rstrip("-")),
                    resource_group_name=group_name, location=region, security_rules=self._on_premises_rules(),
                    tags=args.tags, opts=self._after(group)).id
            created = network.Subnet(
                f"{self._name}-snet-{infix}{subnet.name}", subnet_name=subnet.name, virtual_network_name=vnet_name,
                resource_group_name=group_name, address_prefix=str(subnet.prefix),
                network_security_group={"id": nsg_id} if nsg_id is not None else None, opts=self._after(vnet))
            ids[subnet.name] = created.id
        return ids

    def _on_premises_rules(self) -> list[dict[str, object]] | None:
        """Administrative access (RDP, SSH) from the on-premises ranges ExpressRoute brings in, named explicitly.

        Azure learns those ranges over the circuit's BGP session (they are not an input of the circuit or the
        gateway); NSG rules are where a deployment names them
        (https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview).
        """
        prefixes = [str(prefix) for prefix in self._args.on_premises_prefixes]
        if not prefixes:
            return None
        return [{"name": "allow-admin-from-on-premises", "priority": 200, "direction": "Inbound", "access": "Allow",
                 "protocol": "Tcp", "source_address_prefixes": prefixes, "source_port_range": "*",
                 "destination_address_prefix": "VirtualNetwork", "destination_port_ranges": list(ADMIN_PORTS)}]

    def _management(self, name: str, args: LandingZoneArgs) -> None:
        group_name, kept = self.management_group_name, self._after(self.management_group, protect=args.protect)
        capping = ({"daily_quota_gb": float(args.log_analytics.daily_quota_gb)}
                   if args.log_analytics.daily_quota_gb is not None else None)
        self.workspace = operationalinsights.Workspace(
            f"{name}-log", workspace_name=naming.log_analytics(args.short_name, args.region),
            resource_group_name=group_name, location=args.region, sku={"name": "PerGB2018"},
            retention_in_days=args.log_analytics.retention_days, workspace_capping=capping, tags=args.tags,
            opts=kept)
        keyvault.Vault(
            f"{name}-kv", vault_name=naming.key_vault(args.short_name, args.region, args.unique),
            resource_group_name=group_name, location=args.region, tags=args.tags, opts=kept,
            properties={
                "tenant_id": args.tenant_id,
                "sku": {"family": "A", "name": args.key_vault.sku},
                "enable_rbac_authorization": True,
                "enable_purge_protection": args.key_vault.purge_protection,
                "enable_soft_delete": True,
                "soft_delete_retention_in_days": args.key_vault.soft_delete_retention_days,
            })
        self.backups = {}
        for region in [args.region, *sorted(args.spokes)]:
            self.backups[region] = self._backup(name, region)

    def _backup(self, name: str, region: str) -> RegionalBackup:
        args, vault = self._args, self._args.recovery_vault
        suffix = "" if region == args.region else f"-{naming.region_code(region)}"
        group = self._group("management", region)
        group_name, vault_name = self._group_name("management", region), naming.recovery_vault(args.short_name,
                                                                                                "backup", region)
        created = recoveryservices.Vault(
            f"{name}-rsv{suffix}", vault_name=vault_name, resource_group_name=group_name, location=region,
            sku={"name": "Standard"}, tags=args.tags, opts=self._after(group, protect=args.protect),
            properties={
                "public_network_access": "Enabled",
                "redundancy_settings": {
                    "standard_tier_storage_redundancy": vault.storage_redundancy,
                    "cross_region_restore": "Enabled" if vault.cross_region_restore else "Disabled",
                },
            })
        policy = recoveryservices.ProtectionPolicy(
            f"{name}-backup-policy{suffix}", policy_name=vault.backup_policy.name, vault_name=vault_name,
            resource_group_name=group_name, tags=args.tags, opts=self._after(created),
            properties=backup_policy_properties(vault.backup_policy))
        return RegionalBackup(group=group, group_name=group_name, vault=created, vault_name=vault_name, policy=policy)

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
