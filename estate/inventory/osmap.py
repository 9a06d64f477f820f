"""Operating-system text from an inventory ("Microsoft Windows Server 2008 R2 (64-bit)") -> the model's OS id."""

from __future__ import annotations

import re
from dataclasses import dataclass

from estate.foundation.reference import operating_systems

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("windows-server", re.compile(r"windows\s+(?:server\s+)?(?:\(r\)\s*)?(?:web\s+server\s+)?(\d{4})(\s*r2)?", re.I)),
    ("rhel", re.compile(r"red\s*hat\s+enterprise\s+linux\s+(\d+)", re.I)),
    ("rhel", re.compile(r"\brhel\s*(\d+)", re.I)),
    ("ubuntu", re.compile(r"ubuntu\D*(\d{2}\.\d{2})", re.I)),
    ("sles", re.compile(r"suse\s+linux\s+enterprise(?:\s+server)?\s+(\d+)", re.I)),
)


@dataclass(frozen=True)
class MappedOs:
    os: str
    version: str
    text: str  # the inventory's text it came from
    runs_in_azure: bool
    why_not: str = ""


def map_os(texts: tuple[str, ...], bits: int | None = None) -> MappedOs | None:
    """The first of the texts (most precise first) that names a known OS; None if none does."""
    known = operating_systems()
    for raw in texts:
        for os_id, pattern in _PATTERNS:
            found = pattern.search(raw)
            if not found:
                continue
            version = found.group(1)
            if os_id == "windows-server" and found.lastindex and found.lastindex >= 2 and found.group(2):
                version += "-r2"
            system = known.get((os_id, version))
            if system is None:
                continue
            if not system.has_azure_image:
                return MappedOs(os_id, version, raw, False, f"{system.display_name} cannot run in Azure")
            if bits == 32 or "32-bit" in raw:
                return MappedOs(os_id, version, raw, False, f"{system.display_name} 32-bit: Azure runs 64-bit guests "
                                "only")
            return MappedOs(os_id, version, raw, True)
    return None
