"""Server names made valid for Azure: letters, digits and hyphens; 15 characters for Windows computer names,
64 for other VM names; collisions resolved deterministically (sorted by original name, then -2, -3, ...)."""

from __future__ import annotations

import re

WINDOWS_LIMIT = 15
VM_LIMIT = 64


def clean(original: str, limit: int) -> str:
    name = original.strip()
    if "." in name and " " not in name and not re.fullmatch(r"[\d.]+", name):
        name = name.split(".", 1)[0]  # an FQDN: the host name is the first label
    name = re.sub(r"[^a-z0-9-]+", "-", name.lower())
    name = re.sub(r"-{2,}", "-", name).strip("-")
    name = name[:limit].rstrip("-")
    return name or "vm"


def assign_names(originals: list[tuple[str, bool]], taken: set[str] | None = None) -> dict[str, str]:
    """(original name, is Windows) -> valid unique Azure name; `taken` names are avoided."""
    used = set(taken or ())
    result: dict[str, str] = {}
    for original, windows in sorted(originals, key=lambda item: item[0]):
        limit = WINDOWS_LIMIT if windows else VM_LIMIT
        base = clean(original, limit)
        name, counter = base, 1
        while name in used:
            counter += 1
            suffix = f"-{counter}"
            name = base[: limit - len(suffix)].rstrip("-") + suffix
        used.add(name)
        result[original] = name
    return result
