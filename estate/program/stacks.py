"""Pick and build the components for one stack: `platform`, `wave-<name>` or `retained`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pulumi
from pulumi_azure_native import authorization

from estate.components.expressroute import ExpressRoute, ExpressRouteArgs
from estate.components.landing_zone import LandingZone, LandingZoneArgs
from estate.components.migration_wave import AdminCredentials, BackupTarget, MigrationWave, MigrationWaveArgs
from estate.components.retained_estate import RetainedEstate, RetainedEstateArgs, RetainedGroupSpec
from estate.definition import naming
from estate.definition.model import Estate, Wave
from estate.foundation.errors import EstateError
from estate.program import servers
from estate.program.settings import (
    ADMIN_PASSWORD_KEY,
    ADMIN_SSH_KEY,
    CONFIG_NAMESPACE,
    BudgetSettings,
    StackSettings,
    require_secret,
)

# What the platform stack exports for the wave stacks (read back through a StackReference).
STACK_OUTPUTS = ("subnetIds", "waveResourceGroups", "recoveryVaultName", "recoveryVaultResourceGroupName",
                 "backupPolicyId")


class UnknownStackError(EstateError):
    """The stack being run is not one the estate defines (exit 2)."""


def run_program(estate: Estate, settings: StackSettings) -> None:
    """Build the current stack (`pulumi.get_stack()`) from the estate."""
    build_stack(pulumi.get_stack(), estate, settings)


def build_stack(stack: str, estate: Estate, settings: StackSettings) -> None:
    """Build the components of `stack`; raise `UnknownStackError` listing the estate's stacks otherwise."""
    builders: dict[str, Callable[[], None]] = {
        "platform": lambda: build_platform(estate, settings),
        "retained": lambda: build_retained(estate),
    }
    for wave in estate.waves:
        builders[wave.stack] = lambda wave=wave: build_wave(estate, wave, settings)
    builder = builders.get(stack)
    if builder is None:
        raise UnknownStackError(f"stack {stack!r} is not defined by the estate; its stacks are: "
                                f"{', '.join(estate.stacks())} (one wave-<name> per wave in the estate file)")
    builder()


def build_platform(estate: Estate, settings: StackSettings | None = None) -> None:
    """Landing zone, connectivity and the business case's budgets. Add a component here and export what it makes."""
    short, region = estate.organisation.short_name, estate.primary_region
    tags = estate.tags_for(business_case_line=estate.landing_zone.business_case_line, wave="platform")
    client = authorization.get_client_config_output()
    zone = LandingZone(f"{short}-lz", LandingZoneArgs(
        short_name=short, region=region, allowed_regions=tuple(estate.regions.allowed), hub=estate.landing_zone.hub,
        wave_names=tuple(wave.name for wave in estate.waves), log_analytics=estate.landing_zone.log_analytics,
        key_vault=estate.landing_zone.key_vault, recovery_vault=estate.landing_zone.recovery_vault,
        policy_assignments=tuple(estate.landing_zone.policy_assignments), tags=tags,
        tenant_id=client.tenant_id, subscription_id=client.subscription_id,
        wave_tags={wave.name: estate.tags_for(business_case_line=estate.landing_zone.business_case_line,
                                              wave=wave.name) for wave in estate.waves}))
    circuit = estate.connectivity.expressroute
    if circuit is not None:
        ExpressRoute(f"{short}-er", ExpressRouteArgs(
            short_name=short, region=region, circuit=circuit, resource_group_name=zone.connectivity_group.name,
            gateway_subnet_id=zone.subnet_ids["GatewaySubnet"],
            authorization_key=require_secret(circuit.authorization_key_config),
            tags=estate.tags_for(business_case_line=circuit.business_case_line
                                 or estate.landing_zone.business_case_line, wave="platform")))
    if settings is not None and settings.budgets is not None:
        build_budgets(estate, settings.budgets, client.subscription_id)
    pulumi.export("subnetIds", zone.subnet_ids)
    pulumi.export("waveResourceGroups", {wave: group.name for wave, group in zone.wave_groups.items()})
    pulumi.export("recoveryVaultName", zone.recovery_vault.name)
    pulumi.export("recoveryVaultResourceGroupName", zone.management_group.name)
    pulumi.export("backupPolicyId", zone.backup_policy.id)


