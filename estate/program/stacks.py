"""Pick and build the components for one stack: `platform`, `wave-<name>` or `retained`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import pulumi
from pulumi_azure_native import authorization

from estate.components.expressroute import ExpressRoute, ExpressRouteArgs
from estate.components.landing_zone import LandingZone, LandingZoneArgs
from estate.components.migration_wave import (
    COMPONENT_NAME,
    AdminCredentials,
    BackupTarget,
    MigrationWave,
    MigrationWaveArgs,
)
from estate.components.retained_estate import RetainedEstate, RetainedEstateArgs, RetainedGroupSpec
from estate.definition import naming, stacks
from estate.definition.model import Estate, Wave
from estate.definition.stacks import ADMIN_PASSWORD_KEY, ADMIN_SSH_KEY, PLATFORM_OUTPUTS, REGIONS_OUTPUT
from estate.foundation.errors import EstateError
from estate.program import servers
from estate.program.settings import (
    CONFIG_NAMESPACE,
    BudgetSettings,
    StackConfigError,
    StackSettings,
    config_problems,
    require_secret,
)

# What each stack exports, the secrets it reads and the tags it writes are defined once, in
# estate.definition.stacks: `regions` holds, per region, the subnets and the backup vault a wave there uses.
STACK_OUTPUTS = PLATFORM_OUTPUTS


class UnknownStackError(EstateError):
    """The stack being run is not one the estate defines (exit 2)."""


class PlatformOutputsMissing(EstateError):
    """The platform stack does not export what a wave needs (not deployed, or deployed from another estate)."""


@dataclass(frozen=True)
class PlatformValues:
    """What a wave reads from the platform stack's outputs for its region."""

    subnet_id: str
    vault_name: str
    vault_resource_group_name: str
    backup_policy_id: str


def run_program(estate: Estate, settings: StackSettings) -> None:
    """Build the current stack (`pulumi.get_stack()`) from the estate, as `pulumi preview|up` runs it.

    A wave first awaits the platform stack's outputs (`pulumi.run`, after the module code) and checks them, so a
    missing output is one clear error before any of the wave's resources is declared.
    """
    from pulumi.runtime.config import CONFIG

    check_config(CONFIG.get(), estate)
    stack = pulumi.get_stack()
    wave = next((wave for wave in estate.waves if wave.stack == stack), None)
    if wave is None:
        build_stack(stack, estate, settings)
        return

    async def main() -> dict[str, Any]:
        reference = pulumi.StackReference(settings.platform_stack)
        details = await reference.get_output_details(REGIONS_OUTPUT)
        value = details.value if details.value is not None else details.secret_value
        try:
            build_wave(estate, wave, settings, platform_values(estate, wave, value, settings.platform_stack))
        except EstateError as exc:
            raise pulumi.RunError(exc.message) from exc
        return {}

    pulumi.run(main)


def check_config(config: Mapping[str, Any], estate: Estate) -> None:
    """Refuse `estate:*` settings the program does not know or cannot use, naming each (exit 2)."""
    circuit = estate.connectivity.expressroute
    extra = (circuit.authorization_key_config,) if circuit is not None and circuit.authorization_key_config else ()
    problems = config_problems(config, extra)
    if problems:
        raise StackConfigError(f"stack {pulumi.get_stack()!r}: " + "; ".join(problems))


def build_stack(stack: str, estate: Estate, settings: StackSettings, *,
                platform_outputs: Mapping[str, Any] | None = None) -> None:
    """Build the components of `stack` (a wave from the given platform outputs, as `estate synth` has them);
    raise `UnknownStackError` listing the estate's stacks otherwise."""
    builders: dict[str, Callable[[], None]] = {
        "platform": lambda: build_platform(estate, settings),
        "retained": lambda: build_retained(estate),
    }

    def wave_builder(wave: Wave) -> None:
        pulumi.StackReference(settings.platform_stack)  # registered as a real run does; values given
        value = (platform_outputs or {}).get(REGIONS_OUTPUT)
        build_wave(estate, wave, settings, platform_values(estate, wave, value, settings.platform_stack))

    for wave in estate.waves:
        builders[wave.stack] = lambda wave=wave: wave_builder(wave)
    builder = builders.get(stack)
    if builder is None:
        raise UnknownStackError(f"stack {stack!r} is not defined by the estate; its stacks are: "
                                f"{', '.join(estate.stacks())} (one wave-<name> per wave in the estate file)")
    builder()


def platform_values(estate: Estate, wave: Wave, regions: Any, platform_stack: str) -> PlatformValues:
    """The wave's subnet and backup vault from the platform's `regions` output, or one error saying what to do."""
    region = estate.wave_region(wave)
    exported = regions.get(region) if isinstance(regions, Mapping) else None
    subnets = exported.get("subnetIds") if isinstance(exported, Mapping) else None
    values = {
        f"{REGIONS_OUTPUT}[{region!r}].subnetIds[{wave.subnet!r}]":
            subnets.get(wave.subnet) if isinstance(subnets, Mapping) else None,
        **{f"{REGIONS_OUTPUT}[{region!r}].{key}": exported.get(key) if isinstance(exported, Mapping) else None
           for key in ("recoveryVaultName", "recoveryVaultResourceGroupName", "backupPolicyId")},
    }
    missing = [name for name, value in values.items() if not isinstance(value, str) or not value]
    if missing:
        raise PlatformOutputsMissing(
            f"the {platform_stack!r} stack exports no {missing[0]}"
            + (f" (nor {len(missing) - 1} more)" if len(missing) > 1 else "")
            + f"; run `pulumi up -s {platform_stack}` with this estate first, so that it builds the network and "
            f"backup vault of {region} (config {CONFIG_NAMESPACE}:platformStack names the stack)")
    subnet_id, vault, vault_group, policy = values.values()
    return PlatformValues(subnet_id=subnet_id, vault_name=vault, vault_resource_group_name=vault_group,
                          backup_policy_id=policy)


