"""Run the real program for one stack under Pulumi's mock runtime and return its preview document."""

from __future__ import annotations

import contextvars
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
from pulumi.output import Unknown
from pulumi.runtime import set_all_config, set_mocks
from pulumi.runtime.settings import get_root_resource, set_root_resource

from estate.definition.model import Estate
from estate.program.settings import read_settings
from estate.program.stacks import build_stack
from estate.synth.preview import preview_document, resources_by_type
from estate.synth.recorder import EstateMocks, RecordingMonitor
from estate.synth.stack_config import StackConfig

PROJECT = "estate"


@dataclass(frozen=True)
class StackPlan:
    stack: str
    document: dict[str, Any]
    exports: dict[str, Any]
    seconds: float

    @property
    def resource_count(self) -> int:
        """Resources the plan creates, not counting the stack, its providers and stack references."""
        return sum(resources_by_type(self.document).values())


def synthesise_stack(stack: str, estate: Estate, config: StackConfig, *,
                     stack_outputs: Mapping[str, dict[str, Any]] | None = None, fast: bool = True,
                     root: Path | None = None) -> StackPlan:
    """Build `stack` in a fresh runtime context (nothing leaks between stacks) and shape what was registered."""
    started = time.perf_counter()
    monitor = RecordingMonitor(EstateMocks(dict(stack_outputs or {})), fast=fast)
    exports: dict[str, Any] = {}
    contextvars.copy_context().run(_run, stack, estate, config, monitor, exports, dict(stack_outputs or {}), root)
    document = preview_document(monitor.steps, stack, PROJECT, config.shown())
    return StackPlan(stack=stack, document=document, exports=exports, seconds=time.perf_counter() - started)


def _run(stack: str, estate: Estate, config: StackConfig, monitor: RecordingMonitor, exports: dict,
         stack_outputs: dict[str, dict[str, Any]], root: Path | None) -> None:
    set_root_resource(None)
    set_all_config(dict(config.values), list(config.secret_keys))
    set_mocks(monitor.mocks, project=PROJECT, stack=stack, preview=True, monitor=monitor)
    settings = read_settings(root=root)  # relative paths against the project root, as the program resolves them

    def program() -> pulumi.Output[None]:
        build_stack(stack, estate, settings, platform_outputs=stack_outputs.get(settings.platform_stack))
        outputs = dict(get_root_resource().outputs)  # type: ignore[union-attr]
        return pulumi.Output.from_input(_deployed_exports(outputs, monitor, exports))

    pulumi.runtime.test(program)()


_MISSING = object()


async def _deployed_exports(outputs: dict[str, Any], monitor: RecordingMonitor, exports: dict[str, Any]) -> None:
    """The stack's outputs as `pulumi stack output` shows them once the stack is deployed, which is what the stacks
    synthesised after this one read through a `StackReference` (a wave is previewed after the platform is up).

    The plan is a first preview, where an output taken from a resource being created is unknown: a resource's
    `id` or `name` output is given as deployed (`RecordingMonitor.deployed`, the ARM id its inputs make); an
    output Azure alone would know once deployed (a circuit's service key) is left out, as is a value computed
    from unknowns.
    """
    for key, value in outputs.items():
        deployed = await _deployed(value, monitor)
        if deployed is not _MISSING:
            exports[key] = deployed


async def _deployed(value: Any, monitor: RecordingMonitor) -> Any:
    if isinstance(value, pulumi.Output):
        if await value.is_known():
            return await _deployed(await value.future(with_unknowns=True), monitor)
        return await _deployed_output(value, monitor)
    if isinstance(value, Unknown):  # inside a known value: the part computed from unknowns
        return _MISSING
    if isinstance(value, dict):
        items = {key: await _deployed(item, monitor) for key, item in value.items()}
        return {key: item for key, item in items.items() if item is not _MISSING}
    if isinstance(value, list | tuple):
        items = [await _deployed(item, monitor) for item in value]
        return [item for item in items if item is not _MISSING]
    return value


async def _deployed_output(output: pulumi.Output, monitor: RecordingMonitor) -> Any:
    """An unknown output that is a resource's own `id` or `name` output, as deployed; else missing."""
    for resource in await output.resources():
        if not isinstance(resource, pulumi.CustomResource):
            continue
        for name in ("id", "name"):
            if getattr(resource, name, None) is output:
                deployed = monitor.deployed(await resource.urn.future(), name)
                return _MISSING if deployed is None else deployed
    return _MISSING
