"""Stacks synthesised side by side in forked workers: the same plans as one process, and no lost error."""

from __future__ import annotations

import multiprocessing
import os
import sys
import time

import pytest

from estate.definition.loader import load_estate
from estate.foundation.errors import UsageError
from estate.synth import workers
from estate.synth.synthesis import synthesise
from tests.conftest import EXAMPLE_ESTATE

needs_fork = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers fork on Linux only")


def test_shares_are_balanced_by_weight_heaviest_first():
    weights = {"wave-a": 118, "wave-b": 110, "wave-c": 61, "wave-d": 44, "wave-e": 16, "retained": 1}
    assert workers.shares(weights, 2) == [["wave-a", "wave-d", "wave-e"], ["wave-b", "wave-c", "retained"]]
    assert workers.shares(weights, 1) == [list(sorted(weights, key=lambda name: -weights[name]))]
    assert workers.shares({"only": 3}, 4) == [["only"]]


def test_worker_count_follows_jobs_then_the_environment_then_the_cores(monkeypatch):
    monkeypatch.setattr(workers, "available_cores", lambda: 8)
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.delenv(workers.JOBS_ENV, raising=False)
    assert workers.worker_count(None, 3) == 3  # never more workers than stacks
    assert workers.worker_count(None, 20) == 8
    assert workers.worker_count(2, 20) == 2
    monkeypatch.setenv(workers.JOBS_ENV, "1")
    assert workers.worker_count(None, 20) == 1
    assert workers.worker_count(4, 20) == 4  # the flag wins over the environment
    monkeypatch.setenv(workers.JOBS_ENV, "many")
    with pytest.raises(UsageError, match="ESTATE_SYNTH_JOBS='many' is not a whole number"):
        workers.worker_count(None, 20)
    with pytest.raises(UsageError, match="must be 1 or more"):
        workers.worker_count(0, 20)
    monkeypatch.setattr(sys, "platform", "darwin")  # fork is not the safe default there
    assert workers.worker_count(4, 20) == 1


@needs_fork
def test_the_example_gives_the_same_plans_in_workers_as_in_one_process():
    estate = load_estate(EXAMPLE_ESTATE)
    one = synthesise(estate, EXAMPLE_ESTATE, None, estate.stacks(), jobs=1)
    three = synthesise(estate, EXAMPLE_ESTATE, None, estate.stacks(), jobs=3)
    assert (one.workers, three.workers) == (1, 3)
    assert [plan.stack for plan in three.plans] == [plan.stack for plan in one.plans] == estate.stacks()
    assert [plan.document for plan in three.plans] == [plan.document for plan in one.plans]
    assert [plan.exports for plan in three.plans] == [plan.exports for plan in one.plans]


@needs_fork
def test_a_share_whose_worker_fails_is_run_again_here():
    parent = os.getpid()

    def job(stack: str) -> tuple[str, int]:
        if os.getpid() != parent and stack == "b":
            raise RuntimeError("only the worker fails")
        return stack, os.getpid()

    results = workers.in_workers(["a", "b", "c", "d"], {"a": 4, "b": 3, "c": 2, "d": 1}, job, 2)
    assert list(results) == ["a", "b", "c", "d"]
    assert results["a"][1] == results["d"][1] == parent  # the first share is this process's own
    assert results["b"][1] == results["c"][1] == parent  # the failed worker's share, run again here


@needs_fork
def test_an_error_in_a_stack_is_raised_here_as_one_process_raises_it():
    def job(stack: str) -> str:
        if stack == "wave-bad":
            raise UsageError(f"stack {stack!r}: the program failed")
        return stack

    with pytest.raises(UsageError, match="stack 'wave-bad': the program failed"):
        workers.in_workers(["wave-good", "wave-bad"], {"wave-good": 5, "wave-bad": 1}, job, 2)


@needs_fork
def test_workers_run_in_other_processes_and_use_their_own_event_loop():
    import asyncio

    parent = os.getpid()
    previous = asyncio.get_event_loop_policy().get_event_loop()
    parent_loop = asyncio.new_event_loop()
    asyncio.set_event_loop(parent_loop)
    try:
        def job(stack: str) -> tuple[int, bool]:
            loop = asyncio.get_event_loop()
            return os.getpid(), loop is parent_loop and os.getpid() != parent

        results = workers.in_workers(["a", "b"], {"a": 1, "b": 1}, job, 2)
    finally:
        asyncio.set_event_loop(previous)
        parent_loop.close()
    assert results["a"][0] == parent and results["b"][0] != parent
    assert not any(shared for _, shared in results.values())


@needs_fork
def test_an_error_in_this_process_share_stops_the_workers():
    def job(stack: str) -> str:
        if stack == "mine":
            raise UsageError("this share failed")
        time.sleep(30)  # a worker still busy when this process's share fails
        return stack

    started = time.monotonic()
    with pytest.raises(UsageError, match="this share failed"):
        workers.in_workers(["mine", "theirs"], {"mine": 2, "theirs": 1}, job, 2)
    assert time.monotonic() - started < 10
    assert not multiprocessing.active_children()
