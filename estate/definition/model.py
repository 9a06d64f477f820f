"""The estate definition: what a platform team writes down about its landing zone, waves and retained hosts.

Pure data (pydantic v2). Shape and per-field rules live here; rules that look across fields (regions
against the allowed list, duplicate names, subnets inside address spaces) live in `estate.definition.rules`.
The model knows nothing of Pulumi, prices or the command line.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from ipaddress import IPv4Network
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from estate.foundation.email import check_email
from estate.foundation.reference import OperatingSystem, normalise_region, operating_systems, region_names
from estate.foundation.tags import LINE_TAG

# ExpressRoute provider circuits are sold in these bandwidths (ExpressRoute Direct ports are 10/100 Gbps
# and are not modelled here).
EXPRESSROUTE_BANDWIDTHS_MBPS = (50, 100, 200, 500, 1000, 2000, 5000, 10000)
# Gateway SKUs whose gateway needs a public IP address (Microsoft uses it to manage the gateway);
# the scalable ErGwScale gateway can run without one.
GATEWAY_SKUS_NEEDING_PUBLIC_IP = ("Standard", "HighPerformance", "UltraPerformance", "ErGw1AZ", "ErGw2AZ", "ErGw3AZ")
DEFAULT_MANDATORY_TAGS = (
    LINE_TAG,
    "wave",
    "cost-centre",
    "application",
    "migration-strategy",
    "reservation",
)
# Mandatory tags that describe a migrated server: the plan carries them on wave VMs, NICs and disks only.
DEFAULT_SERVER_ONLY_TAGS = ("application", "migration-strategy", "reservation")
# Guardrails an estate may exempt named resources from; uk-regions-only (data residency) has no exemptions.
EXEMPTIBLE_RULES = ("required-tags", "no-public-ip", "supported-os")
ALLOWED_LOCATIONS_POLICY = "e56962a6-4747-49cd-b67b-bf8b01975c4c"
ALLOWED_RG_LOCATIONS_POLICY = "e765b5de-1225-4ba3-bd56-1ac6695af988"


def _region(value: str) -> str:
    region = normalise_region(value)
    if region is None:
        raise ValueError(f"{value!r} is not an Azure region (use an ARM region id such as 'uksouth')")
    return region


def _text_version(value: Any) -> Any:
    # YAML reads 2016 as a number and 22.04 as a decimal; versions are names, so keep their text.
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return str(value)
    return value


def _zone(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Region = Annotated[str, AfterValidator(_region)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=40)]
Version = Annotated[str, BeforeValidator(_text_version)]
YearMonth = Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
Money = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2)]
DiskSku = Literal[
    "Standard_LRS", "StandardSSD_LRS", "StandardSSD_ZRS", "Premium_LRS", "Premium_ZRS", "PremiumV2_LRS", "UltraSSD_LRS"
]
Strategy = Literal["rehost", "replatform", "rebuild", "retire"]
Complexity = Literal["simple", "medium", "complex"]
Reservation = Literal["none", "1y", "3y"]


NAME_PATTERN_MAX = 80  # longer than any Azure VM name (64), so any real pattern fits
NAME_WIDTH_MAX = 15  # `{n:015}`: a Windows computer name has 15 characters
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{[^{}]*\}?|\}")
_ALLOWED_PLACEHOLDER = re.compile(r"\{n(?::0?(\d{1,2})d?)?\}")


def _bounded_pattern(value: str | None) -> str | None:
    """Refuse patterns whose expansion is unbounded: long patterns, wide or exotic placeholders (`{n:0999999999}`)."""
    if value is None:
        return value
    if len(value) > NAME_PATTERN_MAX:
        raise ValueError(f"name_pattern is {len(value)} characters, more than {NAME_PATTERN_MAX}")
    for match in _PLACEHOLDER.finditer(value):
        token = match.group(0)
        if token in ("{{", "}}"):
            continue
        allowed = _ALLOWED_PLACEHOLDER.fullmatch(token)
        if not allowed:
            raise ValueError(f"placeholder {token[:20]!r} is not allowed; use {{n}} or {{n:0W}} (e.g. {{n:02}})")
        if allowed.group(1) and int(allowed.group(1)) > NAME_WIDTH_MAX:
            raise ValueError(f"placeholder {token!r} pads to {int(allowed.group(1))} digits, more than "
                             f"{NAME_WIDTH_MAX}")
    return value


class Spec(BaseModel):
    """Base of every part of the definition: unknown keys are errors, values are immutable once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Organisation(Spec):
    name: str = Field(min_length=1)
    short_name: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9]{1,9}$")]
    billing_currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "GBP"
    financial_year_start_month: int = Field(4, ge=1, le=12)
    cost_centre: str = Field(min_length=1)
    contact_emails: list[Annotated[str, AfterValidator(check_email)]] = []


