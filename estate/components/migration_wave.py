"""MigrationWave: the servers of one wave as Azure VMs, each with its NIC (no public IP) and its backup."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi_azure_native import compute, network, recoveryservices, resources

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
    """The platform's vault in the wave's region, as the platform stack exports it."""

    vault_name: pulumi.Input[str]
    vault_resource_group_name: pulumi.Input[str]
    policy_id: pulumi.Input[str]


@dataclass(frozen=True)
class AdminCredentials:
    username: str
    password: pulumi.Input[str] | None = None  # Windows servers
    ssh_public_key: pulumi.Input[str] | None = None  # Linux servers


@dataclass(frozen=True)
class MigrationWaveArgs:
    resource_group_name: str
    region: str
    subnet_id: pulumi.Input[str]
    servers: tuple[ServerSpec, ...]
    backup: BackupTarget
    admin: AdminCredentials
    tags: dict[str, str]


# Every wave stack names its component the same, and its children by server alone, so a server's URNs differ
# between two wave stacks only in the stack: `pulumi state move --source wave-a --dest wave-b URN` then lands
# it exactly where the other wave's program registers it (docs/deploy.md, "Moving a server between waves").
COMPONENT_NAME = "servers"
# A moved server stays in the resource group it was created in (Azure cannot move a VM between groups through
# an update); its new wave keeps that group instead of replacing the VM.
_STAYS_PUT = ["resourceGroupName"]
_BACKUP_STAYS_PUT = ["containerName", "protectedItemName"]


class MigrationWave(pulumi.ComponentResource):
    """The wave's own resource group, and per server a NIC, a VM (image, managed disks, licence, boot
    diagnostics, zone) and its backup item. Outputs: `vmIds` and `privateIpAddresses` by server name."""

    resource_group: resources.ResourceGroup
    virtual_machines: dict[str, compute.VirtualMachine]
    vm_ids: dict[str, pulumi.Output[str]]
    private_ip_addresses: pulumi.Output[dict[str, str]]

    def __init__(self, name: str, args: MigrationWaveArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("estate:wave:MigrationWave", name, None, opts)
        # Retained on delete: a server moved to another wave may still live in this group.
        self.resource_group = resources.ResourceGroup(
            "resource-group", resource_group_name=args.resource_group_name, location=args.region, tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, retain_on_delete=True))
        # The group's plain name (known before deployment, so a first preview shows it, where its `name` output
        # is unknown), each child created after the group.
        group_name = args.resource_group_name
        # One options object per kind of child: each resource copies it, so sharing is safe and saves work.
        child = pulumi.ResourceOptions(parent=self, ignore_changes=_STAYS_PUT, depends_on=[self.resource_group])
        # The container and item names carry the VM's resource group; a moved server keeps its own.
        backup_child = pulumi.ResourceOptions(parent=self, ignore_changes=_BACKUP_STAYS_PUT)
        self.virtual_machines = {}
        addresses: dict[str, pulumi.Output[str]] = {}
        for server in args.servers:
            nic = network.NetworkInterface(
                f"nic-{server.name}", network_interface_name=naming.nic(server.name),
                resource_group_name=group_name, location=server.region, tags=server.tags,
                ip_configurations=[{"name": "ipconfig1", "subnet": {"id": args.subnet_id},
                                    "private_ip_allocation_method": "Dynamic"}],
                opts=child)
            addresses[server.name] = nic.ip_configurations.apply(_first_private_ip)
            vm = compute.VirtualMachine(
                f"vm-{server.name}", vm_name=server.name, resource_group_name=group_name,
                location=server.region, hardware_profile={"vm_size": server.size},
                storage_profile=_storage_profile(server), os_profile=_os_profile(server, args.admin),
                network_profile={"network_interfaces": [{"id": nic.id, "primary": True}]},
                license_type=server.license_type,
                diagnostics_profile={"boot_diagnostics": {"enabled": True}},
                zones=[server.zone] if server.zone else None, tags=server.tags, opts=child)
            self.virtual_machines[server.name] = vm
            if server.backup:
                _protect(server, vm, args, backup_child)
        self.vm_ids = {server: vm.id for server, vm in self.virtual_machines.items()}
        self.private_ip_addresses = pulumi.Output.all(**addresses)
        self.register_outputs({"vmIds": self.vm_ids, "privateIpAddresses": self.private_ip_addresses})


def _first_private_ip(configurations: Any) -> str | None:
    for configuration in configurations or []:
        address = getattr(configuration, "private_ip_address", None)
        if address:
            return address
    return None


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


def _protect(server: ServerSpec, vm: compute.VirtualMachine, args: MigrationWaveArgs,
             child: pulumi.ResourceOptions) -> None:
    recoveryservices.ProtectedItem(
        f"backup-{server.name}",
        protected_item_name=naming.backup_item(args.resource_group_name, server.name),
        container_name=naming.backup_container(args.resource_group_name, server.name), fabric_name="Azure",
        resource_group_name=args.backup.vault_resource_group_name, vault_name=args.backup.vault_name,
        location=server.region, tags=server.tags, opts=child,
        # An Args class, not a dict: `properties` is a union, translated to camelCase only from a concrete type.
        properties=recoveryservices.AzureIaaSComputeVMProtectedItemArgs(
            protected_item_type="Microsoft.Compute/virtualMachines", source_resource_id=vm.id,
            policy_id=args.backup.policy_id))
