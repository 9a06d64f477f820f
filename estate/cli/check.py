"""`estate check`: the guardrails over plans (or over the estate definition before synthesis).

Exit 0 clean, 1 if any mandatory violation, 2 for input that cannot be read.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Literal

import typer

from estate.cli.app import app
from estate.foundation.errors import EXIT_FINDINGS, UsageError
from estate.foundation.files import write_atomic


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
        "--only", help="Run only this rule (repeatable): uk-regions-only, required-tags, no-public-ip, supported-os.",
        show_default=False, metavar="RULE")] = None,
    previous: Annotated[Path | None, typer.Option(
        "--previous", help="With --estate and no PLAN: the folder of earlier plans; warn (advisory) for every "
                           "server whose wave changed since, naming the `pulumi state move` to run.",
        show_default=False, metavar="PLAN_DIR")] = None,
    output_format: Annotated[Literal["text", "json", "sarif", "junit"], typer.Option(
        "--format", help="text, json, sarif (SARIF 2.1.0 for code scanning) or junit (CI test tabs).")] = "text",
    out: Annotated[Path | None, typer.Option(
        "--out", help="Write the report to FILE instead of standard output.", show_default=False,
        metavar="FILE")] = None,
) -> None:
    """Check plans against the estate's guardrails (UK regions only, mandatory tags, no public IPs, supported OS)."""
    from estate.app.check import check as run_check
    from policies.output import render, summary

    run = run_check(plans or [], estate_file=estate_file, only=only, previous=previous)
    report = render(run.results, output_format, run.rules)
    if out is not None:
        try:
            write_atomic(out, report)
        except OSError as error:
            raise UsageError(f"--out {out}: cannot write the report ({error.strerror or error}); "
                             "choose a writable path") from error
        for result in run.results:
            typer.echo(summary(result), err=True)
        typer.echo(f"report written to {out}", err=True)
    else:
        from estate.foundation.safe_text import plain_text

        # Names and values in the text report come from plans: no escape sequence reaches the terminal.
        sys.stdout.write(plain_text(report) if output_format == "text" else report)
    if run.failed:
        raise typer.Exit(EXIT_FINDINGS)
