"""Speed levers for synthesis, each scoped to a `with` block and undone on the way out.

The Python SDK spends most of a mock-runtime run on work nobody reads:
- it builds many cyclic objects per resource, so the cyclic garbage collector runs constantly
  (`paused_gc` stops it for the synthesis);
- `Resource.__init__` eagerly turns every alias (azure-native declares dozens per type) into an alias-URN
  Output, although on the alias-specs path, which current engines and the mock monitor use, that list is never
  read (`alias_urns_skipped` returns a placeholder while the monitor supports alias specs, and calls the SDK's own
  function otherwise);
- per resource it also resolves every alias into an alias spec and walks the Python stack for a source position,
  both sent to the monitor only for the engine's benefit; Pulumi's `MockMonitor` reads neither
  (`mock_only_work_skipped` skips them only while the monitor is a `MockMonitor`);
- serialising a resource's inputs unwraps every property's type annotation (`Optional[Input[...]]` and so on)
  afresh, about 40 times per resource, although the answer depends on the annotation alone
  (`type_unwrapping_memoised` remembers it for the synthesis, per annotation).

The last two reach into SDK internals, so each first checks that they still have the shape it was written
against (pulumi 3.2xx) and leaves the SDK untouched when they do not: synthesis is then slower, never wrong.
"""

from __future__ import annotations

import gc
import inspect
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

# Stands in for an alias URN nobody reads (never sent to the engine, never awaited).
ALIAS_URN_NOT_COMPUTED = "alias-urn-not-computed"


