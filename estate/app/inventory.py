"""Jobs from an inventory to an estate: import an RVTools or Azure Migrate export, plan the waves."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from estate.foundation.errors import UsageError


@dataclass(frozen=True)
class Imported:
    """What `import_inventory` wrote: the estate file, the import's result (sized, retained, skipped), and for a
    merge how many servers were updated and added."""

    written: Path
    result: Any  # estate.inventory.build.ImportResult
    merged_into: Path | None = None
    updated: int = 0
    added: int = 0


def import_inventory(tool: str, file: Path, out: Path, *, merge_into: Path | None = None, region: str = "uksouth",
                     families: str = "Dsv5,Esv5,Bsv2", sizing: str = "as-on-premises", comfort: float = 1.3,
                     include_powered_off: bool = False, org: str = "", short_name: str = "",
                     month: str | None = None, disk_rules: Path | None = None, out_of_support: str = "retain",
                     out_given: bool = True) -> Imported:
    """Read an inventory (`tool` rvtools or azure-migrate), size it for Azure and write an estate that validates
    (or update the servers of `merge_into`, written back to it unless `out_given`)."""
    from estate.foundation.reference import normalise_region
    from estate.inventory.build import ImportOptions, plan_import
    from estate.inventory.yamlout import dump, load_root, new_estate_text, next_month, write_validated
    from estate.inventory.yamlout import merge_into as merge

    region_id = normalise_region(region)
    if region_id not in ("uksouth", "ukwest"):
        raise UsageError(f"--region {region!r}: estate keeps every resource in uksouth or ukwest")
    if month is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise UsageError(f"--planned-month {month!r}: give a month as YYYY-MM")
    planned_month = month or next_month()
    options = ImportOptions(families=tuple(f.strip() for f in families.split(",") if f.strip()), sizing=sizing,
                            comfort_factor=comfort, include_powered_off=include_powered_off, disk_rules=disk_rules,
                            go_live=date(int(planned_month[:4]), int(planned_month[5:]), 1),
                            out_of_support=out_of_support)
    if not file.exists():
        raise UsageError(f"{file}: no such file or folder; give the exported inventory")
    if tool == "rvtools":
        from estate.inventory.rvtools import read_rvtools

        inventory = read_rvtools(file)
    else:
        from estate.inventory.azure_migrate import read_azure_migrate

        inventory = read_azure_migrate(file)
    result = plan_import(inventory, options)
    if merge_into is not None:
        root = load_root(merge_into)
        updated, added = merge(root, result, planned_month=planned_month,
                               business_case_line=options.business_case_line)
        written = write_validated(out if out_given else merge_into, dump(root))
        return Imported(written, result, merge_into, updated, added)
    text, data = new_estate_text(result, org=org, short_name=short_name, region=region_id,
                                 planned_month=planned_month, business_case_line=options.business_case_line)
    return Imported(write_validated(out, text, data), result)


@dataclass(frozen=True)
class PlannedWaves:
    written: Path
    result: Any  # estate.waves.apply's result: plan, months, flags, warnings


def plan_waves(estate_file: Path, *, dependencies: Path | None = None, max_servers: int = 50,
               first_month: str | None = None, months_between: int = 1, keep_together: str | None = None,
               pilot_size: int = 10, out: Path | None = None) -> PlannedWaves:
    """Group the estate's servers into waves (dependencies together, a pilot first, then by complexity) and write
    them into the estate (or `out`), keeping its comments."""
    from estate.inventory.yamlout import next_month
    from estate.waves.apply import plan_estate_waves, write_waves

    month = first_month or next_month()
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise UsageError(f"--first-wave-month {month!r}: give a month as YYYY-MM")
    result = plan_estate_waves(estate_file, dependencies=dependencies, cap=max_servers, first_month=month,
                               months_between=months_between, keep_together=keep_together, pilot_size=pilot_size)
    return PlannedWaves(write_waves(result, out or estate_file), result)
