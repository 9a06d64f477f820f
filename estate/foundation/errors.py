"""The one exception tree of estate: every error a user can cause derives from `EstateError`.

The CLI catches `EstateError` at its edge and prints the message without a traceback; anything else is a
bug in estate, answered with one "internal error, please report" paragraph and exit 3 (`EXIT_INTERNAL`).
"""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3  # a bug in estate: the CLI's last guard (estate.cli.main)


@dataclass(frozen=True)
class Problem:
    """One problem in an input file: where it is, what is wrong, and what to do."""

    file: str
    line: int | None
    column: int | None
    path: str
    message: str
    hint: str = ""

    def render(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.path or '(document)'}: {self.message}"
        if self.hint:
            text += f"; {self.hint}"
        return text


class EstateError(Exception):
    """Base of every error a user can cause. `exit_code` is what the CLI exits with."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(EstateError):
    """A file the user gave cannot be read or is not what it should be (exit 2).

    Context for callers (tools, tests, `--verbose`): `file`, and where known `line`, `column` and `field`; the
    exception that revealed the problem, if any, is its `__cause__` (`raise ... from exc`).
    """

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None, column: int | None = None,
                 field: str | None = None) -> None:
        super().__init__(message)
        self.file = file
        self.line = line
        self.column = column
        self.field = field


# One subclass per stage of the pipeline, so a caller can tell which input was at fault.
class DefinitionError(InputError):
    """The estate definition (or a Pulumi stack's settings) cannot be read or breaks its rules."""


class PlanError(InputError):
    """A plan (`estate synth`, `pulumi preview --json` or ARM What-If) cannot be read or is not plan-shaped."""


class PriceError(InputError):
    """A price source (snapshot, rate card, price sheet, usage file) cannot be read or used."""


class CostDataError(InputError):
    """A cost export, a finance ledger or the cost store cannot be read, or would not stay consistent."""


class CaseError(InputError):
    """The business case cannot be read or does not fit its schema."""


class ServiceError(EstateError):
    """A remote service (Retail Prices API, Cost Management, Azure Storage) refused or failed (exit 2); `service`
    names it and `status` is the HTTP status when there was one."""

    def __init__(self, message: str, *, service: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.service = service
        self.status = status


class ValidationError(InputError):
    """A definition file parsed but breaks the schema or the estate's rules; carries every problem found."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.line or 0, p.column or 0, p.path))
        count = len(self.problems)
        head = f"{file}: {count} problem{'s' if count != 1 else ''} found"
        super().__init__(head + "\n" + "\n".join(p.render() for p in self.problems), file=file)


class UsageError(EstateError):
    """The command line asks for something that cannot be done (exit 2)."""
