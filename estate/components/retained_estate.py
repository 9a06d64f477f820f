"""RetainedEstate: what Azure holds for the hosts that stay on site (Arc registration and Site Recovery).

The hosts themselves are not Azure resources: Arc-enabled servers appear when their agent connects, and their
on-site run cost is estate data (`retained[].annual_run_cost`) for costing, not a Pulumi resource.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_azure_native import recoveryservices, resources

from estate.definition import naming


@dataclass(frozen=True)
class RetainedGroupSpec:
    name: str
    site: str
    hosts: int
    arc: bool
    site_recovery: bool
    tags: dict[str, str]


@dataclass(frozen=True)
class RetainedEstateArgs:
    short_name: str
    region: str
    storage_redundancy: str
    groups: tuple[RetainedGroupSpec, ...]
    tags: dict[str, str]


class RetainedEstate(pulumi.ComponentResource):
    """An Arc resource group per retained group managed with Azure Arc, and a Site Recovery vault (with its
    resource group) when any group's disaster recovery goes to Azure."""

    arc_groups: dict[str, resources.ResourceGroup]
    site_recovery_vault: recoveryservices.Vault | None

    def __init__(self, name: str, args: RetainedEstateArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("estate:retained:RetainedEstate", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.arc_groups = {
            group.name: resources.ResourceGroup(
                f"{name}-rg-arc-{group.name}",
                resource_group_name=naming.resource_group(args.short_name, f"arc-{group.name}", args.region),
                location=args.region, tags=group.tags, opts=child)
            for group in args.groups if group.arc
        }
        self.site_recovery_vault = None
        recovered = [group for group in args.groups if group.site_recovery]
        if recovered:
            # One vault protects every group whose DR goes to Azure; its costs belong to those groups' line.
            tags = recovered[0].tags
            group_name = naming.resource_group(args.short_name, "asr", args.region)
            group = resources.ResourceGroup(
                f"{name}-rg-asr", resource_group_name=group_name, location=args.region, tags=tags, opts=child)
            # The group's plain name (a first preview shows it; its `name` output is unknown until deployed).
            self.site_recovery_vault = recoveryservices.Vault(
                f"{name}-rsv-asr", vault_name=naming.recovery_vault(args.short_name, "asr", args.region),
                resource_group_name=group_name, location=args.region, sku={"name": "Standard"}, tags=tags,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[group]),
                properties={"public_network_access": "Enabled",
                            "redundancy_settings": {"standard_tier_storage_redundancy": args.storage_redundancy,
                                                    "cross_region_restore": "Disabled"}})
        self.register_outputs({})
