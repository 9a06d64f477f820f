"""Run the guardrails over a plan (`pulumi preview --json` shape, from `estate synth` or a real preview)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from estate.foundation.plan import Plan
from policies.rules import Rule, check_resource
from policies.rules.base import GuardrailSettings, PlanContext, Resource, Violation
from policies.rules.no_public_ip import expressroute_gateway_ips

# `read` steps look up a resource this stack does not manage (`Resource.get`): it places nothing, so it is
# not checked; creates, updates, replaces, imports, refreshes and unchanged resources are.
NOT_PLACED_OPS = frozenset({"read", "read-replacement"})
PREFLIGHT_PREFIX = "azure-preflight-"


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
                                  default_location=default.region, default_location_source=default.source,
                                  dependencies=frozenset(step.dependencies), op=step.op,
                                  property_dependencies={key: frozenset(urns)
                                                         for key, urns in step.property_dependencies.items()}))
    return resources


def check_plan(plan: Plan, settings: GuardrailSettings, rules: Iterable[Rule],
               stacks_dir: str | Path = "stacks", estate_fields: Mapping[str, str] | None = None,
               neighbours: Iterable[Plan] = ()) -> CheckResult:
    """Every violation of `rules` in `plan`; leaving (delete/discard) steps are never violations.

    `estate_fields` (generated Azure name -> `FILE:LINE:COL` of the estate field it is made from, see
    `estate_field_locations`) lets azure-preflight findings name the field to change. `neighbours` are the other
    plans of the same check (e.g. the platform beside a wave): azure-preflight-regions looks up a subnet or vault
    another stack creates there; they are never checked or counted here.
    """
    resources = plan_resources(plan, stacks_dir)
    reads = {step.urn: step.type for step in plan.staying() if step.op in NOT_PLACED_OPS}
    context = PlanContext(expressroute_gateway_ips=expressroute_gateway_ips(resources), resources=tuple(resources),
                          reads=reads, estate_fields=dict(estate_fields or {}),
                          neighbours=tuple(resource for other in neighbours if other is not plan
                                           for resource in plan_resources(other, stacks_dir)))
    rules = list(rules)
    by_urn = {resource.urn: resource for resource in resources}
    violations = [_with_estate_field(violation, by_urn.get(violation.urn or ""), context.estate_fields)
                  for resource in resources for violation in check_resource(resource, settings, context, rules)]
    return CheckResult(source=plan.source, resources_checked=len(resources), violations=violations)


def _with_estate_field(violation: Violation, resource: Resource | None, fields: Mapping[str, str]) -> Violation:
    if not fields or not violation.rule.startswith(PREFLIGHT_PREFIX):
        return violation
    for candidate in (violation.value, resource.azure_name if resource else None):
        where = fields.get(candidate) if isinstance(candidate, str) else None
        if where:
            return replace(violation, message=f"{violation.message} [estate field {where}]")
    return violation


def estate_field_locations(estate_path: str | Path) -> dict[str, str]:
    """Every Azure name the estate generates -> `FILE:LINE:COL` of the estate field it is made from."""
    from estate.definition.generated_names import generated_names
    from estate.definition.model import Estate
    from estate.foundation.yamlfile import read_yaml, validate

    document = read_yaml(estate_path, what="estate definition")
    estate = validate(document, Estate)
    located: dict[str, str] = {}
    for name in generated_names(estate):
        if name.name not in located:
            line, column = document.position(name.loc)
            located[name.name] = ":".join(str(part) for part in (document.file, line, column) if part is not None)
    return located
