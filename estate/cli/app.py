"""The `estate` Typer application that every command module registers itself on."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="estate",
    help="Estate-as-code for public-sector Azure migrations: define, synthesise, check, price and reconcile.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
