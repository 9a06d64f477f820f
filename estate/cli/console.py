"""Rich output for data on the terminal: nothing from a plan, a case or cost data becomes markup or an escape."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from estate.foundation.safe_text import plain_text


def terminal_text(value: Any) -> str:
    """A data value for a Rich renderer with markup on: control characters removed, markup escaped."""
    from rich.markup import escape

    return escape(plain_text(value))


def data_console(**options: Any):
    """A Rich console for tables of data: markup off (`[link=...]` in a tag stays text) and every string it
    renders (cells, titles, captions) stripped of control characters, so no escape sequence reaches the terminal.
    Styles come from `Text` objects and column styles, never from markup in strings."""
    from rich.console import Console

    class _DataConsole(Console):
        def render_str(self, text: str, **kwargs: Any):  # type: ignore[override]
            return super().render_str(plain_text(text), **kwargs)

    options.setdefault("markup", False)
    options.setdefault("highlight", False)
    return _DataConsole(**options)


def emit_text(text: str, out: Path | None) -> None:
    """A report to standard output, or to `out` (written atomically) with a line on stderr saying so."""
    if out is None:
        sys.stdout.write(text)
        return
    from estate.foundation.files import write_atomic

    write_atomic(out, text)
    typer.echo(f"{out}: written", err=True)
