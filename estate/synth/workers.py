"""Synthesise independent stacks side by side, one forked worker per core.

After the platform (whose outputs the waves read), every stack is independent of the others: each runs in a
fresh runtime context and records only its own plan. On a machine with more than one core, `in_workers` splits
the stacks after the platform into one share per core (balanced by their server counts), forks a worker for
every share but the first, synthesises the first itself, and collects the plans in the order asked. The plans
are the same, byte for byte, as one process writes them; a test holds them equal.

Fork only: the workers inherit the imported SDK and the parsed estate instead of importing and parsing again,
which is what makes them pay. Where fork is not the safe default (anything but Linux), where there is one core,
or with `ESTATE_SYNTH_JOBS=1` (or `estate synth --jobs 1`), the stacks run one after another as before.

A worker that fails, for whatever reason, costs no correctness: its stacks are synthesised again in this
process, so an error in a stack's program is raised here exactly as a one-process run raises it.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from estate.foundation.errors import UsageError

JOBS_ENV = "ESTATE_SYNTH_JOBS"
Result = TypeVar("Result")


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worker_count(jobs: int | None, stacks: int) -> int:
    """How many workers to fork for `stacks` independent stacks: `jobs`, else $ESTATE_SYNTH_JOBS, else one per
    core; never more than the stacks, and 1 (no fork) where fork is not safe."""
    if jobs is None:
        text = os.environ.get(JOBS_ENV, "").strip()
        if text:
            try:
                jobs = int(text)
            except ValueError:
                raise UsageError(f"{JOBS_ENV}={text!r} is not a whole number of workers; set it to 1 for one "
                                 "process, or unset it for one worker per core") from None
    if jobs is not None and jobs < 1:
        raise UsageError(f"--jobs / {JOBS_ENV} must be 1 or more (got {jobs})")
    if not sys.platform.startswith("linux") or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(jobs if jobs is not None else available_cores(), stacks))


def shares(weights: Mapping[str, int], workers: int) -> list[list[str]]:
    """The stacks split into `workers` shares of about equal weight (heaviest first onto the lightest share)."""
    loads = [0] * workers
    out: list[list[str]] = [[] for _ in range(workers)]
    for stack in sorted(weights, key=lambda name: (-weights[name], name)):
        lightest = loads.index(min(loads))
        out[lightest].append(stack)
        loads[lightest] += weights[stack]
    return [share for share in out if share]


def in_workers(stacks: Sequence[str], weights: Mapping[str, int], job: Callable[[str], Result],
               workers: int) -> dict[str, Result]:
    """`job(stack)` for every stack, in up to `workers` forked processes; stacks whose worker failed are run
    here, so their error (if any) is raised in this process."""
    if workers <= 1 or len(stacks) <= 1:
        return {stack: job(stack) for stack in stacks}
    context = multiprocessing.get_context("fork")
    own, *others = shares({stack: weights.get(stack, 1) for stack in stacks}, workers)
    running = []
    for share in others:
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_work, args=(share, job, sender), daemon=True)
        process.start()
        sender.close()
        running.append((process, receiver))
    # This process takes the first share itself while the workers run theirs.
    try:
        results: dict[str, Result] = {stack: job(stack) for stack in own}
    except BaseException:  # this share's error is the run's: the workers' plans are not wanted
        for process, receiver in running:
            process.terminate()
            receiver.close()
            process.join()
        raise
    for process, receiver in running:
        try:
            results.update(receiver.recv())
        except (EOFError, OSError):
            pass  # the worker failed or died: its stacks are run below
        finally:
            receiver.close()
            process.join()
    for stack in stacks:
        if stack not in results:
            results[stack] = job(stack)
    return {stack: results[stack] for stack in stacks}


def _work(share: list[str], job: Callable[[str], Result], sender) -> None:
    # The parent's event loop hands registrations to its executor's threads, which a forked child does not
    # have: the child runs on a loop (and executor) of its own.
    asyncio.set_event_loop(asyncio.new_event_loop())
    try:
        results = {stack: job(stack) for stack in share}
    except BaseException:  # the parent runs this share itself and raises the error there
        sender.close()
        _flush()
        os._exit(1)
    sender.send(results)
    sender.close()
    _flush()
    # Skip the interpreter's teardown (freeing everything the synthesis built): the parent has the plans.
    os._exit(0)


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