@contextmanager
def paused_gc() -> Iterator[None]:
    """Disable the cyclic garbage collector inside the block, and restore it afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def leave_garbage_to_process_exit() -> None:
    """Move every object to the collector's permanent generation, for a process about to exit.

    Called inside `paused_gc` just before a command ends: re-enabling the collector would otherwise make it scan
    everything the synthesis allocated (about a second for the bundled example) only for the process to exit.
    """
    gc.freeze()


def alias_lever_problem() -> str | None:
    """Why the alias-URN lever cannot be used with the installed SDK, or None when its internals are as expected."""
    try:
        import pulumi.resource as sdk_resource
        import pulumi.runtime.resource as sdk_runtime
        from pulumi.runtime.proto import resource_pb2
    except ImportError as exc:
        return f"the SDK moved a module ({exc})"
    original = getattr(sdk_runtime, "collapse_alias_to_urn", None)
    if original is None or getattr(sdk_resource, "collapse_alias_to_urn", None) is not original:
        return "pulumi.resource no longer uses runtime.resource.collapse_alias_to_urn"
    if list(inspect.signature(original).parameters) != ["alias", "defaultName", "defaultType", "defaultParent"]:
        return "collapse_alias_to_urn has a new signature"
    if "collapse_alias_to_urn" not in sdk_resource.Resource.__init__.__code__.co_names:
        return "Resource.__init__ no longer computes alias URNs"
    if "supports_alias_specs" not in (_parameters(getattr(sdk_runtime, "prepare_aliases", None)) or []):
        return "prepare_aliases no longer chooses between alias specs and alias URNs"
    if not hasattr(resource_pb2, "RESOURCE_MONITOR_FEATURE_ALIAS_SPECS"):
        return "the alias-specs monitor feature is gone"
    return None


@contextmanager
def alias_urns_skipped() -> Iterator[bool]:
    """Skip computing alias URNs that the alias-specs path never reads; yields whether the lever is on."""
    if alias_lever_problem() is not None:
        yield False
        return
    import pulumi.resource as sdk_resource
    from pulumi.runtime.proto import resource_pb2
    from pulumi.runtime.settings import monitor_supports_feature

    original = sdk_resource.collapse_alias_to_urn
    alias_specs = resource_pb2.RESOURCE_MONITOR_FEATURE_ALIAS_SPECS

    def collapse_alias_to_urn_when_read(alias, default_name, default_type, default_parent):
        if monitor_supports_feature(alias_specs):
            return ALIAS_URN_NOT_COMPUTED
        return original(alias, default_name, default_type, default_parent)

    sdk_resource.collapse_alias_to_urn = collapse_alias_to_urn_when_read
    try:
        yield True
    finally:
        sdk_resource.collapse_alias_to_urn = original


def mock_lever_problem() -> str | None:
    """Why the mock-only lever cannot be used with the installed SDK, or None when its internals are as expected."""
    try:
        import pulumi.runtime.resource as sdk_runtime
        from pulumi.runtime.mocks import MockMonitor  # noqa: F401 (checked for presence)
        from pulumi.runtime.proto import source_pb2  # noqa: F401 (checked for presence)
        from pulumi.runtime.settings import get_monitor  # noqa: F401 (checked for presence)
    except ImportError as exc:
        return f"the SDK moved a module ({exc})"
    if _parameters(getattr(sdk_runtime, "prepare_aliases", None)) != [
            "resource", "resource_options", "supports_alias_specs"]:
        return "prepare_aliases has a new signature"
    if not inspect.iscoroutinefunction(sdk_runtime.prepare_aliases):
        return "prepare_aliases is no longer a coroutine"
    if "prepare_aliases" not in sdk_runtime.prepare_resource.__code__.co_names:
        return "prepare_resource no longer calls prepare_aliases"
    if _parameters(getattr(sdk_runtime, "_get_stack_trace", None)) != []:
        return "_get_stack_trace has a new signature"
    if "_get_stack_trace" not in sdk_runtime.register_resource.__code__.co_names:
        return "register_resource no longer records stack traces"
    return None


@contextmanager
def mock_only_work_skipped() -> Iterator[bool]:
    """While the monitor is a `MockMonitor`, send no alias specs and no stack traces (it reads neither)."""
    if mock_lever_problem() is not None:
        yield False
        return
    import pulumi.runtime.resource as sdk_runtime
    from pulumi.runtime.mocks import MockMonitor
    from pulumi.runtime.proto import source_pb2
    from pulumi.runtime.settings import get_monitor

    original_aliases, original_trace = sdk_runtime.prepare_aliases, sdk_runtime._get_stack_trace

    async def prepare_aliases_when_read(resource, resource_options, supports_alias_specs):
        if isinstance(get_monitor(), MockMonitor):
            return []
        return await original_aliases(resource, resource_options, supports_alias_specs)

    def stack_trace_when_read():
        # An empty trace is what the SDK itself sends when it finds no user frame.
        return source_pb2.StackTrace() if isinstance(get_monitor(), MockMonitor) else original_trace()

    sdk_runtime.prepare_aliases, sdk_runtime._get_stack_trace = prepare_aliases_when_read, stack_trace_when_read
    try:
        yield True
    finally:
        sdk_runtime.prepare_aliases, sdk_runtime._get_stack_trace = original_aliases, original_trace


def unwrap_lever_problem() -> str | None:
    """Why type unwrapping cannot be memoised with the installed SDK, or None when its internals are as expected."""
    try:
        import pulumi._types as sdk_types
        import pulumi.runtime.rpc as sdk_rpc
    except ImportError as exc:
        return f"the SDK moved a module ({exc})"
    if _parameters(getattr(sdk_types, "unwrap_type", None)) != ["val"]:
        return "unwrap_type has a new signature"
    if (getattr(sdk_rpc, "_types", None) is not sdk_types
            or "unwrap_type" not in sdk_rpc.serialize_property.__code__.co_names):
        return "serialize_property no longer calls _types.unwrap_type"
    return None


@contextmanager
def type_unwrapping_memoised() -> Iterator[bool]:
    """Remember `pulumi._types.unwrap_type` per annotation (a pure function of it); yields whether the lever is on.

    Annotations that cannot be hashed are unwrapped as the SDK does, every time.
    """
    if unwrap_lever_problem() is not None:
        yield False
        return
    import pulumi._types as sdk_types

    original = sdk_types.unwrap_type
    known: dict[Any, Any] = {}

    def unwrap_type_once(val):
        try:
            return known[val]
        except KeyError:
            unwrapped = known[val] = original(val)
            return unwrapped
        except TypeError:  # not hashable
            return original(val)

    sdk_types.unwrap_type = unwrap_type_once
    try:
        yield True
    finally:
        sdk_types.unwrap_type = original


@contextmanager
def fast_synthesis(enabled: bool = True) -> Iterator[dict[str, bool]]:
    """Every lever (or none, for the stock runtime); yields which levers are on."""
    if not enabled:
        yield {"gc_paused": False, "alias_urns_skipped": False, "mock_only_work_skipped": False,
               "type_unwrapping_memoised": False}
        return
    with ExitStack() as stack:
        stack.enter_context(paused_gc())
        levers = {"gc_paused": True,
                  "alias_urns_skipped": stack.enter_context(alias_urns_skipped()),
                  "mock_only_work_skipped": stack.enter_context(mock_only_work_skipped()),
                  "type_unwrapping_memoised": stack.enter_context(type_unwrapping_memoised())}
        yield levers


def _parameters(function: object) -> list[str] | None:
    if not callable(function):
        return None
    return list(inspect.signature(function).parameters)