class Regions(Spec):
    allowed: list[Region] = Field(default_factory=lambda: ["uksouth", "ukwest"], min_length=1)
    primary: Region = "uksouth"
    secondary: Region | None = "ukwest"


class Tags(Spec):
    mandatory: list[Annotated[str, StringConstraints(min_length=1)]] = Field(
        default_factory=lambda: list(DEFAULT_MANDATORY_TAGS)
    )
    common: dict[str, str] = {}
    server_only: list[Annotated[str, StringConstraints(min_length=1)]] = Field(
        default_factory=lambda: list(DEFAULT_SERVER_ONLY_TAGS)
    )


class Subnet(Spec):
    name: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")]
    prefix: IPv4Network


class Hub(Spec):
    address_space: list[IPv4Network] = Field(min_length=1)
    subnets: list[Subnet] = Field(min_length=1)


class Spoke(Spec):
    """The network of a region other than the hub's: a VNet peered with the hub (both ways), with its subnets.

    Azure places a NIC only in a subnet of a VNet in the NIC's own region, so a wave in a second region needs one.
    """

    address_space: list[IPv4Network] = Field(min_length=1)
    subnets: list[Subnet] = Field(min_length=1)


class LogAnalytics(Spec):
    retention_days: int = Field(90, ge=30, le=730)
    daily_quota_gb: Decimal | None = Field(None, gt=0)


class KeyVault(Spec):
    sku: Literal["standard", "premium"] = "standard"
    purge_protection: bool = True
    soft_delete_retention_days: int = Field(90, ge=7, le=90)


class BackupPolicy(Spec):
    name: Slug = "daily"
    time_utc: Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):(00|30)$")] = "22:00"
    daily_retention_days: int = Field(30, ge=7, le=9999)
    weekly_retention_weeks: int | None = Field(12, ge=1, le=5163)
    monthly_retention_months: int | None = Field(12, ge=1, le=1188)


class RecoveryVault(Spec):
    storage_redundancy: Literal["GeoRedundant", "LocallyRedundant", "ZoneRedundant"] = "GeoRedundant"
    cross_region_restore: bool = True
    backup_policy: BackupPolicy = BackupPolicy()


class PolicyAssignment(Spec):
    name: Slug
    definition_id: Annotated[str, StringConstraints(min_length=1)]
    display_name: str | None = None
    parameters: dict[str, Any] = {}
    enforcement: Literal["Default", "DoNotEnforce"] = "Default"


def _default_policy_assignments() -> list[PolicyAssignment]:
    # The estate's allowed regions are filled in as `listOfAllowedLocations` where no parameters are given.
    return [
        PolicyAssignment(name="allowed-locations", definition_id=ALLOWED_LOCATIONS_POLICY,
                         display_name="Allowed locations"),
        PolicyAssignment(name="allowed-rg-locations", definition_id=ALLOWED_RG_LOCATIONS_POLICY,
                         display_name="Allowed locations for resource groups"),
    ]


