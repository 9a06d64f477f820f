"""The CrossGuard policies: the same rule functions as `estate check`, in pulumi-policy's types.

`pulumi preview --policy-pack policies` runs `policies/__main__.py`, which hands `policies()` to a
`PolicyPack`. Resource rules validate one resource at a time; no-public-ip is a stack rule because its
ExpressRoute exemption needs to see the gateway beside the IP. The estate (allowed regions, tags, waves,
exemptions) is the one the policy-pack config's `estateFile` names (resolved against the project root, as the
program resolves the stack's `estate:estateFile`), else $ESTATE_FILE, else the project's stacks/estate.yaml.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    PolicyProviderResource,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
    proxy,
)
from pulumi_policy.deserialize import serialize_properties

from estate.definition.loader import DEFAULT_ESTATE_FILE, load_estate
from estate.foundation.errors import EstateError
from estate.foundation.plan import UNKNOWN
from policies.rules import RULES, Rule
from policies.rules.base import ADVISORY, MANDATORY, GuardrailSettings, PlanContext, Resource, Violation
from policies.rules.no_public_ip import NAME as NO_PUBLIC_IP
from policies.rules.no_public_ip import expressroute_gateway_ips
from policies.rules.supported_os import NAME as SUPPORTED_OS

ESTATE_FILE_ENV = "ESTATE_FILE"
PACK_DIR = Path(__file__).resolve().parent
# CrossGuard gives a policy one enforcement level, so supported-os's advisory half is its own policy.
SUPPORTED_OS_ADVISORY = "supported-os-advisory"
STACK_REFERENCE = "pulumi:pulumi:StackReference"


# The policy-pack config key naming the estate (each policy declares it in its config schema), e.g. a file given
# to `pulumi preview --policy-pack policies --policy-pack-config policy-config.json` holding
# {"uk-regions-only": {"estateFile": "stacks/estate.yaml"}, ...}: the same value as the stack's estate:estateFile.
ESTATE_FILE_CONFIG = "estateFile"
CONFIG_SCHEMA = PolicyConfigSchema(properties={ESTATE_FILE_CONFIG: {
    "type": "string", "description": "The estate definition, relative to the Pulumi project root as the stack's "
                                     "estate:estateFile (default: stacks/estate.yaml)"}})
# Every kind of unknown pulumi-policy shows (its public sentinels), read as the plan's one UNKNOWN.
_UNKNOWNS = frozenset({proxy.UNKNOWN_BOOLEAN_VALUE, proxy.UNKNOWN_NUMBER_VALUE, proxy.UNKNOWN_STRING_VALUE,
                       proxy.UNKNOWN_ARRAY_VALUE, proxy.UNKNOWN_ASSET_VALUE, proxy.UNKNOWN_ARCHIVE_VALUE,
                       proxy.UNKNOWN_OBJECT_VALUE})


def estate_path(configured: str | None = None) -> Path:
    """The pack config's estateFile (resolved against the project root, as the program resolves the stack's
    estate:estateFile), else $ESTATE_FILE, else stacks/estate.yaml in the project (or beside the pack's folder)."""
    from estate.foundation.project import find_project

    project = find_project(Path.cwd())
    if configured:
        return project.resolve(configured) if project is not None else Path(configured)
    if os.environ.get(ESTATE_FILE_ENV):
        return Path(os.environ[ESTATE_FILE_ENV])
    if project is not None and project.resolve(DEFAULT_ESTATE_FILE.as_posix()).is_file():
        return project.resolve(DEFAULT_ESTATE_FILE.as_posix())
    if DEFAULT_ESTATE_FILE.is_file():
        return DEFAULT_ESTATE_FILE
    return PACK_DIR.parent / DEFAULT_ESTATE_FILE


@cache
def _settings_of(path: Path) -> GuardrailSettings:
    return GuardrailSettings.from_estate(load_estate(path))


def pack_settings(configured: str | None = None) -> GuardrailSettings:
    """The guardrail settings of the estate, read once per estate file per policy-pack process."""
    return _settings_of(estate_path(configured))


pack_settings.cache_clear = _settings_of.cache_clear  # type: ignore[attr-defined]


def plain(props: Any) -> Any:
    """pulumi-policy's unknown-checking proxies as plain data, every kind of unknown as the plan's UNKNOWN."""
    return _unknowns_as_plan_sentinel(serialize_properties(props) if props is not None else {})


def _unknowns_as_plan_sentinel(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _unknowns_as_plan_sentinel(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_unknowns_as_plan_sentinel(item) for item in value]
    return UNKNOWN if isinstance(value, str) and value in _UNKNOWNS else value


def _resource(resource_type: str, urn: str, name: str, props: Any, parent: str | None,
              provider: PolicyProviderResource | None) -> Resource:
    provider_props = plain(provider.props) if provider is not None else {}
    location = provider_props.get("location")
    return Resource(urn=urn, type=resource_type, name=name, inputs=plain(props), parent=parent,
                    default_location=location if isinstance(location, str) and location != UNKNOWN else None,
                    default_location_source=f"its provider {provider.name}'s location" if provider else "")


def resource_from_args(args: ResourceValidationArgs) -> Resource:
    """A resource under validation, as the rules see it."""
    parent = args.opts.parent if args.opts is not None else None
    return _resource(args.resource_type, args.urn, args.name, args.props, parent, args.provider)


def resource_from_stack(resource: PolicyResource) -> Resource:
    parent = resource.parent.urn if resource.parent is not None else (resource.opts.parent if resource.opts else None)
    made = _resource(resource.resource_type, resource.urn, resource.name, resource.props, parent, resource.provider)
    by_property = {key: frozenset(dependency.urn for dependency in dependencies)
                   for key, dependencies in (getattr(resource, "property_dependencies", None) or {}).items()}
    return dataclasses.replace(made, dependencies=frozenset(dependency.urn for dependency in resource.dependencies),
                               property_dependencies=by_property)


def _report(violation: Violation, report: ReportViolation, urn: str | None = None) -> None:
    report(f"{violation.path} = {violation.value!r}: {violation.message}", urn)


def _settings_or_report(args: Any, report: ReportViolation) -> GuardrailSettings | None:
    configured = _configured_estate(args)
    try:
        return pack_settings(configured)
    except EstateError as error:
        report(f"estate-guardrails cannot read the estate ({estate_path(configured)}): {error.message}; "
               f"set the policy-pack config {ESTATE_FILE_CONFIG} (or {ESTATE_FILE_ENV}) to the estate definition",
               None)
        return None


def _configured_estate(args: Any) -> str | None:
    get_config = getattr(args, "get_config", None)
    config = get_config() if callable(get_config) else None
    value = config.get(ESTATE_FILE_CONFIG) if isinstance(config, Mapping) else None
    return value if isinstance(value, str) and value else None


def resource_validator(rule: Rule, enforcement: str | None = None) -> Callable[..., None]:
    """A CrossGuard resource validation running `rule` (only its violations of `enforcement`, if given)."""

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        settings = _settings_or_report(args, report_violation)
        if settings is None:
            return
        for violation in rule.check(resource_from_args(args), settings, PlanContext()):
            if enforcement is None or violation.enforcement == enforcement:
                _report(violation, report_violation)

    return validate


def stack_validator(rule: Rule) -> Callable[..., None]:
    """A CrossGuard stack validation running `rule` with the whole stack in view."""

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        settings = _settings_or_report(args, report_violation)
        if settings is None:
            return
        everything = [resource_from_stack(resource) for resource in args.resources]
        reads = {resource.urn: resource.type for resource in everything if resource.type == STACK_REFERENCE}
        resources = [resource for resource in everything
                     if resource.urn not in reads and not resource.type.startswith("pulumi:providers:")]
        dependencies = {resource.urn: [dependency.urn for dependency in resource.dependencies]
                        for resource in args.resources}
        context = PlanContext(expressroute_gateway_ips=expressroute_gateway_ips(resources, dependencies),
                              resources=tuple(resources), reads=reads)
        for resource in resources:
            for violation in rule.check(resource, settings, context):
                _report(violation, report_violation, resource.urn)

    return validate


def policies() -> list[Policy]:
    """The pack's policies, in rule order."""
    made: list[Policy] = []
    for rule in RULES.values():
        common = {"description": rule.description, "remediation_steps": rule.remediation,
                  "enforcement_level": EnforcementLevel.MANDATORY, "config_schema": CONFIG_SCHEMA}
        if rule.name == NO_PUBLIC_IP or rule.whole_plan:
            made.append(StackValidationPolicy(name=rule.name, validate=stack_validator(rule), **common))
        elif rule.name == SUPPORTED_OS:
            made.append(ResourceValidationPolicy(name=rule.name, validate=resource_validator(rule, MANDATORY),
                                                 **common))
            made.append(ResourceValidationPolicy(
                name=SUPPORTED_OS_ADVISORY, validate=resource_validator(rule, ADVISORY),
                description="A VM's operating system reaches end of support within 12 months of its go-live.",
                remediation_steps=rule.remediation, enforcement_level=EnforcementLevel.ADVISORY,
                config_schema=CONFIG_SCHEMA))
        else:
            made.append(ResourceValidationPolicy(name=rule.name, validate=resource_validator(rule), **common))
    return made
