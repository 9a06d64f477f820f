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

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from estate.foundation.errors import InputError, PlanError
from estate.foundation.jsonfile import parse_json
from estate.foundation.limits import PLAN_MIB, read_text_bounded
from estate.foundation.yamlfile import load_yaml_data

# The string Pulumi prints for a value that is not known until the resource exists.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
# The stack setting that gives resources without a `location` (and providers without one) their region.
LOCATION_CONFIG = "azure-native:location"
# The stack setting naming the estate definition a plan was made from.
ESTATE_FILE_CONFIG = "estate:estateFile"
PROVIDER_TYPE_PREFIX = "pulumi:providers:"
# Steps that remove a resource: never a violation, never a cost.
LEAVING_OPS = frozenset({"delete", "discard", "delete-replaced", "read-discard", "discard-replaced",
                         "remove-pending-replace"})

# The steps Pulumi prints for one resource being replaced: these may share a URN.
REPLACEMENT_OPS = frozenset({"create-replacement", "replace", "delete-replaced", "import-replacement",
                             "read-replacement", "discard-replaced"})


class InputsView:
    """What every reader asks of a resource's inputs, one way: its tags and its name in Azure. Mixed into the plan
    reader's `PlanResource` and the guardrails' `Resource` (each has `type` and `inputs`)."""

    type: str
    inputs: Mapping[str, Any]

    @property
    def tags(self) -> Mapping[str, Any]:
        """The resource's `tags` input (empty when it sets none or they are not an object)."""
        tags = self.inputs.get("tags")
        return tags if isinstance(tags, Mapping) else {}

    @property
    def azure_name(self) -> str | None:
        """The resource's name in Azure: the `<type>Name` input (e.g. `publicIpAddressName`), if set."""
        return azure_name_of(self.type, self.inputs)[1]

    @property
    def azure_name_key(self) -> str | None:
        """The input key holding the Azure name, if any."""
        return azure_name_of(self.type, self.inputs)[0]


@dataclass(frozen=True)
class PlanResource(InputsView):
    """One step of a plan, reduced to what checks and costing read."""

    op: str
    urn: str
    type: str
    inputs: Mapping[str, Any]
    custom: bool
    parent: str | None
    provider: str | None
    index: int
    # URNs this resource depends on (`dependencies`), and per input the URNs its value came from.
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

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
        """Resources that exist after the plan is applied (creates, updates, replaces, unchanged), once each: a
        replacement's `create-replacement` and `replace` steps are one resource, checked and priced once."""
        replaced: set[str] = set()
        for resource in self.resources:
            if resource.leaving:
                continue
            if resource.op in REPLACEMENT_OPS:
                if resource.urn in replaced:
                    continue
                replaced.add(resource.urn)
            yield resource

    @cached_property
    def providers(self) -> dict[str, PlanResource]:
        return {step.urn: step for step in self.resources if step.type.startswith(PROVIDER_TYPE_PREFIX)}

    @property
    def estate_file(self) -> str | None:
        """The estate definition the plan was made from (its `estate:estateFile` setting), if it says."""
        return _config_text(self.config, ESTATE_FILE_CONFIG)

    def placement(self, resource: PlanResource, stacks_dir: str | Path | None = None) -> Placement:
        """Where `resource` lands: its own `location`, else the region its provider (or stack) gives it."""
        location = resource.inputs.get("location")
        if location is not None:
            return Placement(location if isinstance(location, str) else None, "inputs.location", declared=True)
        return self.default_placement(resource, stacks_dir)

    def default_placement(self, resource: PlanResource, stacks_dir: str | Path | None = None) -> Placement:
        """The region a resource that sets no `location` lands in: its explicit provider's `location`, else the
        stack config `azure-native:location` the plan carries, else the one in `STACKS_DIR/Pulumi.<stack>.yaml`."""
        provider = self.providers.get(resource.provider_urn or "")
        if provider is not None and isinstance(provider.inputs.get("location"), str):
            return Placement(provider.inputs["location"], f"its provider {provider.name}'s location")
        configured = _config_text(self.config, LOCATION_CONFIG)
        if configured:
            return Placement(configured, f"the stack config {LOCATION_CONFIG}")
        if stacks_dir is not None:
            from_file = stack_file_location(str(stacks_dir), resource.stack)
            if from_file:
                stack_file = Path(stacks_dir) / f"Pulumi.{resource.stack}.yaml"
                return Placement(from_file, f"{LOCATION_CONFIG} of {stack_file}")
        return Placement(None, "")

    @property
    def stacks(self) -> list[str]:
        return sorted({resource.stack for resource in self.resources})


@dataclass(frozen=True)
class Placement:
    """A resource's region as written (not normalised) and where it comes from; `declared` when the resource
    sets it itself. `region` is None when nothing gives one, or when `location` is not a string."""

    region: str | None
    source: str
    declared: bool = False


def _config_text(config: Mapping[str, Any], key: str) -> str | None:
    value = config.get(key)
    if isinstance(value, Mapping):  # `pulumi preview --json` may carry {"value": ..., "secret": ...}
        value = value.get("value")
    return value if isinstance(value, str) else None


