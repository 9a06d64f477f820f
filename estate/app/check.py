"""The guardrails job: run the rules over plans, or over the estate definition before synthesis."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from estate.definition.loader import DEFAULT_ESTATE_FILE
from estate.foundation.errors import InputError, UsageError

if TYPE_CHECKING:
    from policies.plan_check import CheckResult

@dataclass(frozen=True)
class CheckRun:
    """What `check` found: one result per plan (or one for the estate definition) and the rules that ran."""

    results: list[CheckResult]
    rules: list

    @property
    def failed(self) -> bool:
        return any(result.failed for result in self.results)


def check(plans: list[Path], *, estate_file: Path | None = None, only: list[str] | None = None,
          previous: Path | None = None) -> CheckRun:
    """Check plans (or, with no plans, the estate definition itself) against the estate's guardrails; with
    `previous` (a folder of earlier plans), also warn for every server whose wave changed since."""
    from policies.rules import RULES

    if plans and previous is not None:
        raise UsageError("--previous compares the estate definition with earlier plans: give --estate FILE and "
                         "no PLAN")
    rules = select_rules(only or [], RULES)
    if plans:
        from estate.foundation.plan import load_plan

        settings: dict = {}  # each estate file is read once, however many plans name it
        loaded = [load_plan(path) for path in plans]  # each is checked with the others in view (cross-stack ids)
        return CheckRun([_check_plan(plan, loaded, estate_file, rules, settings) for plan in loaded], rules)
    from policies.estate_check import check_estate_file

    names = {rule.name for rule in rules}
    return CheckRun([check_estate_file(estate_file or DEFAULT_ESTATE_FILE, names, previous)], rules)


def select_rules(only: list[str], known: dict) -> list:
    """The rules `--only` names (a family such as azure-preflight stands for its rules); all without `--only`."""
    from policies.rules import FAMILIES

    only = [name for each in only for name in FAMILIES.get(each, (each,))]
    unknown = [name for name in only if name not in known]
    if unknown:
        raise UsageError(f"--only {unknown[0]!r}: no such rule; rules are {', '.join(known)}")
    return [rule for name, rule in known.items() if not only or name in only]


def _check_plan(plan, neighbours: list, estate_file: Path | None, rules: list, settings: dict) -> CheckResult:
    from estate.definition.loader import load_estate
    from estate.foundation.plan import estate_file_of
    from policies.plan_check import check_plan, estate_field_locations
    from policies.rules.base import GuardrailSettings

    estate_path = estate_file_of([plan], estate_file, strict=True) or DEFAULT_ESTATE_FILE
    if estate_path not in settings:
        if not estate_path.exists():
            raise InputError(f"{estate_path}: no such file; plans are checked against the estate's allowed regions, "
                             "mandatory tags and waves: give the estate definition with --estate FILE",
                             file=str(estate_path))
        settings[estate_path] = (GuardrailSettings.from_estate(load_estate(estate_path)),
                                 estate_field_locations(estate_path))
    guardrails, fields = settings[estate_path]
    return check_plan(plan, guardrails, rules, stacks_dir=estate_path.parent, estate_fields=fields,
                      neighbours=neighbours)
