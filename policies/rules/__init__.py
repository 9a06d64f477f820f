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

Check = Callable[[Resource, GuardrailSettings, PlanContext], Iterable[Violation]]


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    remediation: str
    check: Check
    # Mandatory rules fail the check; supported-os is mandatory past end of support, advisory near it.
    enforcement: str = MANDATORY


RULES: dict[str, Rule] = {
    module.NAME: Rule(module.NAME, module.DESCRIPTION, module.REMEDIATION, module.check)
    for module in (uk_regions_only, required_tags, no_public_ip, supported_os)
}


def check_resource(resource: Resource, settings: GuardrailSettings, context: PlanContext,
                   rules: Iterable[Rule]) -> Iterator[Violation]:
    """Every violation of `rules` by one resource."""
    for rule in rules:
        yield from rule.check(resource, settings, context)


__all__ = ["ADVISORY", "MANDATORY", "RULES", "GuardrailSettings", "PlanContext", "Resource", "Rule", "Violation",
           "check_resource"]
