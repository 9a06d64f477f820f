"""MigrationWave: the servers of one wave as Azure VMs, each with its NIC (no public IP) and its backup."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi_azure_native import compute, network, recoveryservices

from estate.definition import naming


@dataclass(frozen=True)
class DiskSpec:
    size_gb: int
    sku: str


@dataclass(frozen=True)
class ImageSpec:
    publisher: str
    offer: str
    sku: str
    version: str = "latest"


@dataclass(frozen=True)
class ServerSpec:
    """One server as it will run in Azure; built by the program from the estate."""

    name: str
    region: str
    size: str
    image: ImageSpec
    windows: bool
    os_disk: DiskSpec
    data_disks: tuple[DiskSpec, ...]
    license_type: str | None
    zone: str | None
    backup: bool
    tags: dict[str, str]


@dataclass(frozen=True)
class BackupTarget:
    vault_name: str
    vault_resource_group_name: str
    policy_id: pulumi.Input[str]


@dataclass(frozen=True)
class AdminCredentials:
    username: str
    password: pulumi.Input[str] | None = None  # Windows servers
    ssh_public_key: pulumi.Input[str] | None = None  # Linux servers


@dataclass(frozen=True)
class MigrationWaveArgs:
    resource_group_name: str
    subnet_id: pulumi.Input[str]
    servers: tuple[ServerSpec, ...]
    backup: BackupTarget
    admin: AdminCredentials


class MigrationWave(pulumi.ComponentResource):
    """Per server a NIC, a VM (image, managed disks, licence, boot diagnostics, zone) and its backup item."""

    virtual_machines: dict[str, compute.VirtualMachine]

    def __init__(self, name: str, args: MigrationWaveArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("estate:wave:MigrationWave", name, None, opts)
        # One options object for every child: each resource copies it, so sharing is safe and saves work.
        child = pulumi.ResourceOptions(parent=self)
        self.virtual_machines = {}
        for server in args.servers:
            nic = network.NetworkInterface(
                f"{name}-nic-{server.name}", network_interface_name=naming.nic(server.name),
                resource_group_name=args.resource_group_name, location=server.region, tags=server.tags,
                ip_configurations=[{"name": "ipconfig1", "subnet": {"id": args.subnet_id},
                                    "private_ip_allocation_method": "Dynamic"}],
                opts=child)
            vm = compute.VirtualMachine(
                f"{name}-vm-{server.name}", vm_name=server.name, resource_group_name=args.resource_group_name,
                location=server.region, hardware_profile={"vm_size": server.size},
                storage_profile=_storage_profile(server), os_profile=_os_profile(server, args.admin),
                network_profile={"network_interfaces": [{"id": nic.id, "primary": True}]},
                license_type=server.license_type,
                diagnostics_profile={"boot_diagnostics": {"enabled": True}},
                zones=[server.zone] if server.zone else None, tags=server.tags, opts=child)
            self.virtual_machines[server.name] = vm
            if server.backup:
                _protect(name, server, vm, args, child)
        self.register_outputs({})


def _storage_profile(server: ServerSpec) -> dict[str, Any]:
    image = server.image
    return {
        "image_reference": {"publisher": image.publisher, "offer": image.offer, "sku": image.sku,
                            "version": image.version},
        "os_disk": {"name": naming.os_disk(server.name), "create_option": "FromImage", "caching": "ReadWrite",
                    "disk_size_gb": server.os_disk.size_gb,
                    "managed_disk": {"storage_account_type": server.os_disk.sku}},
        "data_disks": [
            {"lun": lun, "name": naming.data_disk(server.name, lun), "create_option": "Empty",
             "disk_size_gb": disk.size_gb, "managed_disk": {"storage_account_type": disk.sku}}
            for lun, disk in enumerate(server.data_disks)
        ],
    }


def _os_profile(server: ServerSpec, admin: AdminCredentials) -> dict[str, Any]:
    profile: dict[str, Any] = {"computer_name": server.name, "admin_username": admin.username}
    if server.windows:
        profile["admin_password"] = admin.password
        return profile
    profile["linux_configuration"] = {
        "disable_password_authentication": True,
        "ssh": {"public_keys": [{"path": f"/home/{admin.username}/.ssh/authorized_keys",
                                 "key_data": admin.ssh_public_key}]},
    }
    return profile


def _protect(name: str, server: ServerSpec, vm: compute.VirtualMachine, args: MigrationWaveArgs,
             child: pulumi.ResourceOptions) -> None:
    recoveryservices.ProtectedItem(
        f"{name}-backup-{server.name}",
        protected_item_name=naming.backup_item(args.resource_group_name, server.name),
        container_name=naming.backup_container(args.resource_group_name, server.name), fabric_name="Azure",
        resource_group_name=args.backup.vault_resource_group_name, vault_name=args.backup.vault_name,
        location=server.region, tags=server.tags, opts=child,
        # An Args class, not a dict: `properties` is a union, translated to camelCase only from a concrete type.
        properties=recoveryservices.AzureIaaSComputeVMProtectedItemArgs(
            protected_item_type="Microsoft.Compute/virtualMachines", source_resource_id=vm.id,
            policy_id=args.backup.policy_id))
