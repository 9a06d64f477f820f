"""The command line: `estate <command>`. Exit codes: 0 ok, 1 findings, 2 bad input or usage.

The edge of the program: it catches the project's own `EstateError` and prints its message without a
traceback (Typer itself answers usage errors with exit 2). Each command lives in its own module and
registers itself on `app` when imported.
"""

from __future__ import annotations

import sys

import estate.cli.case  # noqa: F401  (registers case show)
from estate.cli import definition  # noqa: F401  (registers validate, show)
from estate.cli import reconcile as _reconcile  # noqa: F401  (registers cost reconcile, cost synthesise)
from estate.cli.app import app
from estate.errors import EstateError


def main(argv: list[str] | None = None) -> None:
    """Run the CLI and exit with its code; user errors print one paragraph, never a traceback."""
    try:
        app(args=argv, prog_name="estate")
    except EstateError as exc:
        sys.stderr.write(f"estate: {exc.message}\n")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("estate: interrupted\n")
        sys.exit(130)
