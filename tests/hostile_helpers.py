"""Running the CLI against hostile inputs in a child process bounded in time (timeout) and memory (RLIMIT_AS)."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, CliResult

MEMORY_CAP = 2 * 1024 ** 3  # address space of the child; pyarrow and DuckDB reserve a few hundred MB on import


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def run_bounded(*args: str | Path, seconds: float = 60, env: dict[str, str] | None = None,
                cwd: Path | None = None) -> CliResult:
    """`estate ARGS` in a child process that may use at most MEMORY_CAP bytes and `seconds` of wall time."""
    child_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    completed = subprocess.run(
        [sys.executable, "-c", "from estate.cli import main; main()", *map(str, args)],
        capture_output=True, text=True, timeout=seconds, preexec_fn=_limit_memory, env=child_env,
        cwd=cwd or ROOT, check=False,
    )
    return CliResult(completed.returncode, completed.stdout, completed.stderr)


def assert_refused(result: CliResult, *fragments: str) -> None:
    """Exit 2, one paragraph without a traceback, naming every fragment."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output, result.output
    for fragment in fragments:
        assert fragment in result.output, result.output