def build_platform(estate: Estate, settings: StackSettings | None = None) -> None:
    """Landing zone, connectivity and the business case's budgets. Add a component here and export what it makes."""
    short, region, zone_spec = estate.organisation.short_name, estate.primary_region, estate.landing_zone
    tags = stacks.platform_tags(estate)
    client = authorization.get_client_config_output()
    circuit = estate.connectivity.expressroute
    zone = LandingZone(f"{short}-lz", LandingZoneArgs(
        short_name=short, region=region, allowed_regions=tuple(estate.regions.allowed), hub=zone_spec.hub,
        spokes=dict(zone_spec.spokes), log_analytics=zone_spec.log_analytics, key_vault=zone_spec.key_vault,
        recovery_vault=zone_spec.recovery_vault, policy_assignments=tuple(zone_spec.policy_assignments), tags=tags,
        tenant_id=client.tenant_id, subscription_id=client.subscription_id, protect=zone_spec.protect,
        unique=naming.unique_suffix(estate.organisation.name, short),
        on_premises_prefixes=tuple(circuit.on_premises_prefixes) if circuit is not None else ()))
    gateway = None
    if circuit is not None:
        key = require_secret(circuit.authorization_key_config) if circuit.authorization_key_config else None
        expressroute = ExpressRoute(f"{short}-er", ExpressRouteArgs(
            short_name=short, region=region, circuit=circuit, resource_group_name=zone.connectivity_group_name,
            resource_group=zone.connectivity_group, gateway_subnet_id=zone.subnet_ids["GatewaySubnet"],
            authorization_key=key, protect=zone_spec.protect, tags=stacks.expressroute_tags(estate)))
        gateway = expressroute.gateway
        _export_expressroute(expressroute)
    zone.peer_spokes(gateway)
    if settings is not None and settings.budgets is not None:
        build_budgets(estate, settings.budgets, client.subscription_id)
    # Names as the plain strings the estate gives them (known at a first preview); ids as Azure assigns them.
    pulumi.export(REGIONS_OUTPUT, {
        name: {"subnetIds": zone.region_subnet_ids[name], "recoveryVaultName": backup.vault_name,
               "recoveryVaultResourceGroupName": backup.group_name, "backupPolicyId": backup.policy.id}
        for name, backup in zone.backups.items()})
    pulumi.export("subnetIds", zone.subnet_ids)
    pulumi.export("recoveryVaultName", zone.backups[region].vault_name)
    pulumi.export("recoveryVaultResourceGroupName", zone.management_group_name)
    pulumi.export("backupPolicyId", zone.backup_policy.id)


def _export_expressroute(expressroute: ExpressRoute) -> None:
    """The circuit's id, and what the network team needs for step 2: the service key to hand to the provider
    (Jisc), and the provider's provisioning state (`Provisioned` once the provider has done its part)."""
    pulumi.export("expressRouteCircuitId", expressroute.circuit_id)
    if expressroute.circuit is not None:
        pulumi.export("expressRouteServiceKey", expressroute.circuit.service_key)
        pulumi.export("expressRouteProvisioningState", expressroute.circuit.service_provider_provisioning_state)


def build_wave(estate: Estate, wave: Wave, settings: StackSettings, platform: PlatformValues) -> None:
    """One migration wave in its own resource group, in the platform's subnet and vault of the wave's region."""
    short, region = estate.organisation.short_name, estate.wave_region(wave)
    specs = servers.server_specs(estate, wave)
    admin = AdminCredentials(
        username=settings.admin_username,
        password=require_secret(ADMIN_PASSWORD_KEY) if any(s.windows for s in specs) else None,
        ssh_public_key=require_secret(ADMIN_SSH_KEY) if any(not s.windows for s in specs) else None)
    group_name = naming.wave_resource_group(short, wave.name, region)
    servers_in_wave = MigrationWave(COMPONENT_NAME, MigrationWaveArgs(
        resource_group_name=group_name, region=region,
        subnet_id=platform.subnet_id, servers=specs, admin=admin,
        tags=stacks.wave_tags(estate, wave),
        backup=BackupTarget(vault_name=platform.vault_name,
                            vault_resource_group_name=platform.vault_resource_group_name,
                            policy_id=platform.backup_policy_id)))
    pulumi.export("resourceGroupName", group_name)
    pulumi.export("vmIds", servers_in_wave.vm_ids)
    pulumi.export("privateIpAddresses", servers_in_wave.private_ip_addresses)


def build_retained(estate: Estate) -> None:
    """Arc and Site Recovery for the hosts that stay on site."""
    groups = tuple(
        RetainedGroupSpec(name=group.name, site=group.site, hosts=group.count, arc=group.arc,
                          site_recovery=group.dr == "azure-site-recovery",
                          tags=stacks.retained_tags(estate, group))
        for group in estate.retained
    )
    RetainedEstate(f"{estate.organisation.short_name}-retained", RetainedEstateArgs(
        short_name=estate.organisation.short_name, region=estate.primary_region,
        storage_redundancy=estate.landing_zone.recovery_vault.storage_redundancy, groups=groups,
        tags=stacks.retained_tags(estate)))


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
