"""`estate check`: the guardrails over plans (or over the estate definition before synthesis).

Exit 0 clean, 1 if any mandatory violation, 2 for input that cannot be read.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Literal

import typer

from estate.cli.app import app
from estate.definition.loader import DEFAULT_ESTATE_FILE
from estate.foundation.errors import EXIT_FINDINGS, InputError, UsageError
from estate.foundation.files import write_atomic

ESTATE_FILE_CONFIG = "estate:estateFile"


@app.command()
def check(
    plans: Annotated[list[Path] | None, typer.Argument(
        help="Plans to check: `estate synth` output or `pulumi preview --json > plan.json`. "
             "None: check the estate definition itself (see --estate).", show_default=False, metavar="PLAN")] = None,
    estate_file: Annotated[Path | None, typer.Option(
        "--estate", help="The estate definition giving allowed regions, mandatory tags, waves and exemptions "
                         "[default: the plan's estate:estateFile config, else stacks/estate.yaml]. "
                         "Without PLAN, its own rules are checked, pointing at FILE:LINE.",
        show_default=False, metavar="FILE")] = None,
    only: Annotated[list[str] | None, typer.Option(
        "--only", help="Run only this rule (repeatable): uk-regions-only, required-tags, no-public-ip, supported-os, "
                       "azure-preflight (all five azure-preflight-* rules) or one azure-preflight-* rule.",
        show_default=False, metavar="RULE")] = None,
    output_format: Annotated[Literal["text", "json", "sarif", "junit"], typer.Option(
        "--format", help="text, json, sarif (SARIF 2.1.0 for code scanning) or junit (CI test tabs).")] = "text",
    out: Annotated[Path | None, typer.Option(
        "--out", help="Write the report to FILE instead of standard output.", show_default=False,
        metavar="FILE")] = None,
) -> None:
    """Check plans against the estate's guardrails (UK regions only, mandatory tags, no public IPs, supported OS)."""
    from policies.output import render, summary
    from policies.rules import RULES

    rules = _selected_rules(only or [], RULES)
    names = {rule.name for rule in rules}
    if plans:
        settings_by_estate: dict[Path, object] = {}  # each estate file is read once, however many plans name it
        from estate.foundation.plan import load_plan

        loaded = [load_plan(path) for path in plans]  # each is checked with the others in view (cross-stack ids)
        results = [_check_plan(plan, loaded, estate_file, rules, settings_by_estate) for plan in loaded]
    else:
        from policies.estate_check import check_estate_file

        results = [check_estate_file(estate_file or DEFAULT_ESTATE_FILE, names)]
    report = render(results, output_format, rules)
    if out is not None:
        try:
            write_atomic(out, report)
        except OSError as error:
            raise UsageError(f"--out {out}: cannot write the report ({error.strerror or error}); "
                             "choose a writable path") from None
        for result in results:
            typer.echo(summary(result), err=True)
        typer.echo(f"report written to {out}", err=True)
    else:
        sys.stdout.write(report)
    if any(result.failed for result in results):
        raise typer.Exit(EXIT_FINDINGS)


def _selected_rules(only: list[str], known: dict) -> list:
    from policies.rules import FAMILIES

    only = [name for each in only for name in FAMILIES.get(each, (each,))]
    unknown = [name for name in only if name not in known]
    if unknown:
        raise UsageError(f"--only {unknown[0]!r}: no such rule; rules are {', '.join(known)}")
    return [rule for name, rule in known.items() if not only or name in only]


def _check_plan(plan, neighbours: list, estate_file: Path | None, rules: list, settings_by_estate: dict):
    from estate.definition.loader import load_estate
    from policies.plan_check import check_plan
    from policies.rules.base import GuardrailSettings

    estate_path = _estate_for(plan.config, estate_file)
    from policies.plan_check import estate_field_locations

    if estate_path not in settings_by_estate:
        if not estate_path.exists():
            raise InputError(f"{estate_path}: no such file; plans are checked against the estate's allowed regions, "
                             "mandatory tags and waves: give the estate definition with --estate FILE",
                             file=str(estate_path))
        settings_by_estate[estate_path] = GuardrailSettings.from_estate(load_estate(estate_path))
        settings_by_estate[(estate_path, "fields")] = estate_field_locations(estate_path)
    return check_plan(plan, settings_by_estate[estate_path], rules, stacks_dir=estate_path.parent,
                      estate_fields=settings_by_estate[(estate_path, "fields")], neighbours=neighbours)


def _estate_for(config: dict, estate_file: Path | None) -> Path:
    if estate_file is not None:
        return estate_file
    named = config.get(ESTATE_FILE_CONFIG)
    if isinstance(named, str) and Path(named).is_file():
        return Path(named)
    return DEFAULT_ESTATE_FILE

