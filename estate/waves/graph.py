"""The dependency graph: who talks to whom, from an Azure Migrate dependency export or a `source,destination` CSV."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from estate.foundation.errors import InputError
from estate.inventory.tables import normalise_header

# [assumption] links on these ports are latency-critical (database, file-share and directory traffic), unless
# the CSV says otherwise in a `latency_critical` column.
LATENCY_CRITICAL_PORTS = frozenset({1433, 1434, 1521, 3306, 5432, 445, 389, 636, 88})
_SOURCE = ("source server name", "source", "source server", "from")
_DESTINATION = ("destination server name", "destination", "destination server", "to")
_PORT = ("destination port", "port")
_LATENCY = ("latency critical", "latency_critical", "latency")
_SOURCE_IP = ("source ip", "source ip address")
_DESTINATION_IP = ("destination ip", "destination ip address")


@dataclass(frozen=True)
class Link:
    source: str
    destination: str
    port: int | None
    latency_critical: bool
    row: int
    source_ip: str = ""
    destination_ip: str = ""


class UnionFind:
    def __init__(self, items: list[str]) -> None:
        self.parent = {item: item for item in items}

    def find(self, item: str) -> str:
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # the smaller name becomes the root: the same input always gives the same roots
            low, high = sorted((ra, rb))
            self.parent[high] = low

    def groups(self) -> list[list[str]]:
        found: dict[str, list[str]] = {}
        for item in self.parent:
            found.setdefault(self.find(item), []).append(item)
        return sorted((sorted(members) for members in found.values()), key=lambda g: g[0])


def read_links(path: Path) -> list[Link]:
    try:
        content = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{path}: cannot read the dependencies ({exc.strerror}); give the CSV exported from "
                         "Azure Migrate's dependency analysis or a source,destination CSV", file=str(path)) from exc
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text; save the dependency CSV as UTF-8", file=str(path)) from None
    rows = list(csv.reader(content.splitlines()))
    if not rows:
        raise InputError(f"{path}: empty; give a CSV with a header row (source,destination)", file=str(path))
    header = [normalise_header(title) for title in rows[0]]

    def column(names: tuple[str, ...]) -> int | None:
        return next((header.index(normalise_header(n)) for n in names if normalise_header(n) in header), None)

    c_source, c_destination = column(_SOURCE), column(_DESTINATION)
    if c_source is None or c_destination is None:
        raise InputError(f"{path}:1: needs a source and a destination column ('Source server name' and "
                         f"'Destination server name', or 'source,destination'); the header has: {', '.join(rows[0])}",
                         file=str(path))
    c_port, c_latency = column(_PORT), column(_LATENCY)
    c_source_ip, c_destination_ip = column(_SOURCE_IP), column(_DESTINATION_IP)

    def value(values: list[str], position: int | None) -> str:
        return values[position].strip() if position is not None and position < len(values) else ""

    links: list[Link] = []
    for number, values in enumerate(rows[1:], start=2):
        if not any(v.strip() for v in values):
            continue
        source, destination = value(values, c_source), value(values, c_destination)
        source_ip, destination_ip = value(values, c_source_ip), value(values, c_destination_ip)
        if not (source or source_ip) or not (destination or destination_ip):
            raise InputError(f"{path}:{number}: a link needs both a source and a destination (name or IP)",
                             file=str(path))
        port: int | None = None
        if c_port is not None and c_port < len(values) and values[c_port].strip():
            try:
                port = int(values[c_port].strip())
            except ValueError:
                raise InputError(f"{path}:{number}: column {rows[0][c_port]!r}: {values[c_port]!r} is not a port "
                                 "number", file=str(path)) from None
        if c_latency is not None and c_latency < len(values) and values[c_latency].strip():
            critical = values[c_latency].strip().lower() in ("true", "yes", "1", "y")
        else:
            critical = port in LATENCY_CRITICAL_PORTS
        links.append(Link(source, destination, port, critical, number, source_ip, destination_ip))
    return links
