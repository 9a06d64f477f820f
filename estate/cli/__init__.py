"""The command line: `estate <command>`. Exit codes: 0 ok, 1 findings, 2 bad input or usage.

The edge of the program: it catches the project's own `EstateError` and prints its message without a
traceback (Typer itself answers usage errors with exit 2). Each command lives in its own module and
registers itself on `app` when imported.
"""

from __future__ import annotations

import importlib
import sys

from estate.cli.app import app
from estate.foundation.errors import EstateError
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
