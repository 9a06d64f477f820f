"""Rules that look across the fields of an estate: the checks a schema alone cannot express.

Each check yields `Finding`s located by their path in the definition, so the loader can point at the
YAML line. Guardrails over *plans* live in `policies/`; these are about the definition itself.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from ipaddress import IPv4Network

from estate.definition.generated_names import name_problems
from estate.definition.model import (
    EXPRESSROUTE_BANDWIDTHS_MBPS,
    NAME_PATTERN_FIELD,
    Estate,
    VirtualMachine,
)
from estate.definition.rules_deploy import check_deployable
from estate.foundation.reference import UK_REGIONS, operating_systems, vm_sizes
from estate.foundation.tags import LINE_TAG

Loc = tuple[str | int, ...]
VM_NAME_MAX = 64
WINDOWS_COMPUTER_NAME_MAX = 15


@dataclass(frozen=True)
class Finding:
    loc: Loc
    message: str
    hint: str = ""


def nearest(word: str, choices: list[str] | tuple[str, ...]) -> str | None:
    """The closest known spelling of `word`, if any is close enough to suggest."""
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if not matches:
        lowered = {choice.lower(): choice for choice in choices}
        matches = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
        return lowered[matches[0]] if matches else None
    return matches[0]


def check_estate(estate: Estate, *, generated_names: bool = True) -> list[Finding]:
    """Every cross-field problem in the estate, in definition order; `generated_names=False` leaves out the Azure
    naming rules of the names made from its fields (`estate check --estate` reports those as azure-preflight-names
    findings)."""
    checks = (_regions, _tags, _network, _expressroute, _waves, _servers, _retained)
    findings = [finding for check in checks for finding in check(estate)]
    reported = {finding.loc for finding in findings}
    # Azure's naming rules for every generated name, unless the field already has a finding (e.g. a server name).
    names = [finding for finding in _names(estate) if finding.loc not in reported] if generated_names else []
    return findings + names + list(check_deployable(estate, Finding))


def _names(estate: Estate) -> Iterator[Finding]:
    for name, rule, problem in name_problems(estate):
        yield Finding(name.loc, f"the {rule.arm_type} name made from this field, {problem}",
                      f"Azure refuses it at deployment ({rule.scope} scope; source: {rule.source.split(' ; ')[0]}); "
                      "shorten or change this field")


def _allowed_hint(estate: Estate) -> str:
    return f"allowed regions are {', '.join(estate.regions.allowed)} (regions.allowed)"


def _regions(estate: Estate) -> Iterator[Finding]:
    regions = estate.regions
    for index, region in enumerate(regions.allowed):
        if region not in UK_REGIONS:
            yield Finding(("regions", "allowed", index), f"{region!r} is not a UK region",
                          f"estate keeps every resource in {' or '.join(UK_REGIONS)}; remove it")
    for key in ("primary", "secondary"):
        region = getattr(regions, key)
        if region is not None and region not in regions.allowed:
            yield Finding(("regions", key), f"{region!r} is not in the allowed list", _allowed_hint(estate))
    if regions.secondary is not None and regions.secondary == regions.primary:
        yield Finding(("regions", "secondary"), "secondary region is the same as the primary",
                      "choose the other UK region (e.g. ukwest) or remove secondary")
    if estate.landing_zone.region and estate.landing_zone.region not in regions.allowed:
        yield Finding(("landing_zone", "region"), f"{estate.landing_zone.region!r} is not allowed",
                      _allowed_hint(estate))


def _tags(estate: Estate) -> Iterator[Finding]:
    mandatory = estate.tags.mandatory
    if LINE_TAG not in mandatory:
        yield Finding(("tags", "mandatory"), f"{LINE_TAG!r} is not a mandatory tag",
                      "add it: it is what ties Azure spend to the business case")
    seen: set[str] = set()
    for index, tag in enumerate(mandatory):
        if tag in seen:
            yield Finding(("tags", "mandatory", index), f"tag {tag!r} is listed twice", "remove the repeat")
        seen.add(tag)
    for index, tag in enumerate(estate.tags.server_only):
        if tag not in mandatory:
            yield Finding(("tags", "server_only", index), f"{tag!r} is not a mandatory tag",
                          "server_only narrows mandatory tags to servers; list it under tags.mandatory or remove it")


def _network(estate: Estate) -> Iterator[Finding]:
    hub = estate.landing_zone.hub
    spaces = hub.address_space
    names: set[str] = set()
    placed: list[tuple[int, IPv4Network]] = []
    for index, subnet in enumerate(hub.subnets):
        loc = ("landing_zone", "hub", "subnets", index)
        if subnet.name in names:
            yield Finding((*loc, "name"), f"subnet {subnet.name!r} is defined twice", "give each subnet its own name")
        names.add(subnet.name)
        if not any(subnet.prefix.subnet_of(space) for space in spaces):
            yield Finding((*loc, "prefix"), f"{subnet.prefix} is outside the hub address space "
                          f"{', '.join(map(str, spaces))}", "choose a prefix inside landing_zone.hub.address_space")
        for other_index, other in placed:
            if subnet.prefix.overlaps(other):
                yield Finding((*loc, "prefix"), f"{subnet.prefix} overlaps subnet {other_index} ({other})",
                              "give each subnet its own range")
        placed.append((index, subnet.prefix))
    expressroute = estate.connectivity.expressroute
    if expressroute is None:
        return
    if "GatewaySubnet" not in names:
        yield Finding(("landing_zone", "hub", "subnets"), "ExpressRoute needs a subnet named 'GatewaySubnet'",
                      "add one (a /27 or larger) to landing_zone.hub.subnets")
    for index, prefix in enumerate(expressroute.on_premises_prefixes):
        for space in spaces:
            if prefix.overlaps(space):
                yield Finding(("connectivity", "expressroute", "on_premises_prefixes", index),
                              f"{prefix} overlaps the hub address space {space}",
                              "on-premises and Azure ranges must not overlap for routing to work")


def _expressroute(estate: Estate) -> Iterator[Finding]:
    circuit = estate.connectivity.expressroute
    if circuit is None:
        return
    loc = ("connectivity", "expressroute")
    if circuit.bandwidth_mbps not in EXPRESSROUTE_BANDWIDTHS_MBPS:
        sold = ", ".join(str(b) for b in EXPRESSROUTE_BANDWIDTHS_MBPS)
        yield Finding((*loc, "bandwidth_mbps"), f"ExpressRoute does not sell {circuit.bandwidth_mbps} Mbps circuits",
                      f"choose one of {sold}")
    if circuit.sku_tier == "Local" and circuit.sku_family != "UnlimitedData":
        yield Finding((*loc, "sku_family"), "ExpressRoute Local circuits are sold only as UnlimitedData",
                      "set sku_family: UnlimitedData or choose sku_tier Standard")


def _waves(estate: Estate) -> Iterator[Finding]:
    # Whether the wave's subnet exists in its region's network is checked in rules_deploy.
    seen: set[str] = set()
    for index, wave in enumerate(estate.waves):
        loc = ("waves", index)
        if wave.name in seen:
            yield Finding((*loc, "name"), f"wave {wave.name!r} is defined twice", "give each wave its own name")
        seen.add(wave.name)
        if wave.region and wave.region not in estate.regions.allowed:
            yield Finding((*loc, "region"), f"{wave.region!r} is not allowed", _allowed_hint(estate))
        if wave.subnet == "GatewaySubnet":
            yield Finding((*loc, "subnet"), "VMs cannot be placed in GatewaySubnet", "choose a workload subnet")


def _servers(estate: Estate) -> Iterator[Finding]:
    first_seen: dict[str, Loc] = {}
    for wave_index, wave in enumerate(estate.waves):
        for vm_index, vm in enumerate(wave.vms):
            loc: Loc = ("waves", wave_index, "vms", vm_index)
            yield from _vm(estate, vm, loc)
            name_loc = (*loc, "name" if vm.name else "name_pattern")
            for name in _safe_names(vm):
                if name in first_seen:
                    other = first_seen[name]
                    yield Finding(name_loc, f"server name {name!r} is already used at "
                                  f"waves[{other[1]}].vms[{other[3]}]", "every server needs a unique name")
                else:
                    first_seen[name] = loc


def _safe_names(vm: VirtualMachine) -> list[str]:
    try:
        return vm.names()
    except (KeyError, IndexError, ValueError):
        return []


def _vm(estate: Estate, vm: VirtualMachine, loc: Loc) -> Iterator[Finding]:
    yield from _vm_naming(vm, loc)
    if vm.region and vm.region not in estate.regions.allowed:
        yield Finding((*loc, "region"), f"{vm.region!r} is not allowed", _allowed_hint(estate))
    size = vm_sizes().get(vm.size)
    if size is None:
        guess = nearest(vm.size, sorted(vm_sizes()))
        yield Finding((*loc, "size"), f"unknown VM size {vm.size!r}",
                      (f"did you mean {guess!r}? " if guess else "")
                      + "sizes estate knows are in estate/foundation/reference/vm_sizes.csv")
    elif not size.premium_storage:
        for disk_loc, disk in [((*loc, "os_disk"), vm.os_disk)] + [
            ((*loc, "data_disks", i), d) for i, d in enumerate(vm.data_disks)
        ]:
            if disk.sku.startswith(("Premium", "Ultra")):
                yield Finding((*disk_loc, "sku"), f"{vm.size} cannot attach {disk.sku} disks",
                              "choose an 's' size (e.g. Standard_D2s_v5) or StandardSSD_LRS")
    yield from _vm_os(vm, loc)


def _vm_naming(vm: VirtualMachine, loc: Loc) -> Iterator[Finding]:
    if vm.count is not None and not vm.name_pattern:
        yield Finding((*loc, "count"), "count needs a name_pattern to name each server",
                      "add name_pattern with {n}, e.g. name_pattern: 'lcc-web-{n:02}'")
        return
    if vm.name_pattern and vm.count is None:
        yield Finding((*loc, "name_pattern"), "name_pattern needs a count", "add count: N, or use name instead")
        return
    if vm.name and vm.name_pattern:
        yield Finding((*loc, "name"), "give either name or count + name_pattern, not both",
                      "remove name for a group of identical servers")
        return
    if not vm.name and not vm.name_pattern:
        yield Finding((*loc,), "a VM needs a name (or count + name_pattern)", "add name: <server name>")
        return
    if vm.name_pattern:
        if not NAME_PATTERN_FIELD.search(vm.name_pattern):
            yield Finding((*loc, "name_pattern"), f"{vm.name_pattern!r} has no {{n}} placeholder",
                          "write the number's place as {n} or {n:02}")
            return
        if not _safe_names(vm):
            yield Finding((*loc, "name_pattern"), f"{vm.name_pattern!r} is not a valid pattern",
                          "use only {n} or {n:02} style placeholders")
            return
    windows = vm.operating_system is not None and vm.operating_system.family == "windows"
    limit = WINDOWS_COMPUTER_NAME_MAX if windows else VM_NAME_MAX
    field = "name" if vm.name else "name_pattern"
    for name in _safe_names(vm)[:1] + _safe_names(vm)[-1:]:
        if not name or not all(c.isalnum() or c == "-" for c in name) or name.startswith("-"):
            yield Finding((*loc, field), f"{name!r} is not a valid server name",
                          "use letters, digits and hyphens, starting with a letter or digit")
            return
        if len(name) > limit:
            yield Finding((*loc, field), f"{name!r} is {len(name)} characters; "
                          f"{'Windows computer names' if windows else 'VM names'} allow {limit}",
                          "shorten the name")
            return


def _vm_os(vm: VirtualMachine, loc: Loc) -> Iterator[Finding]:
    known = operating_systems()
    system = known.get((vm.os, vm.os_version))
    if system is None:
        yield _unknown_os(vm.os, vm.os_version, loc)
        return
    if vm.strategy != "retire" and not system.has_azure_image:
        yield Finding((*loc, "os_version"), f"{system.display_name} cannot run in Azure",
                      "upgrade it before migrating, or keep it on site under retained")
    if vm.hybrid_benefit and system.os not in ("windows-server", "rhel", "sles"):
        yield Finding((*loc, "hybrid_benefit"), f"Azure Hybrid Benefit does not apply to {system.display_name}",
                      "it applies to Windows Server, RHEL and SLES; set hybrid_benefit: false")


def _unknown_os(os_name: str, version: str, loc: Loc) -> Finding:
    known = operating_systems()
    families = sorted({key[0] for key in known})
    if os_name not in families:
        guess = nearest(os_name, families)
        return Finding((*loc, "os"), f"unknown operating system {os_name!r}",
                       f"did you mean {guess!r}?" if guess else f"known: {', '.join(families)}")
    versions = [key[1] for key in known if key[0] == os_name]
    return Finding((*loc, "os_version"), f"unknown {os_name} version {version!r}",
                   f"known versions: {', '.join(versions)}")


def _retained(estate: Estate) -> Iterator[Finding]:
    seen: set[str] = set()
    for index, group in enumerate(estate.retained):
        loc = ("retained", index)
        if group.name in seen:
            yield Finding((*loc, "name"), f"retained group {group.name!r} is defined twice",
                          "give each group its own name")
        seen.add(group.name)
        if group.hosts and len(group.hosts) != group.count:
            yield Finding((*loc, "hosts"), f"{len(group.hosts)} hosts named but count is {group.count}",
                          "list every host of the group, or set count to the number listed")
        if (group.os, group.os_version) not in operating_systems():
            yield _unknown_os(group.os, group.os_version, loc)
        if group.dr == "azure-site-recovery":
            system = group.operating_system
            if system is not None and not system.has_azure_image:
                yield Finding((*loc, "dr"), f"{system.display_name} cannot fail over to Azure",
                              "use dr: on-premises or none for these hosts")
