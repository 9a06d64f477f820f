"""The mock runtime's monitor and mocks: answer the program like the engine would, and record every step.

`RecordingMonitor` is Pulumi's `MockMonitor` with a notebook: each registration is written down as a
`pulumi preview --json` step (type, parent, provider, camelCase inputs, dependencies).

A resource is answered as a real engine answers it on a stack's first preview (nothing deployed yet): no id, and
as outputs only its inputs (the azure-native provider's preview of a create: the inputs projected to outputs,
every other output, `name` included, unknown). The SDK then resolves the id and every output the answer leaves
out as unknown (`pulumi/runtime/resource.py`: an empty id is unknown; `rpc.resolve_properties`: during a preview a
property the answer lacks is unknown), so an input computed from another resource's id is the unknown sentinel
in the plan, its property dependency naming where it comes from. With `fast=True` the monitor answers by echoing
the inputs it was sent, instead of the stock round trip (decode the inputs, call `Mocks.new_resource`, encode its
result again), which yields the same outputs.

What the resource would be once deployed (its ARM id, and `name`) is known too: `deployed` gives it, for the
stack outputs that later stacks read through a `StackReference` (they are previewed once this one is up).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from google.protobuf import struct_pb2
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs, Mocks
from pulumi.runtime.proto import resource_pb2
from pulumi.runtime.settings import get_project, get_stack

from estate.foundation.plan import UNKNOWN
from estate.synth.arm import SUBSCRIPTION_ID, TENANT_ID, arm_id, id_inputs

# Pulumi's wire signatures (sdk/go/common/resource/sig) and how `pulumi preview --json` shows a secret.
SIGNATURE_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270"
RESOURCE_SIGNATURE = "5cf8f73096256a8f31e491e813e4eb8e"
SECRET_SHOWN_AS = "[secret]"
STACK_TYPE = "pulumi:pulumi:Stack"
STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference"
CLIENT_CONFIG_TOKEN = "azure-native:authorization:getClientConfig"


def plain(value: Any) -> Any:
    """A protobuf property value as the JSON `pulumi preview --json` prints: keys sorted, secrets blinded."""
    if isinstance(value, struct_pb2.Struct):
        signature = value.fields.get(SIGNATURE_KEY)
        if signature is not None:
            if signature.string_value == SECRET_SIGNATURE:
                return SECRET_SHOWN_AS
            if signature.string_value == RESOURCE_SIGNATURE:
                return value["urn"] if "urn" in value.fields else None
        return {key: plain(value[key]) for key in sorted(value.keys())}
    if isinstance(value, struct_pb2.ListValue):
        return [plain(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def engine_urn(stack: str, project: str, parent: str, type_: str, name: str) -> str:
    """`urn:pulumi:STACK::PROJECT::TYPE::NAME`, the type prefixed by the parent's type chain unless the parent is
    the root stack (as pkg/resource/urn.go's NewURN with the parent's QualifiedType)."""
    if parent:
        chain = parent.split("::")[2]
        if chain != STACK_TYPE:
            type_ = f"{chain}${type_}"
    return "urn:pulumi:" + "::".join([stack, project, type_, name])


def azure_name(resource_id: str) -> str:
    """The resource's own name: the last segment of its ARM ID."""
    return resource_id.rsplit("/", 1)[-1]


@dataclass
class RecordedStep:
    """One registration, as the engine saw it."""

    op: str
    urn: str
    type: str
    custom: bool
    parent: str
    provider_request: str
    version: str
    inputs: dict[str, Any]
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    id: str = ""
    protect: bool = False
    retain_on_delete: bool = False


class EstateMocks(Mocks):
    """What the engine and Azure would answer on a first preview: a resource to create has no id yet and only its
    inputs as outputs; a stack reference gives the other stack's (deployed) outputs; the zero subscription."""

    def __init__(self, stack_outputs: dict[str, dict[str, Any]] | None = None) -> None:
        self.stack_outputs = stack_outputs or {}

    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict]:
        if args.typ == STACK_REFERENCE_TYPE:
            stack = str(args.inputs.get("name") or args.name)
            return stack, {"name": stack, "outputs": self.stack_outputs.get(stack, {}), "secretOutputNames": []}
        return "", dict(args.inputs)

    def call(self, args: MockCallArgs) -> dict:
        if args.token == CLIENT_CONFIG_TOKEN:
            return {"clientId": TENANT_ID, "objectId": TENANT_ID, "subscriptionId": SUBSCRIPTION_ID,
                    "tenantId": TENANT_ID}
        return {}


