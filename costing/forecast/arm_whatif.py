"""An adapter from ARM What-If documents to plan resources, so the cost registry prices ARM deployments too.

ARM What-If (`az deployment group what-if --no-pretty-print`) lists `changes[]` with `changeType` and the
resource `after` a deployment. azure-native flattens ARM's `properties` into the resource's inputs, so the
adapter does the same and names the type with its azure-native token; the registry then sees exactly what a
Pulumi plan of the same resource would show.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from costing.forecast.arm_types import token_of
from estate.foundation.errors import PlanError
from estate.foundation.jsonfile import read_json
from estate.foundation.plan import Plan, PlanResource

# What-If change types after which the resource exists.
STAYING = {"Create": "create", "Modify": "update", "NoChange": "same", "Deploy": "create", "Ignore": "same"}


def load_what_if(path: str | Path, stack: str = "arm") -> Plan:
    """Read an ARM What-If JSON document as a plan (unknown ARM types keep their ARM type name)."""
    source = str(path)
    document = read_json(path, what="ARM What-If result",
                         fix="write it again with `az deployment group what-if --no-pretty-print`")
    changes = document.get("changes") if isinstance(document, dict) else None
    if not isinstance(changes, list):
        raise PlanError(f"{source}: not an ARM What-If result: no `changes` list", file=source)
    resources = []
    for index, change in enumerate(changes):
        if not isinstance(change, dict):
            raise PlanError(f"{source}: changes[{index}] is not an object; the What-If result is damaged, "
                            "write it again", file=source)
        properties = (change.get("after") or {}).get("properties") if isinstance(change.get("after"), dict) else None
        if properties is not None and not isinstance(properties, dict):
            raise PlanError(f"{source}: changes[{index}].after.properties must be an object; the What-If result "
                            "is damaged, write it again", file=source)
        op = STAYING.get(str(change.get("changeType")))
        after = change.get("after")
        if op is None or not isinstance(after, dict):
            continue
        resources.append(_resource(after, op, index, stack))
    return Plan(source=source, resources=resources, config={})


def _resource(after: dict[str, Any], op: str, index: int, stack: str) -> PlanResource:
    arm_type = str(after.get("type") or "")
    token = token_of(arm_type) or arm_type
    inputs = {key: value for key, value in after.items() if key not in ("properties", "id", "apiVersion", "type")}
    inputs.update(after.get("properties") or {})
    name = str(after.get("name") or f"resource-{index}")
    urn = f"urn:pulumi:{stack}::arm::{token}::{name}"
    return PlanResource(op=op, urn=urn, type=token, inputs=inputs, custom=True, parent=None, provider=None,
                        index=index)
