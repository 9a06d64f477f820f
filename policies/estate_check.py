"""Run the guardrails over the estate definition itself, before synthesis, pointing at YAML file:line.

The same rules as over a plan, asked of what the definition will produce: every region it names is allowed
(and UK), every resource it will tag carries the mandatory tags, and no server's OS is out of support when
its wave goes live. Public IPs: the only one a definition can ask for is the ExpressRoute gateway's, which
its SKU decides, so there is nothing else to find before synthesis. Of azure-preflight, the definition is asked
what it decides alone: every name the program generates fits Azure's naming rules (azure-preflight-names, on the
field the name is made from), and every server's size is offered in its region (azure-preflight-vm).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from estate.definition.generated_names import name_problems
from estate.definition.model import Estate
from estate.definition.rules import check_estate
from estate.definition.stacks import TagSet, platform_tags, tag_sets
from estate.foundation.errors import ValidationError
from estate.foundation.reference import UK_REGIONS, size_offered
from estate.foundation.yamlfile import YamlDocument, format_loc, locate, read_yaml, validate
from policies.plan_check import CheckResult
from policies.rules import required_tags, supported_os, uk_regions_only
from policies.rules.base import MANDATORY, GuardrailSettings, Violation, go_live
from policies.rules.preflight import names as preflight_names
from policies.rules.preflight import vm as preflight_vm

Loc = tuple[str | int, ...]


def check_estate_file(path: str | Path, rules: set[str], previous: Path | None = None) -> CheckResult:
    """Read and validate the definition as `estate validate` does (bad input: exit 2), then run the selected
    rules over it; with `previous` (a folder of earlier plans), also say which servers changed wave since
    (advisory)."""
    document = read_yaml(path, what="estate definition")
    estate = validate(document, Estate)
    # The same rules as `estate validate`, first; regions are left to uk-regions-only, whose findings exit 1, and
    # generated names to azure-preflight-names, whose findings name the rule.
    problems = locate(document, [finding for finding in check_estate(estate, generated_names=False)
                                 if not _is_region(finding.loc)])
    if problems:
        raise ValidationError(document.file, problems)
    checks = {uk_regions_only.NAME: _regions, required_tags.NAME: _tags, supported_os.NAME: _operating_systems,
              preflight_names.NAME: _names, preflight_vm.NAME: _vm_sizes}
    violations: list[Violation] = []
    for name, check in checks.items():
        if name in rules:
            violations.extend(_locate(document, name, kind, loc, value, enforcement, message)
                              for kind, loc, value, enforcement, message in check(estate))
    if previous is not None:
        from policies.wave_moves import wave_move_violations

        violations.extend(wave_move_violations(document, estate, previous))
    items = 2 + len(estate.waves) + sum(len(wave.vms) for wave in estate.waves)
    return CheckResult(source=document.file, resources_checked=items, violations=violations)


def _is_region(loc: Loc) -> bool:
    return bool(loc) and (loc[0] == "regions" or loc[-1] == "region")


def _locate(document: YamlDocument, rule: str, kind: str, loc: Loc, value: object, enforcement: str,
            message: str) -> Violation:
    line, column = document.position(loc)
    return Violation(rule, enforcement, None, kind, format_loc(loc), value, message, document.file, line, column)


Finding = tuple[str, Loc, object, str, str]


def _regions(estate: Estate) -> Iterator[Finding]:
    allowed = estate.regions.allowed
    for index, region in enumerate(allowed):
        if region not in UK_REGIONS:
            yield ("estate:regions", ("regions", "allowed", index), region, MANDATORY,
                   f"{region!r} is not a UK region; allow only {' and '.join(UK_REGIONS)}")
    named: list[tuple[str, Loc, str | None]] = [
        ("estate:regions", ("regions", "primary"), estate.regions.primary),
        ("estate:regions", ("regions", "secondary"), estate.regions.secondary),
        ("estate:landing_zone", ("landing_zone", "region"), estate.landing_zone.region),
    ]
    for wave_index, wave in enumerate(estate.waves):
        named.append(("estate:wave", ("waves", wave_index, "region"), wave.region))
        named.extend(("estate:vm", ("waves", wave_index, "vms", vm_index, "region"), vm.region)
                     for vm_index, vm in enumerate(wave.vms))
    for kind, loc, region in named:
        problem = uk_regions_only.region_problem(region, allowed) if region else None
        if problem:
            yield kind, loc, region, MANDATORY, f"{problem}; {uk_regions_only.REMEDIATION}"


def _tags(estate: Estate) -> Iterator[Finding]:
    """The tags the program will write (estate.definition.stacks, the one definition of them), checked before
    synthesis: every mandatory tag is written somewhere, and no tag set the estate controls leaves one empty."""
    settings = GuardrailSettings.from_estate(estate)
    sets = list(tag_sets(estate))
    written = {tag for each in sets if not each.server for tag, value in each.tags.items() if value}
    on_servers = {tag for each in sets if each.server for tag, value in each.tags.items() if value}
    servers = any(each.server for each in sets)
    platform_written = sorted(set(platform_tags(estate)) - set(estate.tags.common))
    server_written = sorted(on_servers - written - set(estate.tags.common))
    for index, tag in enumerate(estate.tags.mandatory):
        on_server_only = tag in settings.server_only_tags
        if tag in estate.tags.common or tag in (on_servers if on_server_only else written) or \
                (on_server_only and not servers):
            continue
        where = "servers" if on_server_only else "resources"
        yield ("estate:tags", ("tags", "mandatory", index), tag, MANDATORY,
               f"mandatory tag {tag!r} is set on no {where}: estate writes only {', '.join(platform_written)}, the "
               f"common tags and (on servers) {', '.join(server_written) or 'nothing more'}; add it to tags.common")
    for tag, problem in required_tags.missing_tags(platform_tags(estate), estate.tags.mandatory):
        if tag in estate.tags.common:
            yield "estate:tags", ("tags", "common", tag), estate.tags.common[tag], MANDATORY, problem
    for each in sets:
        if each.server:
            yield from _server_tags(estate, each)


def _server_tags(estate: Estate, server: TagSet) -> Iterator[Finding]:
    wave_index, vm_index = server.loc[1], server.loc[3]
    vm = estate.waves[wave_index].vms[vm_index]
    for tag, problem in required_tags.missing_tags(server.tags, estate.tags.mandatory):
        if tag in vm.tags:
            yield "estate:vm", (*server.loc, "tags", tag), vm.tags[tag], MANDATORY, problem
        elif tag == "cost-centre" and vm.cost_centre is not None:
            yield "estate:vm", (*server.loc, "cost_centre"), vm.cost_centre, MANDATORY, problem


def _operating_systems(estate: Estate) -> Iterator[Finding]:
    for wave_index, wave in enumerate(estate.waves):
        for vm_index, vm in enumerate(wave.vms):
            system = vm.operating_system
            if vm.strategy == "retire" or system is None or not system.has_azure_image:
                continue  # retired servers never go live; unknown or image-less OSes are `estate validate`'s
            problem = supported_os.support_problem(system, go_live(wave.planned_month))
            if problem:
                enforcement, message = problem
                yield ("estate:vm", ("waves", wave_index, "vms", vm_index, "os_version"), vm.os_version, enforcement,
                       f"{message} [wave {wave.name}, planned {wave.planned_month}]; {supported_os.REMEDIATION}")


def _names(estate: Estate) -> Iterator[Finding]:
    for name, rule, problem in name_problems(estate):
        yield (f"estate:{rule.arm_type}", name.loc, name.name, MANDATORY,
               f"{problem}: the {rule.arm_type} name made from this field; Azure refuses it at deployment; "
               f"{preflight_names.REMEDIATION}")


def _vm_sizes(estate: Estate) -> Iterator[Finding]:
    reported: set[tuple[int, int]] = set()
    for wave_index, wave in enumerate(estate.waves):
        for vm_index, vm in enumerate(wave.vms):
            region = vm.region or wave.region or estate.regions.primary
            if vm.strategy != "retire" and size_offered(vm.size, region) is False \
                    and (wave_index, vm_index) not in reported:
                reported.add((wave_index, vm_index))
                yield ("estate:vm", ("waves", wave_index, "vms", vm_index, "size"), vm.size, MANDATORY,
                       f"{vm.size} is not offered in {region} (vm_size_regions.csv); choose a size sold there or "
                       f"place the server in another region")
