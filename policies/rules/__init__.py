"""The guardrails, one plain function per rule; the CrossGuard pack and `estate check` call the same ones.

Each rule module exposes NAME, DESCRIPTION, REMEDIATION and `check(resource, settings, context)`, which
yields `Violation`s. Rule names are an interface: they appear in output and in `estate check --only`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from policies.rules import no_public_ip, required_tags, supported_os, uk_regions_only
from policies.rules.base import (
    ADVISORY,
    MANDATORY,
    GuardrailSettings,
    PlanContext,
    Resource,
    Violation,
)
from policies.rules.preflight import FAMILY as PREFLIGHT_FAMILY
from policies.rules.preflight import dependencies, expressroute, names, regions, vm

Check = Callable[[Resource, GuardrailSettings, PlanContext], Iterable[Violation]]


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    remediation: str
    check: Check
    # Mandatory rules fail the check; supported-os is mandatory past end of support, advisory near it.
    enforcement: str = MANDATORY
    # True for rules that look across the whole plan (CrossGuard runs them as stack policies).
    whole_plan: bool = False


RULES: dict[str, Rule] = {
    module.NAME: Rule(module.NAME, module.DESCRIPTION, module.REMEDIATION, module.check)
    for module in (uk_regions_only, required_tags, no_public_ip, supported_os)
}
# azure-preflight: what Azure itself refuses at deployment (mandatory; `--only azure-preflight` runs them all).
PREFLIGHT_RULES = (names, regions, expressroute, vm, dependencies)
RULES.update({module.NAME: Rule(module.NAME, module.DESCRIPTION, module.REMEDIATION, module.check, whole_plan=True)
              for module in PREFLIGHT_RULES})
FAMILIES = {PREFLIGHT_FAMILY: tuple(module.NAME for module in PREFLIGHT_RULES)}


def check_resource(resource: Resource, settings: GuardrailSettings, context: PlanContext,
                   rules: Iterable[Rule]) -> Iterator[Violation]:
    """Every violation of `rules` by one resource."""
    for rule in rules:
        yield from rule.check(resource, settings, context)


__all__ = ["ADVISORY", "FAMILIES", "MANDATORY", "RULES", "GuardrailSettings", "PlanContext", "Resource", "Rule",
           "Violation",
           "check_resource"]
