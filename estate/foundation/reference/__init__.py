"""Reference tables shipped with estate (see README.md beside this file for their sources)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

REFERENCE_DIR = Path(__file__).parent
UK_REGIONS = ("uksouth", "ukwest")


def reference_rows(name: str) -> list[dict[str, str]]:
    """The rows of one reference table beside this module (e.g. `Services.csv`), as dicts."""
    with (REFERENCE_DIR / name).open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def _squash(text: str) -> str:
    return "".join(text.lower().split())


@cache
def region_aliases() -> dict[str, str]:
    """Every known spelling of a region, lower-cased with spaces removed, mapped to its ARM region id."""
    aliases: dict[str, str] = {}
    for row in reference_rows("Regions.csv"):
        region_id = row["RegionId"].strip().lower()
        aliases[_squash(row["OriginalValue"])] = region_id
        aliases[_squash(row["RegionId"])] = region_id
        aliases[_squash(row["RegionName"])] = region_id
    return aliases


@cache
def region_names() -> dict[str, str]:
    """ARM region id -> display name (`uksouth` -> `UK South`)."""
    return {row["RegionId"].strip().lower(): row["RegionName"].strip() for row in reference_rows("Regions.csv")}


def normalise_region(value: str) -> str | None:
    """The ARM region id for any known spelling (`UK South`, `uks`, `UKSouth`), or None if unknown."""
    return region_aliases().get(_squash(value))


@dataclass(frozen=True)
class OperatingSystem:
    os: str
    version: str
    family: str
    display_name: str
    image_publisher: str
    image_offer: str
    image_sku: str
    end_of_support: date
    azure_extended_end: date | None
    source: str

    @property
    def has_azure_image(self) -> bool:
        return bool(self.image_publisher)

    @property
    def key(self) -> str:
        return f"{self.os} {self.version}"

    def support_ends(self, in_azure: bool = True) -> date:
        """The last day of security updates; in Azure the free extended updates count where they exist."""
        if in_azure and self.azure_extended_end:
            return self.azure_extended_end
        return self.end_of_support


@cache
def operating_systems() -> dict[tuple[str, str], OperatingSystem]:
    """(os, version) -> OperatingSystem, from operating_systems.csv."""
    table: dict[tuple[str, str], OperatingSystem] = {}
    for row in reference_rows("operating_systems.csv"):
        extended = row["azure_extended_end"].strip()
        entry = OperatingSystem(
            os=row["os"],
            version=row["version"],
            family=row["family"],
            display_name=row["display_name"],
            image_publisher=row["image_publisher"],
            image_offer=row["image_offer"],
            image_sku=row["image_sku"],
            end_of_support=date.fromisoformat(row["end_of_support"]),
            azure_extended_end=date.fromisoformat(extended) if extended else None,
            source=row["source"],
        )
        table[(entry.os, entry.version)] = entry
    return table


@dataclass(frozen=True)
class VmSize:
    size: str
    vcpus: int
    memory_gib: float
    family: str
    premium_storage: bool
    generations: tuple[int, ...] = (1, 2)


@cache
def vm_sizes() -> dict[str, VmSize]:
    """VM size name -> VmSize, from vm_sizes.csv."""
    return {
        row["size"]: VmSize(
            size=row["size"],
            vcpus=int(row["vcpus"]),
            memory_gib=float(row["memory_gib"]),
            family=row["family"],
            premium_storage=row["premium_storage"] == "true",
            generations=tuple(int(part) for part in row["generation"].split(",")),
        )
        for row in reference_rows("vm_sizes.csv")
    }


@cache
def disk_tiers() -> dict[str, list[tuple[int, str]]]:
    """Disk type family (Standard_LRS, StandardSSD, Premium) -> [(max size GiB, tier)], ascending.

    From managed_disk_tiers.csv: a managed disk is billed at, and can be provisioned up to, the smallest
    tier that holds it.
    """
    table: dict[str, list[tuple[int, str]]] = {}
    for row in reference_rows("managed_disk_tiers.csv"):
        table.setdefault(row["disk_type"], []).append((int(row["max_size_gib"]), row["tier"]))
    return {family: sorted(rows) for family, rows in table.items()}
