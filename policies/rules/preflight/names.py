"""azure-preflight-names: every name Azure is sent fits its type's rules (length, characters, start and end,
reserved words), and no two resources of the plan claim the same name in the same scope.

The rules are rows of estate/foundation/reference/azure_naming_rules.csv (from Microsoft's "Naming rules and
restrictions for Azure resources" and the REST specs' `pattern`/`maxLength`); reserved words from
azure_reserved_words.csv apply to the types with a public DNS name (Key Vault). Whether a global name (Key
Vault) is still free cannot be known offline.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from estate.foundation.reference import naming_rules, reserved_word_problem
from policies.rules.base import MANDATORY, GuardrailSettings, PlanContext, Resource, Violation
from policies.rules.preflight.index import known, plan_index, values_at
from policies.rules.supported_os import identify_os

NAME = "azure-preflight-names"
DESCRIPTION = ("Every Azure name fits its type's naming rules (length, characters, start/end, reserved words) and "
               "is unique in its scope within the plan.")
REMEDIATION = "change the estate field the name is made from (see docs/guardrails.md#azure-preflight-names)"
PUBLIC_DNS_TYPES = frozenset({"azure-native:keyvault:Vault"})


def os_family(inputs: Mapping[str, Any]) -> str | None:
    """'windows' or 'linux' for a VM's inputs: its OS profile, else its Marketplace image."""
    profile = inputs.get("osProfile")
    if isinstance(profile, Mapping):
        if "linuxConfiguration" in profile:
            return "linux"
        if "windowsConfiguration" in profile:
            return "windows"
    image = (inputs.get("storageProfile") or {}).get("imageReference") if isinstance(
        inputs.get("storageProfile"), Mapping) else None
    if isinstance(image, Mapping):
        system = identify_os(image)
        if system is not None:
            return system.family
        if "windows" in str(image.get("publisher", "")).lower():
            return "windows"
    return None


def check(resource: Resource, settings: GuardrailSettings, context: PlanContext) -> Iterator[Violation]:
    rules = naming_rules().get(resource.type, ())
    family = os_family(resource.inputs) if resource.type == "azure-native:compute:VirtualMachine" else None
    for rule in rules:
        if rule.applies_to and rule.applies_to != family:
            continue
        for path, value in values_at(resource.inputs, rule.name_input):
            if not known(value):
                continue
            problem = rule.problem(value)
            if problem is None and resource.type in PUBLIC_DNS_TYPES:
                problem = reserved_word_problem(value)
            if problem:
                yield Violation(NAME, MANDATORY, resource.urn, resource.type, path, value,
                                f"{problem}; Azure refuses it at deployment; {REMEDIATION}")
    index = plan_index(context)
    key = index.keys.get(resource.urn)
    others = index.duplicates.get(key or "", [])
    if key and resource in others and others[0].urn != resource.urn:
        name_key = resource.azure_name_key
        first = others[0]
        yield Violation(NAME, MANDATORY, resource.urn, resource.type,
                        f"inputs.{name_key}" if name_key else "inputs", resource.azure_name,
                        f"{first.urn} already declares this {resource.type.rsplit(':', 1)[-1]} (same name in the "
                        f"same scope): the second would update the first instead of creating its own; give each "
                        f"its own name")
