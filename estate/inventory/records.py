"""What an inventory says about one server, whatever tool exported it (plain values)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Source:
    """Where a server came from: file, sheet and 1-based row (the spreadsheet's own row number)."""

    file: str
    sheet: str
    row: int

    def __str__(self) -> str:
        return f"{self.file} sheet {self.sheet} row {self.row}"


@dataclass
class InventoryServer:
    name: str
    source: Source
    cpus: int
    memory_mib: float
    os_texts: tuple[str, ...]
    powered_on: bool = True
    template: bool = False
    cluster: str = ""
    host: str = ""
    folder: str = ""
    annotation: str = ""
    attributes: dict[str, str] = field(default_factory=dict)
    disks_gib: list[float] = field(default_factory=list)
    provisioned_gib: float | None = None
    used_gib: float | None = None
    ips: list[str] = field(default_factory=list)
    cpu_utilisation: float | None = None  # percent, 0-100
    memory_utilisation: float | None = None  # percent, 0-100
    bits: int | None = None  # 32 or 64 where the inventory says


@dataclass
class Inventory:
    tool: str  # "rvtools" or "azure-migrate"
    file: str
    servers: list[InventoryServer]
