"""required-tags: the estate's mandatory tags present and non-empty on every taggable resource.

Taggable means the azure-native SDK gives the type a `tags` argument (see `policies.rules.sdk`). Tags that
describe a migrated server (`tags.server_only`: application, migration-strategy, reservation) are required on
servers, their NICs and disks only, as the plans carry them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from estate.foundation.plan import UNKNOWN
from policies.rules import sdk
from policies.rules.base import MANDATORY, GuardrailSettings, PlanContext, Resource, Violation, json_path

NAME = "required-tags"
DESCRIPTION = "Every taggable resource carries the estate's mandatory tags (business-case-line, wave, ...)."
REMEDIATION = "add the tag with a non-empty value; it ties Azure spend back to the business case."
SERVER_TYPES = frozenset({
    "azure-native:compute:VirtualMachine",
    "azure-native:compute:VirtualMachineScaleSet",
    "azure-native:compute:Disk",
    "azure-native:network:NetworkInterface",
})


def required_for(resource_type: str, settings: GuardrailSettings) -> list[str]:
    """The mandatory tags a resource of this type must carry."""
    if resource_type in SERVER_TYPES:
        return list(settings.mandatory_tags)
    return [tag for tag in settings.mandatory_tags if tag not in settings.server_only_tags]


def missing_tags(tags: Mapping[str, Any], required: Sequence[str]) -> list[tuple[str, str]]:
    """(tag, what is wrong) for each required tag that is absent or empty; unknown values count as set."""
    problems = []
    for tag in required:
        value = tags.get(tag)
        if value is None:
            problems.append((tag, f"missing mandatory tag {tag!r}"))
        elif value != UNKNOWN and (not isinstance(value, str) or not value.strip()):
            problems.append((tag, f"mandatory tag {tag!r} is empty"))
    return problems


def check(resource: Resource, settings: GuardrailSettings, context: PlanContext) -> Iterator[Violation]:
    """Violations of required-tags by one resource."""
    if not sdk.taggable(resource.type) or settings.exemption(NAME, resource):
        return
    tags = resource.inputs.get("tags")
    if tags == UNKNOWN:
        return  # computed at deployment: nothing to read before it
    if not isinstance(tags, Mapping):
        tags = {}
    for tag, problem in missing_tags(tags, required_for(resource.type, settings)):
        yield Violation(NAME, MANDATORY, resource.urn, resource.type, json_path("inputs.tags", tag), tags.get(tag),
                        f"{problem}; {REMEDIATION}")
