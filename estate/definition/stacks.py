"""What each stack of an estate is, in one place: the tags its resources carry, the secrets it reads, and the
outputs it exports.

The Pulumi program builds from these (so a real `pulumi up` and `estate synth` agree), and `estate check --estate`
checks them before anything is synthesised, with the estate's real values rather than stand-ins. Knows nothing of
Pulumi: secrets and outputs are names, tags are plain dictionaries.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from estate.definition.model import Estate, RetainedHosts, VirtualMachine, Wave

Loc = tuple[str | int, ...]

# Stack settings (`estate:<key>` in Pulumi.<stack>.yaml) that hold secrets.
ADMIN_PASSWORD_KEY = "vmAdminPassword"  # Windows servers' local administrator
ADMIN_SSH_KEY = "vmAdminSshPublicKey"  # Linux servers' administrator's public key

# What the platform stack exports for the wave stacks and the network team (read back through a StackReference).
REGIONS_OUTPUT = "regions"
PLATFORM_OUTPUTS = (REGIONS_OUTPUT, "subnetIds", "recoveryVaultName", "recoveryVaultResourceGroupName",
                    "backupPolicyId")
EXPRESSROUTE_OUTPUTS = ("expressRouteCircuitId",)
CIRCUIT_OUTPUTS = ("expressRouteServiceKey", "expressRouteProvisioningState")  # only for a circuit it creates
BUDGET_OUTPUTS = ("budgetIds",)
WAVE_OUTPUTS = ("resourceGroupName", "vmIds", "privateIpAddresses")


@dataclass(frozen=True)
class TagSet:
    """The tags one group of resources carries, and the estate field that decides them (for FILE:LINE:COL)."""

    what: str
    loc: Loc
    tags: dict[str, str]
    server: bool = False  # VMs, NICs and disks: the `tags.server_only` mandatory tags apply


def platform_tags(estate: Estate) -> dict[str, str]:
    """The platform's landing-zone resources (resource groups, networks, vaults, workspace, policies, budgets)."""
    return estate.tags_for(business_case_line=estate.landing_zone.business_case_line, wave="platform")


def expressroute_tags(estate: Estate) -> dict[str, str]:
    """The ExpressRoute circuit, gateway and connection."""
    circuit = estate.connectivity.expressroute
    line = (circuit.business_case_line if circuit is not None else None) or estate.landing_zone.business_case_line
    return estate.tags_for(business_case_line=line, wave="platform")


def wave_tags(estate: Estate, wave: Wave) -> dict[str, str]:
    """A wave stack's own resources (its resource group)."""
    return estate.tags_for(business_case_line=estate.landing_zone.business_case_line, wave=wave.name)


def server_tags(estate: Estate, wave: Wave, vm: VirtualMachine) -> dict[str, str]:
    """A migrating server's VM, NIC and disks: the server's own tags last, so they win."""
    tags = estate.tags_for(business_case_line=vm.business_case_line, wave=wave.name, application=vm.application,
                           migration_strategy=vm.strategy, reservation=vm.reservation, cost_centre=vm.cost_centre)
    return dict(sorted({**tags, **vm.tags}.items()))


def retained_tags(estate: Estate, group: RetainedHosts | None = None) -> dict[str, str]:
    """A retained group's Azure Arc resource group (or, without a group, the Site Recovery resources)."""
    if group is None:
        return estate.tags_for(wave="retained")
    return estate.tags_for(business_case_line=group.business_case_line, wave="retained",
                           cost_centre=group.cost_centre)


def tag_sets(estate: Estate) -> Iterator[TagSet]:
    """Every set of tags the program writes, each with the estate field that decides it."""
    yield TagSet("platform resources", ("landing_zone", "business_case_line"), platform_tags(estate))
    if estate.connectivity.expressroute is not None:
        yield TagSet("ExpressRoute resources", ("connectivity", "expressroute"), expressroute_tags(estate))
    for wave_index, wave in enumerate(estate.waves):
        yield TagSet(f"wave {wave.name} resource group", ("waves", wave_index, "name"), wave_tags(estate, wave))
        for vm_index, vm in enumerate(wave.vms):
            if vm.strategy != "retire":
                yield TagSet(f"server {vm.name or vm.name_pattern}", ("waves", wave_index, "vms", vm_index),
                             server_tags(estate, wave, vm), server=True)
    for index, group in enumerate(estate.retained):
        if group.arc:
            yield TagSet(f"retained group {group.name}", ("retained", index), retained_tags(estate, group))


def stack_secrets(estate: Estate, stack: str) -> tuple[str, ...]:
    """The `estate:*` secrets a stack reads (so a real run and synth ask for the same ones)."""
    wave = next((wave for wave in estate.waves if wave.stack == stack), None)
    if wave is not None:
        families = {vm.operating_system.family for vm in wave.vms
                    if vm.strategy != "retire" and vm.operating_system is not None}
        return tuple(key for family, key in (("windows", ADMIN_PASSWORD_KEY), ("linux", ADMIN_SSH_KEY))
                     if family in families)
    circuit = estate.connectivity.expressroute
    if stack == "platform" and circuit is not None and circuit.authorization_key_config:
        return (circuit.authorization_key_config,)
    return ()


def stack_outputs(estate: Estate, stack: str) -> tuple[str, ...]:
    """The outputs a stack exports (budgets only when a business case gives the platform its budgets)."""
    if stack == "platform":
        circuit = estate.connectivity.expressroute
        found = PLATFORM_OUTPUTS
        if circuit is not None:
            found += EXPRESSROUTE_OUTPUTS + (CIRCUIT_OUTPUTS if circuit.creates_circuit else ())
        return found
    if any(wave.stack == stack for wave in estate.waves):
        return WAVE_OUTPUTS
    return ()
