"""Run the guardrails over a plan (`pulumi preview --json` shape, from `estate synth` or a real preview)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from estate.foundation.plan import Plan
from policies.rules import Rule, check_resource
from policies.rules.base import GuardrailSettings, PlanContext, Resource, Violation
from policies.rules.no_public_ip import expressroute_gateway_ips

# `read` steps look up a resource this stack does not manage (`Resource.get`): it places nothing, so it is
# not checked; creates, updates, replaces, imports, refreshes and unchanged resources are.
NOT_PLACED_OPS = frozenset({"read", "read-replacement"})


@dataclass
class CheckResult:
    """What one check found: how many resources (or definition items) it read, and every violation."""

    source: str
    resources_checked: int
    violations: list[Violation] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(violation.mandatory for violation in self.violations)


def plan_resources(plan: Plan, stacks_dir: str | Path = "stacks") -> list[Resource]:
    """The plan's staying custom resources, each with the region its provider (or stack) would give it."""
    resources = []
    for step in plan.staying():
        if not step.custom or step.op in NOT_PLACED_OPS:
            continue
        default = plan.default_placement(step, stacks_dir)
        resources.append(Resource(urn=step.urn, type=step.type, name=step.name, inputs=step.inputs, parent=step.parent,
                                  default_location=default.region, default_location_source=default.source))
    return resources


def check_plan(plan: Plan, settings: GuardrailSettings, rules: Iterable[Rule],
               stacks_dir: str | Path = "stacks") -> CheckResult:
    """Every violation of `rules` in `plan`; leaving (delete/discard) steps are never violations."""
    resources = plan_resources(plan, stacks_dir)
    context = PlanContext(expressroute_gateway_ips=expressroute_gateway_ips(resources))
    rules = list(rules)
    violations = [violation for resource in resources
                  for violation in check_resource(resource, settings, context, rules)]
    return CheckResult(source=plan.source, resources_checked=len(resources), violations=violations)
