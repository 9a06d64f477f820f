"""The plan format and its one reader: the JSON that `pulumi preview --json` prints.

`estate synth` writes exactly this shape, so policy checks and cost synthesis read a real preview and an
offline one the same way. The shape (Pulumi's preview digest):

    {"config": {"azure-native:location": "uksouth", ...},
     "steps": [{"op": "create", "urn": "urn:pulumi:<stack>::<project>::<type chain>::<name>",
                "provider": "<provider urn>::<id>",
                "newState": {"urn", "custom", "type", "inputs", "parent", "provider", ...},
                "oldState": {...}}],            # oldState only on updates, replaces and deletes
     "changeSummary": {"create": 3, ...}}

Unknown values (outputs not known until deployment) are Pulumi's unknown sentinel, `UNKNOWN`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from estate.foundation.errors import InputError
from estate.foundation.jsonfile import parse_json
from estate.foundation.limits import PLAN_MIB, read_text_bounded

# The string Pulumi prints for a value that is not known until the resource exists.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
# Steps after which the resource exists (or goes on existing): these are checked and priced.
STAYING_OPS = frozenset({"create", "update", "replace", "same", "create-replacement", "import", "import-replacement",
                         "refresh", "read", "read-replacement"})
# Steps that remove a resource: never a violation, never a cost.
LEAVING_OPS = frozenset({"delete", "discard", "delete-replaced", "read-discard", "discard-replaced",
                         "remove-pending-replace"})

# The steps Pulumi prints for one resource being replaced: these may share a URN.
REPLACEMENT_OPS = frozenset({"create-replacement", "replace", "delete-replaced", "import-replacement",
                             "read-replacement", "discard-replaced"})


@dataclass(frozen=True)
class PlanResource:
    """One step of a plan, reduced to what checks and costing read."""

    op: str
    urn: str
    type: str
    inputs: Mapping[str, Any]
    custom: bool
    parent: str | None
    provider: str | None
    index: int

    @property
    def name(self) -> str:
        return self.urn.rsplit("::", 1)[-1]

    @property
    def stack(self) -> str:
        return urn_parts(self.urn)[0]

    @property
    def leaving(self) -> bool:
        return self.op in LEAVING_OPS

    @property
    def provider_urn(self) -> str | None:
        """The provider reference without its `::<id>` suffix."""
        if not self.provider:
            return None
        head, _, _ = self.provider.rpartition("::")
        return head or self.provider


@dataclass(frozen=True)
class Plan:
    """A whole plan: its steps in order, the stack config it was previewed with, and where it came from."""

    source: str
    resources: list[PlanResource]
    config: Mapping[str, Any] = field(default_factory=dict)

    def staying(self) -> Iterator[PlanResource]:
        """Resources that exist after the plan is applied (creates, updates, replaces, unchanged)."""
        return (resource for resource in self.resources if not resource.leaving)

    def by_urn(self) -> dict[str, PlanResource]:
        return {resource.urn: resource for resource in self.resources}

    @property
    def stacks(self) -> list[str]:
        return sorted({resource.stack for resource in self.resources})


def urn_parts(urn: str) -> tuple[str, str, str, str]:
    """`urn:pulumi:stack::project::parent$type::name` -> (stack, project, type chain, name)."""
    try:
        prefix, project, type_chain, name = urn.split("::", 3)
        stack = prefix.split(":", 2)[2]
    except (ValueError, IndexError):
        raise ValueError(f"{urn!r} is not a Pulumi URN") from None
    return stack, project, type_chain, name


def load_plan(path: str | Path) -> Plan:
    """Read a plan file; anything unreadable or not plan-shaped is an `InputError` naming the file."""
    source = str(path)
    text = read_text_bounded(path, what="plan", limit=PLAN_MIB,
                             hint=" written by `estate synth` or `pulumi preview --json`")
    return parse_plan(text, source)


def parse_plan(text: str, source: str = "<plan>") -> Plan:
    """Parse plan JSON text; see `load_plan`."""
    if not text.strip():
        raise InputError(f"{source}: the plan is empty; write it with `estate synth STACK` or "
                         "`pulumi preview --json > plan.json`", file=source)
    document = parse_json(text, source, what="plan",
                          fix="write the plan again with `estate synth` or `pulumi preview --json`")
    if not isinstance(document, dict) or not isinstance(document.get("steps"), list):
        raise InputError(f"{source}: not a plan: a plan is a JSON object with a `steps` list, as "
                         "`pulumi preview --json` prints", file=source)
    config = document.get("config") or {}
    if not isinstance(config, dict):
        raise InputError(f"{source}: `config` must be an object of stack settings", file=source)
    resources = [_step(step, index, source) for index, step in enumerate(document["steps"])]
    _refuse_repeated_steps(resources, source)
    return Plan(source=source, resources=resources, config=config)


def _refuse_repeated_steps(resources: list[PlanResource], source: str) -> None:
    """One step per resource, except the steps of one replacement (create-replacement, replace, delete-replaced)."""
    seen: dict[str, list[PlanResource]] = {}
    for resource in resources:
        earlier = seen.setdefault(resource.urn, [])
        clash = next((other for other in earlier if other.op == resource.op
                      or resource.op not in REPLACEMENT_OPS or other.op not in REPLACEMENT_OPS), None)
        if clash is not None:
            raise InputError(f"{source}: steps[{resource.index}] ({resource.op}) repeats the resource of "
                             f"steps[{clash.index}] ({clash.op} {resource.urn}); a plan has one step per resource "
                             "(it would be checked and priced twice), write the plan again", file=source)
        earlier.append(resource)


def _step(step: Any, index: int, source: str) -> PlanResource:
    where = f"{source}: steps[{index}]"
    if not isinstance(step, dict):
        raise InputError(f"{where} is not an object; the plan is damaged, write it again", file=source)
    op = step.get("op")
    urn = step.get("urn")
    if not isinstance(op, str) or not isinstance(urn, str):
        raise InputError(f"{where} has no `op` or `urn`; the plan is damaged, write it again", file=source)
    try:
        urn_parts(urn)
    except ValueError:
        raise InputError(f"{where}: {urn!r} is not a Pulumi URN (urn:pulumi:STACK::PROJECT::TYPE::NAME); "
                         "the plan is damaged, write it again", file=source) from None
    state = step.get("newState") if op not in LEAVING_OPS else (step.get("oldState") or step.get("newState"))
    if not isinstance(state, dict):
        raise InputError(f"{where} ({op} {urn}) has no resource state (`newState`/`oldState`); "
                         "the plan is incomplete, write it again", file=source)
    resource_type = state.get("type")
    if not isinstance(resource_type, str):
        try:
            resource_type = urn_parts(urn)[2].rsplit("$", 1)[-1]
        except ValueError:
            raise InputError(f"{where}: {urn!r} is not a Pulumi URN", file=source) from None
    inputs = state.get("inputs") or {}
    if not isinstance(inputs, dict):
        raise InputError(f"{where}: `inputs` of {urn} must be an object", file=source)
    return PlanResource(
        op=op, urn=urn, type=resource_type, inputs=inputs, custom=bool(state.get("custom", True)),
        parent=state.get("parent") or None, provider=state.get("provider") or step.get("provider") or None,
        index=index,
    )
