"""`estate import rvtools|azure-migrate`: an inventory -> a sized estate YAML that validates."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Literal

import typer

from estate.cli.app import app

group = typer.Typer(help="Import an inventory (RVTools, Azure Migrate) as a sized, validated estate.",
                    no_args_is_help=True)
app.add_typer(group, name="import")

Out = Annotated[Path, typer.Option("--out", help="The estate file to write.")]
MergeInto = Annotated[Path | None, typer.Option("--merge-into", help="Update the servers of this existing estate "
                                                "(written back to it unless --out is given), keeping everything else.")]
Region = Annotated[str, typer.Option("--region", help="Primary region of the new estate.")]
Families = Annotated[str, typer.Option("--families", help="VM size families to size into, comma separated.")]
Sizing = Annotated[Literal["as-on-premises", "utilisation"], typer.Option("--sizing", help="as-on-premises "
                                                                          "(configured vCPU/memory) or utilisation.")]
Comfort = Annotated[float, typer.Option("--comfort-factor", min=1.0, max=4.0,
                                        help="Headroom on utilisation (utilisation sizing).")]
PoweredOff = Annotated[bool, typer.Option("--include-powered-off", help="Import powered-off VMs too.")]
Org = Annotated[str, typer.Option("--org", help="Organisation name of the new estate.")]
ShortName = Annotated[str, typer.Option("--short-name", help="Resource-name prefix (2-10 lower-case letters/digits).")]
Month = Annotated[str | None, typer.Option("--planned-month", help="Month (YYYY-MM) of the imported wave "
                                           "(default: next month).")]
OutOfSupport = Annotated[Literal["retain", "keep"], typer.Option(
    "--out-of-support", help="Servers whose OS is out of support at go-live: retain them on site or keep them.")]
DiskRules = Annotated[Path | None, typer.Option("--disk-rules", help="CSV of disk rules (field,pattern,disk_sku,why) "
                                                "instead of estate/inventory/disk_rules.csv.")]


def _run(tool: str, file: Path, out: Path, merge_into: Path | None, region: str, families: str, sizing: str,
         comfort: float, include_powered_off: bool, org: str, short_name: str, month: str | None,
         disk_rules: Path | None, out_of_support: str) -> None:
    from estate.app.inventory import import_inventory

    done = import_inventory(tool, file, out, merge_into=merge_into, region=region, families=families, sizing=sizing,
                            comfort=comfort, include_powered_off=include_powered_off, org=org,
                            short_name=short_name, month=month, disk_rules=disk_rules,
                            out_of_support=out_of_support, out_given=out != DEFAULT_OUT)
    if done.merged_into is not None:
        typer.echo(f"merged into {done.merged_into}: {done.updated} servers updated, {done.added} added -> "
                   f"{done.written}")
    else:
        typer.echo(f"wrote {done.written}")
    _summary(done.result)


def _summary(result) -> None:  # result: estate.inventory.build.ImportResult
    from rich.table import Table

    from estate.cli.console import data_console

    table = Table(title=f"Import of {result.file} ({result.tool})", title_justify="left")
    table.add_column("what")
    table.add_column("VMs", justify="right")
    table.add_column("detail", overflow="fold")
    for what, count, detail in result.summary_rows():
        table.add_row(what, str(count), detail)
    console = data_console(width=None if sys.stdout.isatty() else 150)  # VM names and folders are data
    console.print(table)
    if result.skipped:
        skipped = Table(title="Skipped (left out of the estate)", title_justify="left")
        for column in ("VM", "reason", "where"):
            skipped.add_column(column, overflow="fold")
        for item in result.skipped:
            skipped.add_row(item.name, item.reason, str(item.source))
        console.print(skipped)


DEFAULT_OUT = Path("estate.yaml")


@group.command("rvtools")
def rvtools(
    file: Annotated[Path, typer.Argument(help="The RVTools export (.xlsx), or a folder of its CSVs (vInfo.csv, ...).")],
    out: Out = DEFAULT_OUT, merge_into: MergeInto = None, region: Region = "uksouth",
    families: Families = "Bsv2,Dsv5,Esv5", sizing: Sizing = "as-on-premises", comfort_factor: Comfort = 1.3,
    include_powered_off: PoweredOff = False, org: Org = "Imported estate", short_name: ShortName = "est",
    planned_month: Month = None, disk_rules: DiskRules = None, out_of_support: OutOfSupport = "retain",
) -> None:
    """Import an RVTools export: vInfo, vDisk, vPartition, vNetwork, vCPU and vMemory."""
    _run("rvtools", file, out, merge_into, region, families, sizing, comfort_factor, include_powered_off, org,
         short_name, planned_month, disk_rules, out_of_support)


@group.command("azure-migrate")
def azure_migrate(
    file: Annotated[Path, typer.Argument(help="Azure Migrate's discovered-servers / import CSV or .xlsx export.")],
    out: Out = DEFAULT_OUT, merge_into: MergeInto = None, region: Region = "uksouth",
    families: Families = "Bsv2,Dsv5,Esv5", sizing: Sizing = "as-on-premises", comfort_factor: Comfort = 1.3,
    include_powered_off: PoweredOff = False, org: Org = "Imported estate", short_name: ShortName = "est",
    planned_month: Month = None, disk_rules: DiskRules = None, out_of_support: OutOfSupport = "retain",
) -> None:
    """Import an Azure Migrate server export (CSV import template layout or the portal's export)."""
    _run("azure-migrate", file, out, merge_into, region, families, sizing, comfort_factor, include_powered_off, org,
         short_name, planned_month, disk_rules, out_of_support)
