"""Helpers for the safety tests: CLI runs in real child processes, started together, or stopped mid-way."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from tests.conftest import ROOT

# A child that imports the CLI once, then for each round waits for that round's "go" file (so the children really
# run at once), runs its command line for the round, and says it is done.
_AT_ONCE = textwrap.dedent("""
    import json, os, sys, time
    from estate.cli import main
    folder, me, rounds = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    codes = []
    for number, argv in enumerate(rounds):
        deadline = time.monotonic() + 120
        while not os.path.exists(os.path.join(folder, f"go-{number}")) and time.monotonic() < deadline:
            time.sleep(0.005)
        try:
            main(argv)
            codes.append(0)
        except SystemExit as exc:
            codes.append(exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1)
        open(os.path.join(folder, f"done-{number}-{me}"), "w").close()
    sys.exit(max(codes))
""")


# A child that runs `estate cost load` but stops for good once it has staged its first batch, so the parent can
# SIGKILL it mid-staging (the staging folder and files are real; only the pause is the test's).
_PAUSED = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    import costing.actuals.store as store
    from estate.cli import main
    original = store.PartitionStager.add
    ready = Path(sys.argv[1])
    def add(self, batch):
        original(self, batch)
        for writer in list(self._writers.values()):
            writer.close()  # the staged file is complete on disk, as a killed load's would be
        self._writers.clear()
        ready.write_text(str(self.staging_dir))
        time.sleep(600)
    store.PartitionStager.add = add
    main(sys.argv[2:])
""")


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(ROOT))


def run_at_once(rounds: list[list[list[str]]], folder: Path, timeout: float = 240) -> list[subprocess.CompletedProcess]:
    """Run rounds of `estate` command lines: `rounds[k][i]` is what child i runs in round k. The children start
    once; each round is released to all of them at the same moment, after all have finished the one before."""
    children = len(rounds[0])
    folder.mkdir(parents=True, exist_ok=True)
    processes = [subprocess.Popen([sys.executable, "-c", _AT_ONCE, str(folder), str(i),
                                   json.dumps([[str(arg) for arg in r[i]] for r in rounds])],
                                  cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for i in range(children)]
    try:
        deadline = time.monotonic() + timeout
        for number in range(len(rounds)):
            (folder / f"go-{number}").write_text("go")
            while sum((folder / f"done-{number}-{i}").exists() for i in range(children)) < children:
                if time.monotonic() > deadline or any(p.poll() not in (None, 0) for p in processes):
                    break
                time.sleep(0.02)
        results = []
        for process, index in zip(processes, range(children), strict=True):
            out, err = process.communicate(timeout=max(1.0, deadline - time.monotonic()))
            results.append(subprocess.CompletedProcess([index], process.returncode, out, err))
        return results
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()


def start_paused_load(ready: Path, *args: str) -> subprocess.Popen:
    """`estate cost load ARGS` in a child process that pauses after staging its first batch (see `_PAUSED`)."""
    return subprocess.Popen([sys.executable, "-c", _PAUSED, str(ready), "cost", "load", *map(str, args)], cwd=ROOT,
                            env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(path: Path, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if process.poll() is not None:
            raise AssertionError(f"the child exited with {process.returncode}: {process.stderr.read()}")
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"{path} did not appear within {timeout} s")
        time.sleep(0.02)
