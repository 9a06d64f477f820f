"""`estate synth`: write each stack's plan (the `pulumi preview --json` shape) without Azure or the pulumi CLI."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from estate.cli.app import app
from estate.definition.loader import DEFAULT_ESTATE_FILE, load_estate
from estate.definition.model import Estate

DEFAULT_OUT = Path("out/plans")


@app.command()
def synth(
    stacks: Annotated[list[str] | None, typer.Argument(help="Stacks to synthesise (platform, wave-<name>, retained).",
                                                       show_default=False)] = None,
    all_stacks: Annotated[bool, typer.Option("--all", help="Synthesise every stack the estate defines.")] = False,
    out: Annotated[Path, typer.Option("--out", help="Folder for the plans, one <stack>.json each.")] = DEFAULT_OUT,
    estate_file: Annotated[Path, typer.Option("--estate", help="The estate definition (YAML); stack settings are read "
                                              "from Pulumi.<stack>.yaml in the stackConfigDir of the nearest "
                                              "Pulumi.yaml above it, else beside it.")] = DEFAULT_ESTATE_FILE,
) -> None:
    """Run the Pulumi program offline under Pulumi's mock runtime and write each stack's plan.

    Plans have exactly the shape `pulumi preview --json` prints, so `estate check` and `estate forecast`
    read them like a real preview. The same estate always gives byte-identical plans.
    """
    started = time.perf_counter()
    estate = load_estate(estate_file)
    from estate.synth.levers import leave_garbage_to_process_exit, paused_gc
    from estate.synth.synthesis import choose_stacks

    chosen = choose_stacks(estate, stacks or [], all_stacks)
    with paused_gc():
        _synthesise_and_write(estate, estate_file, chosen, out, started)
        leave_garbage_to_process_exit()


def _synthesise_and_write(estate: Estate, estate_file: Path, stacks: list[str], out: Path, started: float) -> None:
    from estate.foundation.files import write_atomic
    from estate.synth.preview import dumps, resources_by_type
    from estate.synth.synthesis import synthesise

    run = synthesise(estate, estate_file, None, stacks)
    # Everything is synthesised before anything is written: a failing stack leaves no plans behind.
    texts = {plan.stack: dumps(plan.document) for plan in run.plans}
    total = 0
    for plan in run.plans:
        path = write_atomic(out / f"{plan.stack}.json", texts[plan.stack])
        by_type = resources_by_type(plan.document)
        total += sum(by_type.values())
        typer.echo(f"{plan.stack}: {sum(by_type.values())} resources -> {path}")
        for resource_type, count in sorted(by_type.items()):
            typer.echo(f"  {count:5d}  {resource_type}")
    typer.echo(f"{len(run.plans)} stack{'s' if len(run.plans) != 1 else ''}, {total} resources in "
               f"{time.perf_counter() - started:.2f} s")
