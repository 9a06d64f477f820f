"""A command group that also runs as a command: `estate forecast PLAN...` beside `estate forecast diff OLD NEW`."""

from __future__ import annotations

from typing import Any

from typer.core import TyperGroup


class DefaultCommandGroup(TyperGroup):
    """A Typer group whose arguments, when they do not start with a subcommand's name, go to its default command.

    The default command is the one registered under the name `DEFAULT` (hidden); `--help` shows its help, which
    should name the other subcommands.
    """

    DEFAULT = "run"

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args or args[0] not in self.commands:
            args = [self.DEFAULT, *args]  # `--help` too: the default command's help lists its options
        return super().parse_args(ctx, args)

    def resolve_command(self, ctx: Any, args: list[str]):
        name, command, rest = super().resolve_command(ctx, args)
        # The default command's messages and usage read `estate forecast ...`, not `estate forecast run ...`.
        return ("" if name == self.DEFAULT else name), command, rest