class LandingZone(Spec):
    region: Region | None = None
    business_case_line: Slug
    hub: Hub
    log_analytics: LogAnalytics = LogAnalytics()
    key_vault: KeyVault = KeyVault()
    recovery_vault: RecoveryVault = RecoveryVault()
    policy_assignments: list[PolicyAssignment] = Field(default_factory=_default_policy_assignments)
    # Networks of the other regions waves use, by region (the hub serves the landing zone's own region).
    spokes: dict[Region, Spoke] = {}
    # Pulumi `protect` on the stateful resources (Key Vault, Recovery Services vaults, Log Analytics, the
    # ExpressRoute circuit, the hub and spoke VNets): `pulumi destroy` refuses to delete them while it is on.
    protect: bool = True


class PrivatePeering(Spec):
    """The circuit's Azure private peering (BGP with the provider's edge): what the provider gives you."""

    peer_asn: int = Field(ge=1, le=4294967295)
    primary_prefix: IPv4Network
    secondary_prefix: IPv4Network
    vlan_id: int = Field(ge=1, le=4094)


class GatewayConnection(Spec):
    """Step 2: connect the gateway to the circuit once the provider has provisioned it."""

    enabled: bool = False


class ExpressRoute(Spec):
    service_provider: str = Field(min_length=1)
    peering_location: str = Field(min_length=1)
    bandwidth_mbps: int
    sku_tier: Literal["Local", "Standard", "Premium"] = "Standard"
    sku_family: Literal["MeteredData", "UnlimitedData"] = "MeteredData"
    gateway_sku: Literal[
        "Standard", "HighPerformance", "UltraPerformance", "ErGw1AZ", "ErGw2AZ", "ErGw3AZ", "ErGwScale"
    ] = "ErGw1AZ"
    on_premises_prefixes: list[IPv4Network] = Field(min_length=1)
    # The circuit's private peering; required when the stack creates the circuit (no circuit_id).
    private_peering: PrivatePeering | None = None
    connection: GatewayConnection = GatewayConnection()
    # A circuit owned elsewhere (another subscription): its resource id, and the Pulumi secret holding the
    # authorisation key its owner issued. Without circuit_id the stack creates the circuit and needs no key.
    circuit_id: Annotated[str, StringConstraints(
        pattern=r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Network/expressRouteCircuits/[^/]+$"
    )] | None = None
    authorization_key_config: str | None = None
    business_case_line: Slug | None = None

    @property
    def creates_circuit(self) -> bool:
        return self.circuit_id is None

    @property
    def gateway_needs_public_ip(self) -> bool:
        return self.gateway_sku in GATEWAY_SKUS_NEEDING_PUBLIC_IP


class Connectivity(Spec):
    expressroute: ExpressRoute | None = None


class Disk(Spec):
    size_gb: int = Field(gt=0, le=65536)
    sku: DiskSku = "StandardSSD_LRS"


class VirtualMachine(Spec):
    """One server, or `count` identical servers named by `name_pattern` (e.g. `lcc-web-{n:02}`)."""

    name: str | None = None
    count: int | None = Field(None, ge=1, le=2000)
    name_pattern: Annotated[str | None, AfterValidator(_bounded_pattern)] = None
    size: str
    os: str
    os_version: Version
    os_disk: Disk = Disk(size_gb=128, sku="StandardSSD_LRS")
    data_disks: list[Disk] = []
    strategy: Strategy = "rehost"
    complexity: Complexity = "medium"
    hybrid_benefit: bool = False
    reservation: Reservation = "none"
    application: str = Field(min_length=1)
    business_case_line: Slug
    region: Region | None = None
    zone: Annotated[Literal["1", "2", "3"] | None, BeforeValidator(_zone)] = None
    backup: bool = True
    cost_centre: str | None = None
    tags: dict[str, str] = {}

    def names(self) -> list[str]:
        """The concrete server names this entry stands for."""
        if self.name_pattern and self.count:
            return [self.name_pattern.format(n=n) for n in range(1, self.count + 1)]
        return [self.name] if self.name else []

    @property
    def server_count(self) -> int:
        return len(self.names()) if self.strategy != "retire" else 0

    @property
    def operating_system(self) -> OperatingSystem | None:
        return operating_systems().get((self.os, self.os_version))


class Wave(Spec):
    name: Slug
    planned_month: YearMonth
    description: str = ""
    region: Region | None = None
    subnet: str
    vms: list[VirtualMachine] = Field(min_length=1)

    @property
    def stack(self) -> str:
        return f"wave-{self.name}"


