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


@app.callback()
def _global_options(
    verbose: bool = typer.Option(False, "--verbose", help="Show the Azure SDK's own log lines (secrets redacted)."),
) -> None:
    """Estate-as-code for public-sector Azure migrations: define, synthesise, check, price and reconcile."""
    from estate.foundation.redact import quiet_azure_logging

    quiet_azure_logging(verbose=verbose)
