"""Reference tables shipped with estate (see README.md beside this file for their sources)."""

from __future__ import annotations

import csv
import re
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


@dataclass(frozen=True)
class NamingRule:
    """One row of azure_naming_rules.csv: what Azure accepts as one name input of one resource type."""

    type: str
    arm_type: str
    name_input: str
    applies_to: str
    min_length: int
    max_length: int
    pattern: re.Pattern[str]
    scope: str
    rule: str
    source: str

    def problem(self, name: str) -> str | None:
        """Why Azure refuses `name` for this input, or None if it accepts it."""
        if not self.min_length <= len(name) <= self.max_length:
            return (f"{name!r} is {len(name)} characters; {self.arm_type} names are "
                    f"{self.min_length}-{self.max_length}")
        if not self.pattern.fullmatch(name):
            return f"{name!r} is not a valid {self.arm_type} name ({self.rule})"
        return None


@cache
def naming_rules() -> dict[str, tuple[NamingRule, ...]]:
    """Resource type token -> its naming rules, from azure_naming_rules.csv."""
    table: dict[str, list[NamingRule]] = {}
    for row in reference_rows("azure_naming_rules.csv"):
        rule = NamingRule(type=row["type"], arm_type=row["arm_type"], name_input=row["name_input"],
                          applies_to=row["applies_to"], min_length=int(row["min_length"]),
                          max_length=int(row["max_length"]), pattern=re.compile(row["pattern"]), scope=row["scope"],
                          rule=row["rule"], source=row["source"])
        table.setdefault(rule.type, []).append(rule)
    return {key: tuple(rules) for key, rules in table.items()}


@cache
def reserved_words() -> tuple[tuple[str, str], ...]:
    """(word, forbidden_as) from azure_reserved_words.csv; forbidden_as is whole, substring or start."""
    return tuple((row["word"].lower(), row["forbidden_as"]) for row in reference_rows("azure_reserved_words.csv"))


def reserved_word_problem(name: str) -> str | None:
    """Why a public-endpoint name is refused as a reserved word (Azure's ReservedResourceName), or None."""
    lowered = name.lower()
    for word, kind in reserved_words():
        if (kind == "whole" and lowered == word) or (kind == "substring" and word in lowered) \
                or (kind == "start" and lowered.startswith(word)):
            where = {"whole": "is", "substring": "contains", "start": "starts with"}[kind]
            return f"{name!r} {where} the reserved word {word.upper()!r}"
    return None


@cache
def vm_size_regions() -> dict[tuple[str, str], bool]:
    """(VM family, region) -> offered there, from vm_size_regions.csv."""
    return {(row["family"], row["region"]): row["offered"] == "true" for row in reference_rows("vm_size_regions.csv")}


def size_offered(size: str, region: str) -> bool | None:
    """True/False if the table knows whether `size` is sold in `region`; None if it does not know."""
    known = vm_sizes().get(size)
    if known is None:
        return None
    return vm_size_regions().get((known.family, region))