class RetainedHosts(Spec):
    """Hosts that stay on site: a named group of `count` similar servers."""

    name: Slug
    site: str = Field(min_length=1)
    count: int = Field(ge=1)
    os: str
    os_version: Version
    reason: Literal["latency", "unsupported-os", "hardware-dependency", "licensing", "data-protection", "other"]
    reason_detail: str = ""
    arc: bool = False
    dr: Literal["none", "azure-site-recovery", "on-premises"] = "none"
    annual_run_cost: Money
    business_case_line: Slug
    cost_centre: str | None = None
    # The hosts' names, where known (an inventory import lists them); `estate waves plan` flags links to them.
    hosts: list[Annotated[str, StringConstraints(min_length=1)]] = []

    @property
    def operating_system(self) -> OperatingSystem | None:
        return operating_systems().get((self.os, self.os_version))


class Exemption(Spec):
    """Resources a guardrail does not apply to, and why: a reviewed, written-down exception."""

    rule: Literal[EXEMPTIBLE_RULES]  # type: ignore[valid-type]
    resources: list[Annotated[str, StringConstraints(min_length=1)]] = Field(min_length=1)
    reason: str = Field(min_length=1)

    def covers(self, *names: str | None) -> bool:
        """True if any of the resource's names (Pulumi name, Azure name) matches one of the patterns."""
        return any(fnmatch.fnmatchcase(name, pattern) for name in names if name for pattern in self.resources)


@dataclass(frozen=True)
class Server:
    """One concrete server of a wave, after `count` expansion."""

    name: str
    wave: Wave
    vm: VirtualMachine
    region: str


class Estate(Spec):
    version: Literal[1] = 1
    organisation: Organisation
    regions: Regions = Regions()
    tags: Tags = Tags()
    landing_zone: LandingZone
    connectivity: Connectivity = Connectivity()
    waves: list[Wave] = []
    retained: list[RetainedHosts] = []
    exemptions: list[Exemption] = []

    @property
    def primary_region(self) -> str:
        return self.landing_zone.region or self.regions.primary

    def wave(self, name: str) -> Wave:
        for wave in self.waves:
            if wave.name == name:
                return wave
        raise KeyError(name)

    def servers(self, wave: Wave | None = None, *, include_retired: bool = False) -> Iterator[Server]:
        """Every concrete server (after `count` expansion) of one wave or of all waves."""
        for each_wave in [wave] if wave else self.waves:
            for vm in each_wave.vms:
                if vm.strategy == "retire" and not include_retired:
                    continue
                region = vm.region or self.wave_region(each_wave)
                for name in vm.names():
                    yield Server(name=name, wave=each_wave, vm=vm, region=region)

    def wave_region(self, wave: Wave) -> str:
        """The region of a wave's network, resource group and backup vault."""
        return wave.region or self.primary_region

    def regions_used(self) -> list[str]:
        """The landing zone's region first, then every other region a wave or server is in (in estate order)."""
        regions = [self.primary_region]
        for wave in self.waves:
            for region in [self.wave_region(wave), *(vm.region for vm in wave.vms if vm.region)]:
                if region not in regions:
                    regions.append(region)
        return regions

    def stacks(self) -> list[str]:
        """The Pulumi stacks this estate defines, in deployment order."""
        return ["platform", *(wave.stack for wave in self.waves), "retained"]

    def tags_for(self, **values: str | None) -> dict[str, str]:
        """The estate's common tags plus the given ones (None values dropped), in a stable order."""
        merged = dict(self.tags.common)
        merged.setdefault("cost-centre", self.organisation.cost_centre)
        merged.update({key.replace("_", "-"): value for key, value in values.items() if value is not None})
        return dict(sorted(merged.items()))


def region_display(region: str) -> str:
    """`uksouth` -> `UK South (uksouth)`."""
    name = region_names().get(region)
    return f"{name} ({region})" if name else region


NAME_PATTERN_FIELD = re.compile(r"\{n(:[^}]*)?\}")
