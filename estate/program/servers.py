"""Turn a wave's servers in the estate into the `ServerSpec`s the MigrationWave component builds."""

from __future__ import annotations

from estate.components.migration_wave import DiskSpec, ImageSpec, ServerSpec
from estate.definition.model import Estate, VirtualMachine, Wave
from estate.definition.stacks import server_tags

# Azure Hybrid Benefit licence types by operating system.
_LICENSE_TYPES = {"windows-server": "Windows_Server", "rhel": "RHEL_BYOS", "sles": "SLES_BYOS"}


def server_specs(estate: Estate, wave: Wave) -> tuple[ServerSpec, ...]:
    """Every server of the wave that moves (`retire` servers produce nothing), in estate order."""
    shared: dict[int, dict] = {}
    specs = []
    for server in estate.servers(wave):
        common = shared.get(id(server.vm))
        if common is None:
            common = shared[id(server.vm)] = _common(estate, wave, server.vm)
        specs.append(ServerSpec(name=server.name, region=server.region, **common))
    return tuple(specs)


def _common(estate: Estate, wave: Wave, vm: VirtualMachine) -> dict:
    """What every server of one estate entry shares (computed once per entry, not per server)."""
    system = vm.operating_system
    if system is None or not system.has_azure_image:
        raise ValueError(f"{vm.os} {vm.os_version} has no Azure image; `estate validate` reports this")
    tags = server_tags(estate, wave, vm)
    return {
        "size": vm.size,
        "image": ImageSpec(publisher=system.image_publisher, offer=system.image_offer, sku=system.image_sku),
        "windows": system.family == "windows",
        "os_disk": DiskSpec(size_gb=vm.os_disk.size_gb, sku=vm.os_disk.sku),
        "data_disks": tuple(DiskSpec(size_gb=disk.size_gb, sku=disk.sku) for disk in vm.data_disks),
        "license_type": _LICENSE_TYPES.get(system.os) if vm.hybrid_benefit else None,
        "zone": vm.zone,
        "backup": vm.backup,
        "tags": tags,
    }
