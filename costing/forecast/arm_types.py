"""ARM resource types <-> azure-native type tokens, and the FOCUS service name of each (Services.csv)."""

from __future__ import annotations

from functools import cache

from estate.foundation.reference import reference_rows

# ARM type (lower case) -> azure-native token, for the types whose names do not follow the plain rule
# (namespace `Microsoft.<module>`, resource type = the token's name in lower case plus "s").
ARM_TO_TOKEN = {
    "microsoft.dbforpostgresql/flexibleservers": "azure-native:dbforpostgresql:Server",
    "microsoft.web/staticsites": "azure-native:web:StaticSite",
    "microsoft.containerservice/managedclusters": "azure-native:containerservice:ManagedCluster",
    "microsoft.recoveryservices/vaults/backupfabrics/protectioncontainers/protecteditems":
        "azure-native:recoveryservices:ProtectedItem",
    "microsoft.network/publicipaddresses": "azure-native:network:PublicIPAddress",
}
TOKEN_TO_ARM = {token: arm for arm, token in ARM_TO_TOKEN.items()}


def arm_type_of(token: str) -> str:
    """`azure-native:compute:VirtualMachine` -> `microsoft.compute/virtualmachines`."""
    if token in TOKEN_TO_ARM:
        return TOKEN_TO_ARM[token]
    parts = token.split(":")
    if len(parts) != 3 or parts[0] != "azure-native":
        return token.lower()
    return f"microsoft.{parts[1].lower()}/{parts[2].lower()}s"


def token_of(arm_type: str) -> str | None:
    """`Microsoft.Compute/virtualMachines` -> `azure-native:compute:VirtualMachine` (None if not a known shape)."""
    lowered = arm_type.lower()
    if lowered in ARM_TO_TOKEN:
        return ARM_TO_TOKEN[lowered]
    namespace, _, kind = lowered.partition("/")
    if not namespace.startswith("microsoft.") or not kind or "/" in kind:
        return None
    from costing.forecast.registry import COST_MODELS, FREE_TYPES

    module = namespace.removeprefix("microsoft.")
    for token in (*COST_MODELS, *FREE_TYPES):
        if arm_type_of(token) == f"microsoft.{module}/{kind}":
            return token
    return None


@cache
def _services() -> dict[str, str]:
    table: dict[str, str] = {}
    for row in reference_rows("Services.csv"):
        # Prefer the row whose consumed service is the type's own namespace.
        resource_type = row["ResourceType"].lower()
        if resource_type not in table or row["ConsumedService"].lower() == resource_type.split("/")[0]:
            table[resource_type] = row["ServiceName"]
    return table


def service_name(token: str) -> str:
    """The FOCUS ServiceName of a type (`Virtual Machines`, `Azure ExpressRoute`), else its ARM type."""
    arm = arm_type_of(token)
    if arm.startswith("microsoft.recoveryservices/vaults"):
        arm = "microsoft.recoveryservices/vaults"
    return _services().get(arm, arm)
