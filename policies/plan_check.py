"""Run the guardrails over a plan (`pulumi preview --json` shape, from `estate synth` or a real preview)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from estate.foundation.errors import InputError
from estate.foundation.plan import Plan, PlanResource
from estate.foundation.yamlfile import load_yaml_data
from policies.rules import Rule, check_resource
from policies.rules.base import GuardrailSettings, PlanContext, Resource, Violation
from policies.rules.no_public_ip import expressroute_gateway_ips

PROVIDER_TYPE_PREFIX = "pulumi:providers:"
# `read` steps look up a resource this stack does not manage (`Resource.get`): it places nothing, so it is
# not checked; creates, updates, replaces, imports, refreshes and unchanged resources are.
NOT_PLACED_OPS = frozenset({"read", "read-replacement"})
LOCATION_CONFIG = "azure-native:location"


@dataclass
class CheckResult:
    """What one check found: how many resources (or definition items) it read, and every violation."""

    source: str
    resources_checked: int
    violations: list[Violation] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(violation.mandatory for violation in self.violations)


@cache
def stack_file_location(stacks_dir: str, stack: str) -> str | None:
    """`azure-native:location` from stacks/Pulumi.<stack>.yaml, if that file sets it."""
    path = Path(stacks_dir) / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        return None
    try:
        document = load_yaml_data(path, what="Pulumi stack settings")
    except InputError:
        return None
    config = document.get("config") if isinstance(document, dict) else None
    value = config.get(LOCATION_CONFIG) if isinstance(config, dict) else None
    if isinstance(value, dict):
        value = value.get("value")
    return value if isinstance(value, str) else None


def _config_location(config: Mapping[str, Any]) -> str | None:
    value = config.get(LOCATION_CONFIG)
    if isinstance(value, Mapping):
        value = value.get("value")
    return value if isinstance(value, str) else None


def plan_resources(plan: Plan, stacks_dir: str | Path = "stacks") -> list[Resource]:
    """The plan's staying custom resources, each with the region its provider would give it."""
    providers = {step.urn: step for step in plan.resources if step.type.startswith(PROVIDER_TYPE_PREFIX)}
    config_location = _config_location(plan.config)
    resources = []
    for step in plan.staying():
        if not step.custom or step.op in NOT_PLACED_OPS:
            continue
        location, source = _default_location(step, providers, config_location, str(stacks_dir))
        resources.append(Resource(urn=step.urn, type=step.type, name=step.name, inputs=step.inputs, parent=step.parent,
                                  default_location=location, default_location_source=source))
    return resources


def _default_location(step: PlanResource, providers: Mapping[str, PlanResource], config_location: str | None,
                      stacks_dir: str) -> tuple[str | None, str]:
    provider = providers.get(step.provider_urn or "")
    if provider is not None and isinstance(provider.inputs.get("location"), str):
        return provider.inputs["location"], f"its provider {provider.name}'s location"
    if config_location:
        return config_location, f"the stack config {LOCATION_CONFIG}"
    stack_location = stack_file_location(stacks_dir, step.stack)
    if stack_location:
        return stack_location, f"{LOCATION_CONFIG} of {Path(stacks_dir) / f'Pulumi.{step.stack}.yaml'}"
    return None, ""


def check_plan(plan: Plan, settings: GuardrailSettings, rules: Iterable[Rule],
               stacks_dir: str | Path = "stacks") -> CheckResult:
    """Every violation of `rules` in `plan`; leaving (delete/discard) steps are never violations."""
    resources = plan_resources(plan, stacks_dir)
    context = PlanContext(expressroute_gateway_ips=expressroute_gateway_ips(resources))
    rules = list(rules)
    violations = [violation for resource in resources
                  for violation in check_resource(resource, settings, context, rules)]
    return CheckResult(source=plan.source, resources_checked=len(resources), violations=violations)
