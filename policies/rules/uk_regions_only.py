"""uk-regions-only: every resource, and every region named anywhere in its inputs, in the allowed regions.

Mirrors the built-in Azure Policy *Allowed locations* (e56962a6-...): `global` is allowed, and so are types
that have no region (the SDK gives them no `location`) and Azure AD B2C directories, which the built-in
policy also leaves out. A resource that sets no location lands in its provider's default region, so that
effective region is checked too. Fields that name sites rather than regions (ExpressRoute
`peeringLocation`, e.g. `London`) and free-text tags are never read as regions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from estate.foundation.plan import UNKNOWN
from estate.foundation.reference import normalise_region
from policies.rules import sdk
from policies.rules.base import MANDATORY, GuardrailSettings, PlanContext, Resource, Violation, json_path

NAME = "uk-regions-only"
DESCRIPTION = "Every resource stays in the estate's allowed UK regions (uksouth, ukwest by default)."
REMEDIATION = "set location (and any secondary, replica or failover location) to an allowed region, or `global`."

# Keys whose value is a region, or a list or object of regions: location, locations, secondaryLocation,
# failoverRegion, locationName, listOfAllowedLocations, ...
_REGION_KEY = re.compile(r"(location|region)s?(name)?$", re.IGNORECASE)
# Inside a region-valued key, these wrappers still hold regions (ARM parameters `{"value": [...]}`, `{"name": ...}`).
# Keys that end like a region key but hold a switch or a count (`enableMultipleWriteLocations`, `isRegional`).
_FLAG_PREFIXES = ("enable", "disable", "is", "has", "allow", "use", "max", "min", "num", "count")
_WRAPPER_KEYS = frozenset({"value", "name"})
# Sites and free text, never regions: ExpressRoute peering locations are buildings (`London`), tags are prose.
_NOT_REGION_KEYS = frozenset({"peeringlocation", "peeringlocations", "tags"})
# Types the built-in Allowed locations policy leaves out (their `location` is a geography, not a region).
REGIONLESS_TYPES = frozenset({"azure-native:azureactivedirectory:B2CTenant"})


def region_problem(value: Any, allowed: Sequence[str]) -> str | None:
    """Why `value` is not an allowed region, or None if it is (any spelling; `global` always allowed).

    Fails closed: a number, true/false, a list or an object where a region belongs is a problem, not a pass.
    """
    if not isinstance(value, str):
        return f"{value!r} ({_json_kind(value)}) is not a region name"
    if value == UNKNOWN or value.strip().lower() == "global":
        return None
    region = normalise_region(value)
    if region is None:
        return f"{value!r} is not an Azure region"
    if region not in allowed:
        shown = value if value == region else f"{value} ({region})"
        return f"{shown} is outside the allowed regions ({', '.join(allowed)})"
    return None


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def region_inputs(node: Any, path: str = "inputs") -> Iterator[tuple[str, str]]:
    """Every (JSON path, value) in `node` that names a region."""
    for parts, value in _region_values(node, (), False):
        yield json_path(path, *parts), value


def _region_values(node: Any, parts: tuple[str | int, ...], in_region: bool) -> Iterator[tuple[tuple, str]]:
    # Plain dicts and lists (plans are JSON; the pack unwraps its proxies): cheaper than the ABC checks.
    if isinstance(node, dict):
        for key, value in node.items():
            key_text = str(key)
            lowered = key_text.lower()
            if lowered in _NOT_REGION_KEYS:
                continue
            is_region = bool(_REGION_KEY.search(key_text)) or (in_region and lowered in _WRAPPER_KEYS)
            if is_region and isinstance(value, bool | int | float) and lowered.startswith(_FLAG_PREFIXES):
                continue  # `enableMultipleWriteLocations: false` is a switch about regions, not a region
            if isinstance(value, list) and _REGION_KEY.search(key_text) and not lowered.endswith(("s", "sname")):
                yield (*parts, key_text), value  # one region expected (`location`), several given
            elif is_region or isinstance(value, dict | list):
                yield from _region_values(value, (*parts, key_text), is_region)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            if in_region or isinstance(item, dict | list):
                yield from _region_values(item, (*parts, index), in_region)
    elif in_region and node is not None:
        yield parts, node  # a string is judged by its name; anything else is not a region (fail closed)


def check(resource: Resource, settings: GuardrailSettings, context: PlanContext) -> Iterator[Violation]:
    """Violations of uk-regions-only by one resource."""
    if resource.type in REGIONLESS_TYPES:
        return
    allowed = settings.allowed_regions
    for path, value in region_inputs(resource.inputs):
        problem = region_problem(value, allowed)
        if problem:
            yield Violation(NAME, MANDATORY, resource.urn, resource.type, path, value,
                            f"{problem}; {REMEDIATION}")
    location = resource.inputs.get("location")
    if location is None and resource.default_location and sdk.has_location(resource.type):
        problem = region_problem(resource.default_location, allowed)
        if problem:
            yield Violation(NAME, MANDATORY, resource.urn, resource.type, "inputs.location",
                            resource.default_location,
                            f"sets no location, so it lands in {resource.default_location_source or 'the default'}"
                            f" {resource.default_location!r}: {problem}; set location explicitly or change the "
                            "provider's location")
