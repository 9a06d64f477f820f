"""supported-os: no VM image whose operating system is out of support when its wave goes live.

The OS is the row of estate/foundation/reference/operating_systems.csv whose Azure Marketplace image matches the VM's
`storageProfile.imageReference`; its end of support (with Azure's free extended security updates where
they exist) is data in that table, with its source. The go-live date is the first day of the planned month
of the wave named by the VM's `wave` tag (today for a VM outside the estate's waves). Out of support at
go-live is a mandatory violation; ending within 12 months of go-live is advisory.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from functools import cache
from typing import Any

from estate.foundation.reference import OperatingSystem, operating_systems
from policies.rules.base import ADVISORY, MANDATORY, GuardrailSettings, PlanContext, Resource, Violation

NAME = "supported-os"
DESCRIPTION = "No VM runs an operating system that is out of support (or within 12 months of it) at go-live."
REMEDIATION = "upgrade the OS image before the wave goes live, or retire or retain the server"
ADVISORY_MONTHS = 12
_IMAGE_PATHS = {
    "azure-native:compute:VirtualMachine": ("storageProfile", "imageReference"),
    "azure-native:compute:VirtualMachineScaleSet": ("virtualMachineProfile", "storageProfile", "imageReference"),
}
_VERSION_SEPARATORS = ("-", ".", "_")


@cache
def _images() -> dict[tuple[str, str], list[OperatingSystem]]:
    by_offer: dict[tuple[str, str], list[OperatingSystem]] = {}
    for system in operating_systems().values():
        if system.has_azure_image:
            by_offer.setdefault((system.image_publisher.lower(), system.image_offer.lower()), []).append(system)
    return by_offer


def identify_os(image_reference: Mapping[str, Any]) -> OperatingSystem | None:
    """The operating system of a Marketplace image reference (publisher, offer, sku), if the table knows it."""
    publisher, offer, sku = (str(image_reference.get(key, "")).lower() for key in ("publisher", "offer", "sku"))
    candidates = _images().get((publisher, offer), [])
    for system in candidates:
        if system.image_sku.lower() == sku:
            return system
    # Other SKUs of the same release (`2016-datacenter-smalldisk`, `7.9`): the longest version prefix wins.
    by_version = [system for system in candidates if sku == system.version.lower()
                  or sku.startswith(tuple(system.version.lower() + sep for sep in _VERSION_SEPARATORS))]
    if by_version:
        return max(by_version, key=lambda system: len(system.version))
    releases = {(system.os, system.version) for system in candidates}
    return candidates[0] if len(releases) == 1 else None


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    return date(day.year + month_index // 12, month_index % 12 + 1, 1)


def support_problem(system: OperatingSystem, go_live_day: date) -> tuple[str, str] | None:
    """(enforcement, message) if `system` is out of support at go-live, or ends within 12 months of it."""
    ends = system.support_ends(in_azure=True)
    extended = " (with Azure extended security updates)" if system.azure_extended_end else ""
    if ends < go_live_day:
        return MANDATORY, (f"{system.display_name} is out of support at go-live {go_live_day.isoformat()}: support"
                           f"{extended} ended {ends.isoformat()}")
    if ends < add_months(go_live_day, ADVISORY_MONTHS):
        return ADVISORY, (f"{system.display_name} support{extended} ends {ends.isoformat()}, within "
                          f"{ADVISORY_MONTHS} months of go-live {go_live_day.isoformat()}")
    return None


def _image_reference(resource: Resource) -> Mapping[str, Any] | None:
    node: Any = resource.inputs
    for key in _IMAGE_PATHS.get(resource.type, ()):
        node = node.get(key) if isinstance(node, Mapping) else None
    return node if isinstance(node, Mapping) and resource.type in _IMAGE_PATHS else None


def check(resource: Resource, settings: GuardrailSettings, context: PlanContext) -> Iterator[Violation]:
    """Violations of supported-os by one resource."""
    reference = _image_reference(resource)
    if reference is None or settings.exemption(NAME, resource):
        return
    system = identify_os(reference)
    if system is None:
        return
    wave = resource.tags.get("wave")
    planned = settings.go_live_by_wave.get(wave) if isinstance(wave, str) else None
    problem = support_problem(system, planned or settings.today)
    if problem is None:
        return
    enforcement, message = problem
    basis = f"wave {wave}" if planned else "today (the VM's wave tag names no wave of the estate)"
    path = ".".join(("inputs", *_IMAGE_PATHS[resource.type]))
    yield Violation(NAME, enforcement, resource.urn, resource.type, path, dict(reference),
                    f"{message} [{basis}]; {REMEDIATION}")
