"""Write the command reference (docs/cli.md) from the commands themselves, so it never drifts from them.

`python -m estate.cli.reference > docs/cli.md` (or `make docs`) rewrites it; a test fails when it is stale.
"""

from __future__ import annotations

from typing import Any

import typer

INTRO = """\
# Command reference

Generated from the commands themselves by `make docs` (`python -m estate.cli.reference > docs/cli.md`);
a test fails when this file and the commands disagree. `estate COMMAND --help` prints the same.

## Exit codes (every command)

| code | meaning |
| --- | --- |
| 0 | done, nothing wrong |
| 1 | findings: the input was read, and something in it breaks a rule (a guardrail violation; a business case \
that disagrees with itself under `--strict`) |
| 2 | bad input or usage: a file that is missing, not YAML/JSON, or does not fit its schema; a wrong flag; an \
input above a limit (docs/limits.md). One paragraph names the file, line and field and says what to do; never a \
traceback |
| 3 | internal error: a bug in estate, not in the input; one paragraph asks you to report it (`ESTATE_DEBUG=1` \
shows the traceback, which may hold secrets: check it before sharing) |
| 130 | interrupted (Ctrl-C) |

Files `estate` writes are written to a temporary name beside the target and renamed into place, so a failure
never leaves half a file.
"""


# Typer carries its own copy of Click, so commands and parameters are read by their attributes.
def _walk(command: Any, path: list[str]):
    if hasattr(command, "commands"):
        for name in sorted(command.commands):
            sub = command.commands[name]
            if sub.hidden:  # a group's default command (`estate forecast PLAN...`) is documented as the group
                yield from _walk(sub, path)
            else:
                yield from _walk(sub, [*path, name])
    else:
        yield path, command


def _parameter_row(parameter: Any) -> str:
    if parameter.param_type_name == "argument":
        name = (parameter.metavar or parameter.name).upper()
        kind = "argument" + (", repeatable" if parameter.nargs == -1 else "")
    else:
        name = ", ".join(parameter.opts)
        kind = "flag" if getattr(parameter, "is_flag", False) else "option"
        if parameter.multiple:
            kind += ", repeatable"
    help_text = getattr(parameter, "help", None) or ""
    choices = getattr(getattr(parameter, "type_descriptor", None), "choices", None)
    if choices:
        help_text += f" One of: {', '.join(str(choice) for choice in choices)}."
    default = parameter.default
    shown = "" if default in (None, False, (), []) or callable(default) else f"`{default}`"
    if parameter.required:
        shown = "required"
    cell = help_text.replace("|", "\\|").replace("\n", " ").strip()
    return f"| `{name}` | {kind} | {shown} | {cell} |"


def render(app: typer.Typer) -> str:
    root = typer.main.get_command(app)
    out = [INTRO]
    for path, command in _walk(root, []):
        out.append(f"## `estate {' '.join(path)}`\n")
        out.append((command.help or "").strip().replace("\b\n", "") + "\n")
        rows = [_parameter_row(p) for p in command.params if p.name != "help" and not getattr(p, "hidden", False)]
        if rows:
            out.append("| parameter | kind | default | what it does |\n| --- | --- | --- | --- |")
            out.extend(rows)
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


if __name__ == "__main__":
    import sys

    from estate.cli import app as cli_app

    sys.stdout.write(render(cli_app))