def build_wave(estate: Estate, wave: Wave, settings: StackSettings) -> None:
    """One migration wave, placed in the platform's subnet and backed up to the platform's vault."""
    short, region = estate.organisation.short_name, estate.primary_region
    specs = servers.server_specs(estate, wave)
    platform = pulumi.StackReference(settings.platform_stack)
    subnet_id = platform.get_output("subnetIds").apply(
        lambda ids: _platform_value(ids, "subnetIds", settings.platform_stack, key=wave.subnet))
    policy_id = platform.get_output("backupPolicyId").apply(
        lambda value: _platform_value(value, "backupPolicyId", settings.platform_stack))
    admin = AdminCredentials(
        username=settings.admin_username,
        password=require_secret(ADMIN_PASSWORD_KEY) if any(s.windows for s in specs) else None,
        ssh_public_key=require_secret(ADMIN_SSH_KEY) if any(not s.windows for s in specs) else None)
    MigrationWave(wave.stack, MigrationWaveArgs(
        resource_group_name=naming.wave_resource_group(short, wave.name, region), subnet_id=subnet_id,
        servers=specs, admin=admin,
        backup=BackupTarget(vault_name=naming.recovery_vault(short, "backup", region),
                            vault_resource_group_name=naming.resource_group(short, "management", region),
                            policy_id=policy_id)))


def build_retained(estate: Estate) -> None:
    """Arc and Site Recovery for the hosts that stay on site."""
    groups = tuple(
        RetainedGroupSpec(name=group.name, site=group.site, hosts=group.count, arc=group.arc,
                          site_recovery=group.dr == "azure-site-recovery",
                          tags=estate.tags_for(business_case_line=group.business_case_line, wave="retained",
                                               cost_centre=group.cost_centre))
        for group in estate.retained
    )
    RetainedEstate(f"{estate.organisation.short_name}-retained", RetainedEstateArgs(
        short_name=estate.organisation.short_name, region=estate.primary_region,
        storage_redundancy=estate.landing_zone.recovery_vault.storage_redundancy, groups=groups,
        tags=estate.tags_for(wave="retained")))


def _platform_value(value: Any, output: str, stack: str, *, key: str | None = None) -> str:
    """One of the platform stack's outputs (or one entry of it), or an error saying to deploy the platform."""
    if key is not None:
        value = value.get(key) if isinstance(value, dict) else None
    if not value:
        name = output + (f"[{key!r}]" if key is not None else "")
        raise EstateError(f"the {stack!r} stack exports no {name}; run `pulumi up -s {stack}` with this estate "
                          f"first (config {CONFIG_NAMESPACE}:platformStack names the stack)")
    return value


def build_budgets(estate: Estate, budget_settings: BudgetSettings, subscription_id: pulumi.Input[str]) -> None:
    """One Azure budget per cloud-run line of the business case, for one financial year."""
    from costing.business_case import budget_specs, financial_year_of, load_business_case
    from estate.components.budgets import BusinessCaseBudgets, BusinessCaseBudgetsArgs

    case = load_business_case(budget_settings.business_case_file)
    # Azure accepts a budget only from the current period; a year past the case's horizon carries its last
    # year's run rate forward (said in each budget's basis).
    year = budget_settings.financial_year or financial_year_of(date.today(), case.financial_year_start_month).label
    emails = budget_settings.contact_emails or tuple(estate.organisation.contact_emails)
    specs = budget_specs(case, year, contact_emails=emails, beyond_horizon="carry-forward")
    budgets = BusinessCaseBudgets(f"{estate.organisation.short_name}-budgets",
                                  BusinessCaseBudgetsArgs(subscription_id=subscription_id, budgets=specs))
    pulumi.export("budgetIds", {line: budget.id for line, budget in budgets.budgets.items()})
