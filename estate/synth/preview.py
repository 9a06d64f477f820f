"""Shape recorded steps into the document `pulumi preview --json` prints (its "preview digest").

What the engine adds on its own is added here the same way: a default provider per package
(`pulumi:providers:azure-native::default_3_29_0`, its inputs the package's config plus `version`), and the
provider reference `<provider urn>::<unknown id>` on every custom resource, as a first preview shows it.
Steps come in a canonical order (stack, providers, then each component followed by its children, by name),
so the same estate always gives the same bytes.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Mapping
from typing import Any

from estate.foundation.plan import UNKNOWN
from estate.synth.recorder import STACK_TYPE, RecordedStep


def default_provider_urn(stack: str, project: str, package: str, version: str) -> str:
    name = "default" + (f"_{version.replace('.', '_').replace('-', '_')}" if version else "")
    return f"urn:pulumi:{stack}::{project}::pulumi:providers:{package}::{name}"


def preview_document(steps: list[RecordedStep], stack: str, project: str,
                     config: Mapping[str, str]) -> dict[str, Any]:
    """The preview digest for one stack: config, steps in canonical order, change summary."""
    providers: dict[str, dict[str, Any]] = {}
    shaped: dict[str, dict[str, Any]] = {}
    for step in steps:
        provider = None
        if step.custom:
            provider = step.provider_request or _default_provider(step, stack, project, config, providers)
        shaped[step.urn] = _step(step, provider)
    ordered = _canonical_order(steps, shaped)
    ordered[1:1] = [providers[urn] for urn in sorted(providers)]
    return {
        "config": dict(sorted(config.items())),
        "steps": ordered,
        "changeSummary": dict(sorted(Counter(step["op"] for step in ordered).items())),
    }


def resources_by_type(document: Mapping[str, Any]) -> Counter[str]:
    """How many resources of each type a preview document creates (the stack and its providers left out)."""
    return Counter(step["newState"]["type"] for step in document["steps"]
                   if not step["newState"]["type"].startswith("pulumi:"))


def dumps(document: dict[str, Any]) -> str:
    """JSON text as the Pulumi CLI prints it (four-space indent), ending in a newline."""
    return json.dumps(document, indent=4, ensure_ascii=False) + "\n"


def _default_provider(step: RecordedStep, stack: str, project: str, config: Mapping[str, str],
                      providers: dict[str, dict[str, Any]]) -> str:
    package = step.type.split(":", 1)[0]
    urn = default_provider_urn(stack, project, package, step.version)
    if urn not in providers:
        prefix = f"{package}:"
        inputs = {key[len(prefix):]: value for key, value in sorted(config.items()) if key.startswith(prefix)}
        if step.version:
            inputs["version"] = step.version
        new_state: dict[str, Any] = {"urn": urn, "custom": True, "type": f"pulumi:providers:{package}"}
        if inputs:
            new_state["inputs"] = inputs
        providers[urn] = {"op": "create", "urn": urn, "newState": new_state}
    return f"{urn}::{UNKNOWN}"


def _step(step: RecordedStep, provider: str | None) -> dict[str, Any]:
    new_state: dict[str, Any] = {"urn": step.urn, "custom": step.custom}
    if step.id:
        new_state["id"] = step.id
    new_state["type"] = step.type
    if step.inputs:
        new_state["inputs"] = step.inputs
    if step.parent:
        new_state["parent"] = step.parent
    if step.dependencies:
        new_state["dependencies"] = step.dependencies
    if provider:
        new_state["provider"] = provider
    if step.property_dependencies:
        new_state["propertyDependencies"] = step.property_dependencies
    # As the engine's step state writes them (omitted when false).
    if step.protect:
        new_state["protect"] = True
    if step.retain_on_delete:
        new_state["retainOnDelete"] = True
    shaped: dict[str, Any] = {"op": step.op, "urn": step.urn}
    if provider:
        shaped["provider"] = provider
    shaped["newState"] = new_state
    return shaped


def _canonical_order(steps: list[RecordedStep], shaped: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    children: dict[str, list[RecordedStep]] = defaultdict(list)
    roots = []
    for step in steps:
        (children[step.parent] if step.parent else roots).append(step)
    ordered: list[dict[str, Any]] = []

    def visit(step: RecordedStep) -> None:
        ordered.append(shaped[step.urn])
        for child in sorted(children.get(step.urn, []), key=lambda s: (s.urn.rsplit("::", 1)[-1], s.urn)):
            visit(child)

    for root in sorted(roots, key=lambda s: (s.type != STACK_TYPE, s.urn)):
        visit(root)
    return ordered