@cache
def stack_file_location(stacks_dir: str, stack: str) -> str | None:
    """`azure-native:location` from STACKS_DIR/Pulumi.<stack>.yaml, if that file sets it."""
    path = Path(stacks_dir) / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        return None
    try:
        document = load_yaml_data(path, what="Pulumi stack settings")
    except InputError:
        return None
    config = document.get("config") if isinstance(document, dict) else None
    return _config_text(config, LOCATION_CONFIG) if isinstance(config, dict) else None


def azure_name_of(resource_type: str, inputs: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(input key, value) of the `<type>Name` input, else of the only `...Name` input other than the group's."""
    wanted = resource_type.rsplit(":", 1)[-1].lower() + "name"
    names = {key: value for key, value in inputs.items()
             if isinstance(value, str) and key.lower().endswith("name") and key != "resourceGroupName"}
    for key, value in names.items():
        if key.lower() == wanted:
            return key, value
    return next(iter(names.items())) if len(names) == 1 else (None, None)


def estate_file_of(plans: Iterable[Plan], given: str | Path | None = None, *, strict: bool = False) -> Path | None:
    """The estate definition behind plans: `given` (`--estate`), else the first plan's `estate:estateFile`,
    resolved against the Pulumi project root (the nearest `Pulumi.yaml` above the working folder) exactly as the
    program resolves it; None when no plan names one. A named file that is not there is skipped, or with `strict`
    an `InputError` naming the plan: never a silent fall-back to another estate."""
    from estate.foundation.project import find_project

    if given:
        return Path(given)
    project = None
    for plan in plans:
        named = plan.estate_file
        if not named:
            continue
        project = project or find_project(Path.cwd())
        resolved = project.resolve(named) if project is not None else Path(named)
        if resolved.is_file():
            return resolved
        if strict:
            raise PlanError(f"{plan.source}: its config names {ESTATE_FILE_CONFIG} {named!r}, which is not a file "
                            f"({resolved}); run estate check from the project the plan came from, or give the "
                            "estate with --estate FILE", file=plan.source)
    return None


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
        raise PlanError(f"{source}: the plan is empty; write it with `estate synth STACK` or "
                        "`pulumi preview --json > plan.json`", file=source)
    document = parse_json(text, source, what="plan",
                          fix="write the plan again with `estate synth` or `pulumi preview --json`")
    if not isinstance(document, dict) or not isinstance(document.get("steps"), list):
        raise PlanError(f"{source}: not a plan: a plan is a JSON object with a `steps` list, as "
                        "`pulumi preview --json` prints", file=source)
    config = document.get("config") or {}
    if not isinstance(config, dict):
        raise PlanError(f"{source}: `config` must be an object of stack settings", file=source)
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
            raise PlanError(f"{source}: steps[{resource.index}] ({resource.op}) repeats the resource of "
                            f"steps[{clash.index}] ({clash.op} {resource.urn}); a plan has one step per resource "
                            "(it would be checked and priced twice), write the plan again", file=source)
        earlier.append(resource)


def _step(step: Any, index: int, source: str) -> PlanResource:
    where = f"{source}: steps[{index}]"
    if not isinstance(step, dict):
        raise PlanError(f"{where} is not an object; the plan is damaged, write it again", file=source)
    op = step.get("op")
    urn = step.get("urn")
    if not isinstance(op, str) or not isinstance(urn, str):
        raise PlanError(f"{where} has no `op` or `urn`; the plan is damaged, write it again", file=source)
    try:
        urn_parts(urn)
    except ValueError:
        raise PlanError(f"{where}: {urn!r} is not a Pulumi URN (urn:pulumi:STACK::PROJECT::TYPE::NAME); "
                        "the plan is damaged, write it again", file=source) from None
    state = step.get("newState") if op not in LEAVING_OPS else (step.get("oldState") or step.get("newState"))
    if not isinstance(state, dict):
        raise PlanError(f"{where} ({op} {urn}) has no resource state (`newState`/`oldState`); "
                        "the plan is incomplete, write it again", file=source)
    resource_type = state.get("type")
    if not isinstance(resource_type, str):
        try:
            resource_type = urn_parts(urn)[2].rsplit("$", 1)[-1]
        except ValueError:
            raise PlanError(f"{where}: {urn!r} is not a Pulumi URN", file=source) from None
    inputs = state.get("inputs") or {}
    if not isinstance(inputs, dict):
        raise PlanError(f"{where}: `inputs` of {urn} must be an object", file=source)
    dependencies = state.get("dependencies") or []
    by_property = state.get("propertyDependencies") or {}
    return PlanResource(
        op=op, urn=urn, type=resource_type, inputs=inputs, custom=bool(state.get("custom", True)),
        parent=state.get("parent") or None, provider=state.get("provider") or step.get("provider") or None,
        index=index,
        dependencies=tuple(str(each) for each in dependencies) if isinstance(dependencies, list) else (),
        property_dependencies={str(key): tuple(str(each) for each in value) for key, value in by_property.items()
                               if isinstance(value, list)} if isinstance(by_property, dict) else {},
    )
