"""azure-preflight-dependencies: every resource an input refers to exists when Azure is asked for it.

An id in an input (`subnet.id`, `networkInterfaces[].id`, `sourceResourceId`, `peer.id`, ...) or a Recovery
Services vault name must be created by a resource of the plan or read from a stack output (a
`StackReference` the input depends on). A value unknown until deployment counts as the plan's only when the
input depends on a resource of the plan or a stack reference; a resource that records no dependencies at all
(a hand-written plan) cannot say where its unknowns come from, so they are not judged. Ids outside a resource
group (built-in policy definitions, subscriptions) are not checked.

A program may also read a stack output first and declare resources with its plain value (as the wave stacks do
with the platform's `regions` output), so the plan records no dependency on the reference. For a plan that reads
a `StackReference`, an id is therefore also accepted when another plan of the same check creates it (the platform
beside its waves); checked on its own, such a plan's ids that no resource of it creates are accepted as the stack
reference's (nothing in the plan can tell them apart).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from estate.foundation.plan import UNKNOWN
from policies.rules.base import MANDATORY, GuardrailSettings, PlanContext, Resource, Violation, json_path
from policies.rules.preflight.index import PlanIndex, id_key, known, plan_index, sources

NAME = "azure-preflight-dependencies"
DESCRIPTION = ("Every id (or vault name) an input refers to is created by a resource of the plan or read from a "
               "stack output.")
REMEDIATION = ("create the resource in this stack, or read it from the stack that creates it (a stack output "
               "through pulumi.StackReference) instead of writing its id or name")
STACK_REFERENCE = "pulumi:pulumi:StackReference"
VAULT_CHILD_TYPES = frozenset({"azure-native:recoveryservices:ProtectedItem",
                               "azure-native:recoveryservices:ProtectionPolicy"})


def _references(node: Any, parts: tuple) -> Iterator[tuple[tuple, str]]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            if isinstance(value, str) and (key == "id" or key.endswith(("Id", "ResourceId"))):
                yield (*parts, key), value
            elif isinstance(value, Mapping | list):
                yield from _references(value, (*parts, key))
    elif isinstance(node, list):
        for number, item in enumerate(node):
            yield from _references(item, (*parts, number))


def check(resource: Resource, settings: GuardrailSettings, context: PlanContext) -> Iterator[Violation]:
    index = plan_index(context)
    stack_reads = {urn for urn, kind in context.reads.items() if kind == STACK_REFERENCE}
    for parts, value in _references(resource.inputs, ()):
        origins = sources(resource, str(parts[0]))
        from_output = bool(origins & stack_reads) or _read_value(stack_reads, index, context, id_key(value))
        if UNKNOWN in value:
            recorded = bool(resource.dependencies or resource.property_dependencies)
            if recorded and not from_output and not any(urn in index.by_urn for urn in origins):
                yield Violation(NAME, MANDATORY, resource.urn, resource.type, json_path("inputs", *parts), value,
                                "unknown until deployment, yet it depends on no resource of this plan and no stack "
                                f"output; {REMEDIATION}")
            continue
        key = id_key(value)
        if key is None or from_output or key in index.by_key:
            continue
        yield Violation(NAME, MANDATORY, resource.urn, resource.type, json_path("inputs", *parts), value,
                        f"refers to {value}, which no resource of this plan creates and no stack output it reads "
                        f"provides; {REMEDIATION}")
    if resource.type in VAULT_CHILD_TYPES and (resource.dependencies or resource.property_dependencies):
        yield from _vault(resource, index, stack_reads, context)


def _read_value(stack_reads: set[str], index: PlanIndex, context: PlanContext, key: str | None) -> bool:
    """An id a plan that reads a stack reference may have taken from its outputs: one another plan of the check
    creates, or, with no other plan in view, any."""
    if not stack_reads or key is None:
        return False
    return not context.neighbours or key in index.elsewhere


def _vault(resource: Resource, index: PlanIndex, stack_reads: set[str], context: PlanContext) -> Iterator[Violation]:
    vault, group = resource.inputs.get("vaultName"), resource.inputs.get("resourceGroupName")
    if not (known(vault) and known(group)) or sources(resource, "vaultName") & stack_reads:
        return
    key = f"resourcegroups/{group}/providers/microsoft.recoveryservices/vaults/{vault}".lower()
    if key not in index.by_key and not _read_value(stack_reads, index, context, key):
        yield Violation(NAME, MANDATORY, resource.urn, resource.type, "inputs.vaultName", vault,
                        f"Recovery Services vault {vault!r} (resource group {group}) is created by no resource of "
                        f"this plan and read from no stack output; read the platform stack's vault name output "
                        f"instead of recomputing it")
