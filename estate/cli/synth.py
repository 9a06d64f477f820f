"""`estate synth`: write each stack's plan (the `pulumi preview --json` shape) without Azure or the pulumi CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from estate.app.synth import DEFAULT_OUT
from estate.cli.app import app
from estate.definition.loader import DEFAULT_ESTATE_FILE


@app.command()
def synth(
    stacks: Annotated[list[str] | None, typer.Argument(help="Stacks to synthesise (platform, wave-<name>, retained).",
                                                       show_default=False)] = None,
    all_stacks: Annotated[bool, typer.Option("--all", help="Synthesise every stack the estate defines.")] = False,
    out: Annotated[Path, typer.Option("--out", help="Folder for the plans, one <stack>.json each.")] = DEFAULT_OUT,
    estate_file: Annotated[Path, typer.Option("--estate", help="The estate definition (YAML); stack settings are read "
                                              "from Pulumi.<stack>.yaml in the stackConfigDir of the nearest "
                                              "Pulumi.yaml above it, else beside it.")] = DEFAULT_ESTATE_FILE,
    jobs: Annotated[int | None, typer.Option("--jobs", min=1, show_default=False,
                                             help="Processes for the stacks after the platform (default: one per "
                                             "core, or $ESTATE_SYNTH_JOBS); 1 runs them one after another. The "
                                             "plans are the same either way.")] = None,
) -> None:
    """Run the Pulumi program offline under Pulumi's mock runtime and write each stack's plan.

    Plans have exactly the shape `pulumi preview --json` prints, so `estate check` and `estate forecast`
    read them like a real preview. The same estate always gives byte-identical plans.
    """
    from estate.app.synth import synthesise_plans

    result = synthesise_plans(stacks or [], all_stacks=all_stacks, out=out, estate_file=estate_file, jobs=jobs)
    for plan in result.plans:
        typer.echo(f"{plan.stack}: {plan.resources} resources -> {plan.path}")
        for resource_type, count in sorted(plan.by_type.items()):
            typer.echo(f"  {count:5d}  {resource_type}")
    count = len(result.plans)
    typer.echo(f"{count} stack{'s' if count != 1 else ''}, {result.resources} resources in {result.seconds:.2f} s")
