"""What every rule reads and writes: a resource as a plan shows it, the estate's settings, and violations."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from estate.definition.model import DEFAULT_MANDATORY_TAGS, DEFAULT_SERVER_ONLY_TAGS, Estate, Exemption
from estate.foundation.plan import InputsView
from estate.foundation.reference import UK_REGIONS

MANDATORY = "mandatory"
ADVISORY = "advisory"
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def json_path(base: str, *parts: str | int) -> str:
    """('inputs', 'locations', 1, 'locationName') -> 'inputs.locations[1].locationName'; odd keys quoted."""
    text = base
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _IDENTIFIER.match(part):
            text += f".{part}"
        else:
            text += "['" + part.replace("'", "\\'") + "']"
    return text


@dataclass(frozen=True)
class Resource(InputsView):
    """One resource as the rules see it: its inputs (tags and Azure name read as the plan reader reads them), and
    the region its provider gives it if it sets none."""

    urn: str
    type: str
    name: str
    inputs: Mapping[str, Any]
    parent: str | None = None
    default_location: str | None = None
    default_location_source: str = ""
    # What the engine records it depends on: every URN, and per top-level input the URNs its value came from.
    dependencies: frozenset[str] = frozenset()
    op: str = "create"
    property_dependencies: Mapping[str, frozenset[str]] = field(default_factory=dict)



@dataclass(frozen=True)
class Violation:
    """One broken rule on one resource: where in its inputs, the offending value, and what to do."""

    rule: str
    enforcement: str
    urn: str | None
    type: str
    path: str
    value: Any
    message: str
    # Set when the violation is in a definition file (estate check --estate): where to point the reader.
    file: str | None = None
    line: int | None = None
    column: int | None = None

    @property
    def mandatory(self) -> bool:
        return self.enforcement == MANDATORY

    def as_json(self) -> dict[str, Any]:
        shape = {"rule": self.rule, "enforcement": self.enforcement, "urn": self.urn, "type": self.type,
                 "path": self.path, "value": self.value, "message": self.message}
        if self.file is not None:
            shape.update(file=self.file, line=self.line, column=self.column)
        return shape

    @property
    def where(self) -> str:
        """`FILE:LINE:COL` for a definition file, else the resource URN."""
        if self.file is None:
            return self.urn or ""
        return ":".join(str(part) for part in (self.file, self.line, self.column) if part is not None)


@dataclass(frozen=True)
class GuardrailSettings:
    """What the estate says the rules enforce: allowed regions, mandatory tags, wave dates, exemptions."""

    allowed_regions: tuple[str, ...] = UK_REGIONS
    mandatory_tags: tuple[str, ...] = DEFAULT_MANDATORY_TAGS
    server_only_tags: tuple[str, ...] = DEFAULT_SERVER_ONLY_TAGS
    go_live_by_wave: Mapping[str, date] = field(default_factory=dict)
    expressroute_gateway_public_ip: bool = False
    expressroute_gateway_sku: str | None = None
    exemptions: tuple[Exemption, ...] = ()
    today: date = field(default_factory=date.today)

    @classmethod
    def from_estate(cls, estate: Estate, today: date | None = None) -> GuardrailSettings:
        circuit = estate.connectivity.expressroute
        return cls(
            allowed_regions=tuple(estate.regions.allowed),
            mandatory_tags=tuple(estate.tags.mandatory),
            server_only_tags=tuple(estate.tags.server_only),
            go_live_by_wave={wave.name: go_live(wave.planned_month) for wave in estate.waves},
            expressroute_gateway_public_ip=bool(circuit and circuit.gateway_needs_public_ip),
            expressroute_gateway_sku=circuit.gateway_sku if circuit else None,
            exemptions=tuple(estate.exemptions),
            today=today or date.today(),
        )

    def exemption(self, rule: str, resource: Resource) -> Exemption | None:
        """The estate's exemption of `resource` from `rule`, if it declares one."""
        for exemption in self.exemptions:
            if exemption.rule == rule and exemption.covers(resource.name, resource.azure_name):
                return exemption
        return None


def go_live(planned_month: str) -> date:
    """'2020-03' -> 2020-03-01: a wave goes live at the start of its planned month."""
    year, month = planned_month.split("-")
    return date(int(year), int(month), 1)


@dataclass(frozen=True)
class PlanContext:
    """Facts about the whole plan a rule may need beyond one resource (e.g. which IP a gateway uses)."""

    expressroute_gateway_ips: frozenset[str] = frozenset()
    # The whole plan, for rules that look across resources (azure-preflight-*): every placed resource, and the
    # URNs of what it reads without managing (stack references, `Resource.get`).
    resources: tuple[Resource, ...] = ()
    reads: Mapping[str, str] = field(default_factory=dict)  # URN -> type
    # Resources of the other plans in the same check (another stack's subnet or vault), for lookups only.
    neighbours: tuple[Resource, ...] = ()
    # Where each estate-generated value came from (`FILE:LINE:COL` of the estate field), when the estate is given.
    estate_fields: Mapping[str, str] = field(default_factory=dict)
    # Per-check memo (the plan index the preflight rules share); not part of the context's value.
    memo: dict = field(default_factory=dict, compare=False, repr=False)


def allowed_list(regions: Iterable[str]) -> str:
    return ", ".join(regions)
