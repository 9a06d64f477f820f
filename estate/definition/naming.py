"""CAF-style Azure resource names, derived deterministically from the estate (one place for every name).

Names follow the Cloud Adoption Framework pattern `<type abbreviation>-<organisation>-<purpose>-<region>`, so
the same estate always yields the same names and plans diff cleanly in review.
"""

from __future__ import annotations

import hashlib

# Key Vault names are global (one namespace for all of Azure), 3-24 characters of letters, digits and single
# hyphens, starting with a letter and ending with a letter or digit
# (https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftkeyvault).
KEY_VAULT_MAX = 24
UNIQUE_SUFFIX_LENGTH = 6

# Short region codes keep names inside Azure's length limits (Key Vault: 24 characters).
_REGION_CODES = {"uksouth": "uks", "ukwest": "ukw"}


def region_code(region: str) -> str:
    """`uksouth` -> `uks`; other regions keep their ARM id."""
    return _REGION_CODES.get(region, region)


def resource_group(short_name: str, purpose: str, region: str) -> str:
    return f"rg-{short_name}-{purpose}-{region_code(region)}"


def wave_resource_group(short_name: str, wave: str, region: str) -> str:
    return resource_group(short_name, f"wave-{wave}", region)


def hub_vnet(short_name: str, region: str) -> str:
    return f"vnet-{short_name}-hub-{region_code(region)}"


def nsg(short_name: str, subnet: str) -> str:
    return f"nsg-{short_name}-{subnet}"


def log_analytics(short_name: str, region: str) -> str:
    return f"log-{short_name}-platform-{region_code(region)}"


def unique_suffix(*parts: str) -> str:
    """Six hex digits derived from the given estate fields: the same estate always gives the same suffix,
    two organisations with the same short name (almost always) different ones."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:UNIQUE_SUFFIX_LENGTH]


def key_vault(short_name: str, region: str, unique: str) -> str:
    """`kv-<org>-<region>-<suffix>`, at most 24 characters: the prefix is shortened, never the suffix."""
    head = f"kv-{short_name}-{region_code(region)}"[:KEY_VAULT_MAX - UNIQUE_SUFFIX_LENGTH - 1]
    while "--" in head:
        head = head.replace("--", "-")
    return f"{head.rstrip('-')}-{unique}"


def spoke_vnet(short_name: str, region: str) -> str:
    return f"vnet-{short_name}-spoke-{region_code(region)}"


def peering(from_network: str, to_network: str) -> str:
    return f"peer-{from_network}-to-{to_network}"


def recovery_vault(short_name: str, purpose: str, region: str) -> str:
    return f"rsv-{short_name}-{purpose}-{region_code(region)}"


def expressroute_circuit(short_name: str, peering_location: str) -> str:
    return f"erc-{short_name}-{peering_location.lower().replace(' ', '')}"


def gateway(short_name: str, region: str) -> str:
    return f"vgw-{short_name}-er-{region_code(region)}"


def gateway_public_ip(short_name: str, region: str) -> str:
    return f"pip-{short_name}-vgw-er-{region_code(region)}"


def gateway_connection(short_name: str, peering_location: str) -> str:
    return f"con-{short_name}-er-{peering_location.lower().replace(' ', '')}"


def policy_assignment(short_name: str, name: str) -> str:
    return f"{short_name}-{name}"


def nic(server: str) -> str:
    return f"nic-{server}"


def os_disk(server: str) -> str:
    return f"osdisk-{server}"


def data_disk(server: str, lun: int) -> str:
    return f"disk-{server}-data-{lun:02}"


def backup_container(resource_group_name: str, server: str) -> str:
    """Azure Backup's container name for an Azure VM (the form the Backup API expects)."""
    return f"IaasVMContainer;iaasvmcontainerv2;{resource_group_name};{server}"


def backup_item(resource_group_name: str, server: str) -> str:
    return f"VM;iaasvmcontainerv2;{resource_group_name};{server}"
