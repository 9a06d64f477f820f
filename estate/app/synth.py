"""The synthesis job: run the Pulumi program offline for stacks of an estate and write each stack's plan."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from estate.definition.loader import DEFAULT_ESTATE_FILE, load_estate

DEFAULT_OUT = Path("out/plans")


@dataclass(frozen=True)
class WrittenPlan:
    stack: str
    path: Path
    by_type: dict[str, int]

    @property
    def resources(self) -> int:
        return sum(self.by_type.values())


@dataclass(frozen=True)
class SynthResult:
    plans: list[WrittenPlan]
    seconds: float

    @property
    def resources(self) -> int:
        return sum(plan.resources for plan in self.plans)


def synthesise_plans(stacks: list[str], *, all_stacks: bool = False, out: Path = DEFAULT_OUT,
                     estate_file: Path = DEFAULT_ESTATE_FILE, jobs: int | None = None) -> SynthResult:
    """Plans for `stacks` (or every stack) in the `pulumi preview --json` shape, written to `out/<stack>.json`.

    Everything is synthesised before anything is written: a failing stack leaves no plans behind. The same
    estate always gives byte-identical plans, whatever `jobs` (processes for the stacks after the platform;
    None: one per core).
    """
    from estate.foundation.files import write_atomic
    from estate.synth.levers import leave_garbage_to_process_exit, paused_gc
    from estate.synth.preview import dumps, resources_by_type
    from estate.synth.synthesis import choose_stacks, synthesise

    started = time.perf_counter()
    estate = load_estate(estate_file)
    chosen = choose_stacks(estate, stacks, all_stacks)
    with paused_gc():
        # Stack settings come from the project's stackConfigDir, as a real `pulumi preview` reads them.
        run = synthesise(estate, estate_file, None, chosen, jobs=jobs)
        texts = {plan.stack: dumps(plan.document) for plan in run.plans}
        written = [WrittenPlan(plan.stack, write_atomic(out / f"{plan.stack}.json", texts[plan.stack]),
                               resources_by_type(plan.document)) for plan in run.plans]
        leave_garbage_to_process_exit()
    return SynthResult(written, time.perf_counter() - started)
