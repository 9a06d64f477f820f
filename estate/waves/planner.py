"""Wave planning on plain values: units (servers or groups of identical servers), links between them, a cap.

1. Connected components (union-find) of the dependency links and the keep-together groups.
2. A component larger than the cap is split greedily along the fewest links: a part grows from its
   least-connected unit by adding the unit with the most links into the part (ties by name) until the cap;
   every link cut is reported with its reason.
3. A pilot wave of simple units without links, then the parts by complexity (simple, medium, complex),
   each level packed first-fit-decreasing under the cap. Sorted throughout: the same input gives the same plan.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

from estate.waves.graph import UnionFind

COMPLEXITY_RANK = {"simple": 0, "medium": 1, "complex": 2}


@dataclass(frozen=True)
class Unit:
    key: str  # unique (the server name, or the name pattern of a group of identical servers)
    servers: int
    complexity: str
    groups: tuple[str, ...] = ()  # keep-together group labels


@dataclass(frozen=True)
class Cut:
    source: str
    destination: str
    reason: str


@dataclass
class PlannedWave:
    index: int
    name: str
    units: list[str] = field(default_factory=list)
    servers: int = 0
    complexity: str = "simple"
    cuts: int = 0


@dataclass
class WavePlan:
    waves: list[PlannedWave]
    cuts: list[Cut]
    wave_of: dict[str, str]
    oversized: list[str] = field(default_factory=list)  # units of more servers than the cap: a wave each


def _components(units: dict[str, Unit], edges: set[tuple[str, str]]) -> list[list[str]]:
    finder = UnionFind(sorted(units))
    for a, b in sorted(edges):
        finder.union(a, b)
    by_group: dict[str, str] = {}
    for key in sorted(units):
        for label in units[key].groups:
            if label in by_group:
                finder.union(by_group[label], key)
            else:
                by_group[label] = key
    return finder.groups()


def _split(members: list[str], units: dict[str, Unit], adjacency: dict[str, set[str]], cap: int) -> list[list[str]]:
    remaining = set(members)
    parts: list[list[str]] = []
    while remaining:
        seed = min(remaining, key=lambda k: (len(adjacency[k] & remaining), k))
        part, size = [seed], units[seed].servers
        remaining.discard(seed)
        score: dict[str, int] = {}
        heap: list[tuple[int, str]] = []
        for neighbour in adjacency[seed] & remaining:
            score[neighbour] = score.get(neighbour, 0) + 1
            heapq.heappush(heap, (-score[neighbour], neighbour))
        while True:
            chosen = None
            skipped: list[tuple[int, str]] = []
            while heap:
                negative, key = heapq.heappop(heap)
                if key not in remaining or -negative != score.get(key):
                    continue
                if size + units[key].servers <= cap:
                    chosen = key
                    break
                skipped.append((negative, key))
            for item in skipped:
                heapq.heappush(heap, item)
            if chosen is None:
                # no linked unit fits: fill with unlinked members of the component (keep-together groups)
                chosen = next((k for k in sorted(remaining) if size + units[k].servers <= cap), None)
                if chosen is None:
                    break
            part.append(chosen)
            size += units[chosen].servers
            remaining.discard(chosen)
            for neighbour in adjacency[chosen] & remaining:
                score[neighbour] = score.get(neighbour, 0) + 1
                heapq.heappush(heap, (-score[neighbour], neighbour))
        parts.append(sorted(part))
    return parts


def plan_waves(units: list[Unit], links: list[tuple[str, str]], *, cap: int, pilot_size: int = 10,
               not_pilot: frozenset[str] = frozenset()) -> WavePlan:
    """Waves for the units; `links` are (unit key, unit key) pairs (links to anything else are left out);
    `not_pilot` units (e.g. linked to retained hosts) never go into the pilot."""
    table = {unit.key: unit for unit in units}
    edges = {tuple(sorted((a, b))) for a, b in links if a in table and b in table and a != b}
    adjacency: dict[str, set[str]] = {key: set() for key in table}
    for a, b in edges:
        adjacency[a].add(b)
        adjacency[b].add(a)
    parts: list[tuple[list[str], bool]] = []  # (units, split from a bigger component)
    cuts: list[Cut] = []
    for component in _components(table, edges):
        total = sum(table[k].servers for k in component)
        if total <= cap:
            parts.append((component, False))
            continue
        pieces = _split(component, table, adjacency, cap)
        part_of = {key: index for index, piece in enumerate(pieces) for key in piece}
        reason = f"component of {total} servers exceeds --max-servers-per-wave {cap}"
        for a, b in sorted(edges):
            if a in part_of and b in part_of and part_of[a] != part_of[b]:
                cuts.append(Cut(a, b, reason))
        groups = sorted({g for key in component for g in table[key].groups})
        for label in groups:
            holders = {part_of[k] for k in component if label in table[k].groups}
            if len(holders) > 1:
                cuts.append(Cut(label, f"{len(holders)} waves", f"keep-together group split: {reason}"))
        parts.extend((piece, True) for piece in pieces)

    def level(part: list[str]) -> int:
        return max(COMPLEXITY_RANK.get(table[k].complexity, 1) for k in part)

    def size(part: list[str]) -> int:
        return sum(table[k].servers for k in part)

    pilot: list[str] = []
    rest: list[list[str]] = []
    linked = {k for k, neighbours in adjacency.items() if neighbours} | set(not_pilot)
    for part, was_split in sorted(parts, key=lambda p: (size(p[0]), p[0])):
        simple = level(part) == 0 and not was_split and not (set(part) & linked)
        if simple and size(pilot) + size(part) <= min(cap, pilot_size):
            pilot.extend(part)
        else:
            rest.append(part)
    waves: list[PlannedWave] = []
    if pilot:
        waves.append(PlannedWave(0, "pilot", sorted(pilot), size(pilot), "simple"))
    for rank in sorted({level(p) for p in rest}):
        bins: list[PlannedWave] = []
        for part in sorted((p for p in rest if level(p) == rank), key=lambda p: (-size(p), p)):
            target = next((w for w in bins if w.servers + size(part) <= cap), None)
            if target is None:
                target = PlannedWave(0, "", [], 0, next(n for n, r in COMPLEXITY_RANK.items() if r == rank))
                bins.append(target)
            target.units.extend(part)
            target.servers += size(part)
        waves.extend(bins)
    for index, wave in enumerate(waves):
        wave.index = index
        wave.units.sort()
        if wave.name != "pilot":
            wave.name = f"{index if pilot else index + 1:02d}"
    wave_of = {key: wave.name for wave in waves for key in wave.units}
    for cut in cuts:
        for wave in waves:
            if cut.source in wave.units or cut.destination in wave.units:
                wave.cuts += 1
    oversized = sorted(unit.key for unit in units if unit.servers > cap)
    return WavePlan(waves, cuts, wave_of, oversized)
