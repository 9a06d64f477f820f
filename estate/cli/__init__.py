"""The command line: `estate <command>`. Exit codes: 0 ok, 1 findings, 2 bad input or usage, 3 internal error.

The edge of the program: it catches the project's own `EstateError` and prints its message without a
traceback (Typer itself answers usage errors with exit 2). Anything else is a bug in estate: one paragraph
asking for a report, exit 3, and the traceback only with ESTATE_DEBUG=1 (never the exception's text, which may
hold a connection string or a signed URL). Each command lives in its own module and registers itself on `app`.
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from pathlib import Path

from estate.cli.app import app
from estate.foundation.errors import EXIT_INTERNAL, EstateError
from estate.foundation.redact import quiet_azure_logging, redact
from estate.foundation.safe_text import plain_text

# Each module registers its commands on `app` when imported: one line per command module.
COMMAND_MODULES = (
    "estate.cli.definition",  # validate, show
    "estate.cli.synth",  # synth
    "estate.cli.case",  # case show, case budgets
    "estate.cli.check",  # check
    "estate.cli.forecast",  # prices refresh, forecast, forecast diff
    "estate.cli.cost",  # cost load, cost summary
    "estate.cli.pull",  # cost pull
    "estate.cli.reconcile",  # cost reconcile, cost synthesise (in the cost group)
    "estate.cli.actuals",  # actuals load
    "estate.cli.imports",  # import rvtools, import azure-migrate
    "estate.cli.waves",  # waves plan
)
for _module in COMMAND_MODULES:
    importlib.import_module(_module)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI and exit with its code; user errors print one paragraph, never a traceback."""
    quiet_azure_logging(verbose=False)  # `--verbose` (the app's callback) turns them on
    try:
        app(args=argv, prog_name="estate")
    except EstateError as exc:
        # Secrets never printed; control characters from data never reach the terminal.
        sys.stderr.write(f"estate: {plain_text(redact(exc.message)).replace(chr(9), ' ')}\n")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("estate: interrupted\n")
        sys.exit(130)
    except Exception as exc:  # the last guard: a bug prints no traceback and no secret
        sys.stderr.write(internal_error_message(exc))
        if os.environ.get("ESTATE_DEBUG") == "1":
            traceback.print_exc()
        sys.exit(EXIT_INTERNAL)


def internal_error_message(exc: BaseException) -> str:
    """One paragraph naming the kind of failure and where in estate, never the exception's own text."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [frame for frame in frames if "/estate/" in frame.filename or "/costing/" in frame.filename
            or "/policies/" in frame.filename]
    where = ""
    if ours:
        frame = ours[-1]
        where = f" in {Path(frame.filename).name}:{frame.lineno} ({frame.name})"
    return (f"estate: internal error: {type(exc).__name__}{where}. This is a bug in estate, not in your input: "
            "please report it with the command you ran (set ESTATE_DEBUG=1 to see the traceback; check it for "
            "secrets before sharing).\n")
