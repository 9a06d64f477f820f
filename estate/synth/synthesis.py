"""Synthesise several stacks in one go: platform first (the waves read its outputs), levers on, plans in memory."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from estate.definition.model import Estate
from estate.foundation.errors import UsageError
from estate.foundation.project import Project, find_project
from estate.program.settings import CONFIG_NAMESPACE, DEFAULT_PLATFORM_STACK
from estate.synth.levers import fast_synthesis
from estate.synth.mock_runtime import StackPlan, synthesise_stack
from estate.synth.stack_config import load_stack_config
from estate.synth.workers import in_workers, worker_count


@dataclass(frozen=True)
class SynthesisRun:
    plans: list[StackPlan]
    levers: dict[str, bool]
    workers: int = 1  # processes the stacks after the platform ran in


def choose_stacks(estate: Estate, stacks: Sequence[str], all_stacks: bool) -> list[str]:
    """The stacks to synthesise, in deployment order; unknown names are a usage error listing the real ones."""
    known = estate.stacks()
    if all_stacks and stacks:
        raise UsageError("give stack names or --all, not both")
    if all_stacks:
        return known
    if not stacks:
        raise UsageError(f"name the stacks to synthesise, or use --all; this estate's stacks are: {', '.join(known)}")
    unknown = [stack for stack in stacks if stack not in known]
    if unknown:
        names = ", ".join(repr(stack) for stack in unknown)
        verb = "is not a stack" if len(unknown) == 1 else "are not stacks"
        raise UsageError(f"{names} {verb} of this estate; its stacks are: {', '.join(known)}")
    return [stack for stack in known if stack in stacks]


def synthesise(estate: Estate, estate_file: Path, config_dir: Path | None, stacks: Sequence[str], *,
               fast: bool = True, jobs: int | None = None) -> SynthesisRun:
    """Plans for `stacks`. Stack settings come from `config_dir`, or (None) as `pulumi preview` finds them: the
    `stackConfigDir` of the nearest Pulumi.yaml above the estate file, else the estate file's folder.

    With `fast`, the stacks after the platform run in up to `jobs` forked workers (None: one per core); the
    stock runtime (`fast=False`) always runs them one after another.
    """
    project = find_project(estate_file.parent) if config_dir is None else None
    if config_dir is None:
        config_dir = project.config_dir if project is not None else estate_file.parent
    return _synthesise(estate, estate_file, config_dir, stacks, fast=fast, project=project, jobs=jobs)


def _synthesise(estate: Estate, estate_file: Path, config_dir: Path, stacks: Sequence[str], *,
                fast: bool, project: Project | None, jobs: int | None) -> SynthesisRun:
    """Plans for `stacks` (in the given order); the platform is synthesised too when a wave needs its outputs."""
    needs_platform = any(stack.startswith("wave-") for stack in stacks) and "platform" not in stacks
    order = (["platform"] if needs_platform else []) + list(stacks)
    platform_outputs: dict[str, dict] = {}
    root = project.root if project is not None else None

    def one(stack: str) -> StackPlan:
        config = load_stack_config(config_dir, stack, estate, estate_file, project)
        reference = config.get(f"{CONFIG_NAMESPACE}:platformStack") or DEFAULT_PLATFORM_STACK
        outputs = {reference: platform_outputs["platform"]} if "platform" in platform_outputs else {}
        return synthesise_stack(stack, estate, config, stack_outputs=outputs, fast=fast, root=root)

    done: dict[str, StackPlan] = {}
    with fast_synthesis(fast) as levers:
        if order and order[0] == "platform":
            done["platform"] = one("platform")
            platform_outputs["platform"] = done["platform"].exports
        rest = [stack for stack in order if stack not in done]
        workers = worker_count(jobs, len(rest)) if fast else 1
        done.update(in_workers(rest, _weights(estate, rest), one, workers))
    return SynthesisRun(plans=[done[stack] for stack in stacks], levers=levers, workers=workers)


def _weights(estate: Estate, stacks: Sequence[str]) -> dict[str, int]:
    """How much work each stack is, for sharing them among workers: a wave's server count (3 resources each)."""
    by_stack = {wave.stack: sum(1 for _ in estate.servers(wave)) for wave in estate.waves}
    return {stack: by_stack.get(stack, 1) for stack in stacks}