def _deployed_id(urn: str, created: dict[str, RecordedStep], seen: frozenset[str]) -> str | None:
    step = created.get(urn)
    if step is None or urn in seen:
        return None
    inputs = dict(step.inputs)
    names, ids = id_inputs(step.type)
    for key in (*names, *ids):
        origins = step.property_dependencies.get(key, [])
        if inputs.get(key) == UNKNOWN and len(origins) == 1:
            origin = _deployed_id(origins[0], created, seen | {urn})
            if origin is not None:
                inputs[key] = origin if key in ids else azure_name(origin)
    resource_id = arm_id(step.type, urn.rsplit("::", 1)[-1], inputs)
    return None if UNKNOWN in resource_id else resource_id


class RecordingMonitor(MockMonitor):
    """Pulumi's mock monitor that also records every registration as a preview step."""

    def __init__(self, mocks: EstateMocks, *, fast: bool) -> None:
        super().__init__(mocks)
        self.fast = fast
        self.steps: list[RecordedStep] = []
        self._lock = threading.Lock()

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """The URN as the engine writes it: the parent's whole type chain joined by `$` (the root stack's type
        left out), then the type and name (`urn:pulumi:STACK::PROJECT::PARENT$TYPE::NAME`).

        The stock MockMonitor keeps only the parent's last type and puts the root stack's type in front of
        top-level resources; a real preview does neither.
        """
        return engine_urn(get_stack(), get_project(), parent, type_, name)

    def RegisterResource(self, request: Any) -> Any:  # the gRPC method name
        urn = self.make_urn(request.parent, request.type, request.name)
        inputs = plain(request.object)
        self._record(RecordedStep(
            op="create", urn=urn, type=request.type, custom=request.custom, parent=request.parent,
            provider_request=request.provider, version=request.version, inputs=inputs,
            dependencies=sorted(set(request.dependencies)),
            property_dependencies={key: sorted(set(deps.urns))
                                   for key, deps in sorted(request.propertyDependencies.items()) if deps.urns},
            protect=bool(request.protect), retain_on_delete=bool(request.retainOnDelete)))
        if not self.fast or request.type == STACK_TYPE:
            return super().RegisterResource(request)
        # As EstateMocks answers: no id (unknown until created), the inputs as the outputs.
        self.resources[urn] = MockMonitor.ResourceRegistration(urn, "", inputs if request.custom else {})
        return resource_pb2.RegisterResourceResponse(urn=urn, object=request.object)

    def deployed(self, urn: str, output: str) -> str | None:
        """Output `id` or `name` of a custom resource this stack registered, as Azure gives it once deployed (the
        ARM id its inputs make); None when the stack registered no such resource or its inputs leave the id open.

        A name input unknown until deployment (another resource's `name` output, e.g. `virtualNetworkName=vnet.name`)
        is the deployed name of the one resource it depends on; a `scope` so unknown, that resource's deployed id.
        """
        if output not in ("id", "name"):
            return None
        with self._lock:
            created = {step.urn: step for step in self.steps if step.op == "create" and step.custom}
        resource_id = _deployed_id(urn, created, frozenset())
        if resource_id is None:
            return None
        return resource_id if output == "id" else azure_name(resource_id)

    def ReadResource(self, request: Any) -> Any:  # the gRPC method name
        response = super().ReadResource(request)
        self._record(RecordedStep(
            op="read", urn=response.urn, type=request.type, custom=True, parent=request.parent,
            provider_request=request.provider, version=request.version, inputs=plain(request.properties),
            id=request.id))
        return response

    def _record(self, step: RecordedStep) -> None:
        with self._lock:
            self.steps.append(step)
