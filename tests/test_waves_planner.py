"""Wave planning on a graph with known components and a cap: no cut where none is needed, every forced cut
reported, the pilot first, deterministic."""

from __future__ import annotations

import random

from estate.waves.planner import Unit, plan_waves

LINKS = [("a", "b"), ("b", "c"),  # component of 3
         ("d", "e"),  # component of 2
         ("h1", "h2"), ("h2", "h3"), ("h1", "h3"), ("h4", "h5"), ("h5", "h6"), ("h4", "h6"),  # two triangles ...
         ("h3", "h4")]  # ... joined by one bridge: a component of 6
COMPLEXITY = {"a": "medium", "b": "medium", "c": "medium", "d": "simple", "e": "simple", "f": "simple",
              "g": "complex", "p": "simple", "q": "simple"}


def units() -> list[Unit]:
    keys = sorted({k for link in LINKS for k in link} | {"f", "g", "p", "q"})
    return [Unit(k, 1, COMPLEXITY.get(k, "complex")) for k in keys]


def wave_of(plan, key: str) -> str:
    return plan.wave_of[key]


def test_components_that_fit_are_never_cut() -> None:
    plan = plan_waves(units(), LINKS, cap=3)
    assert wave_of(plan, "a") == wave_of(plan, "b") == wave_of(plan, "c")
    assert wave_of(plan, "d") == wave_of(plan, "e")
    assert all(cut.source.startswith("h") and cut.destination.startswith("h") for cut in plan.cuts)


def test_an_oversized_component_is_split_along_the_bridge_and_the_cut_reported() -> None:
    plan = plan_waves(units(), LINKS, cap=3)
    assert [(cut.source, cut.destination) for cut in plan.cuts] == [("h3", "h4")]
    assert plan.cuts[0].reason == "component of 6 servers exceeds --max-servers-per-wave 3"
    assert wave_of(plan, "h1") == wave_of(plan, "h2") == wave_of(plan, "h3")
    assert wave_of(plan, "h4") == wave_of(plan, "h5") == wave_of(plan, "h6") != wave_of(plan, "h1")
    assert all(wave.servers <= 3 for wave in plan.waves)
    assert sum(wave.cuts for wave in plan.waves) == 2  # the cut counts in both waves it separates


def test_a_big_enough_cap_cuts_nothing() -> None:
    plan = plan_waves(units(), LINKS, cap=6)
    assert plan.cuts == []
    assert len({wave_of(plan, f"h{n}") for n in range(1, 7)}) == 1


def test_pilot_first_with_simple_unlinked_servers_then_by_complexity() -> None:
    plan = plan_waves(units(), LINKS, cap=3, pilot_size=2)
    assert plan.waves[0].name == "pilot"
    assert plan.waves[0].units == ["f", "p"]  # simple, no links, smallest names first; d/e are linked
    levels = [wave.complexity for wave in plan.waves[1:]]
    assert levels == sorted(levels, key=["simple", "medium", "complex"].index)
    assert [wave.name for wave in plan.waves[1:]] == [f"{n:02d}" for n in range(1, len(plan.waves))]


def test_units_barred_from_the_pilot_wait() -> None:
    plan = plan_waves(units(), LINKS, cap=3, pilot_size=2, not_pilot=frozenset({"f"}))
    assert plan.waves[0].units == ["p", "q"]


def test_the_same_input_in_any_order_gives_the_same_plan() -> None:
    first = plan_waves(units(), LINKS, cap=3)
    shuffled_units, shuffled_links = units(), [tuple(reversed(link)) for link in LINKS]
    random.Random(7).shuffle(shuffled_units)
    random.Random(8).shuffle(shuffled_links)
    second = plan_waves(shuffled_units, shuffled_links, cap=3)
    assert [(w.name, w.units) for w in first.waves] == [(w.name, w.units) for w in second.waves]
    assert first.cuts == second.cuts


def test_keep_together_groups_join_and_a_group_over_the_cap_is_reported() -> None:
    grouped = [Unit("x1", 1, "medium", ("application payroll",)), Unit("x2", 1, "medium", ("application payroll",)),
               Unit("y1", 1, "medium", ("application big",)), Unit("y2", 1, "medium", ("application big",)),
               Unit("y3", 1, "medium", ("application big",))]
    plan = plan_waves(grouped, [], cap=2, pilot_size=0)
    assert plan.wave_of["x1"] == plan.wave_of["x2"]
    assert [(c.source, c.reason) for c in plan.cuts] == [
        ("application big", "keep-together group split: component of 3 servers exceeds --max-servers-per-wave 2")]


def test_groups_of_identical_servers_count_their_servers() -> None:
    plan = plan_waves([Unit("web-{n:02}", 4, "simple"), Unit("db", 1, "complex")], [("web-{n:02}", "db")], cap=4)
    assert [(c.source, c.destination) for c in plan.cuts] == [("db", "web-{n:02}")]
    assert all(wave.servers <= 4 for wave in plan.waves)


def test_a_unit_bigger_than_the_cap_gets_a_wave_of_its_own_and_is_reported() -> None:
    plan = plan_waves([Unit("web-{n:02}", 24, "medium"), Unit("a", 1, "medium"), Unit("b", 1, "medium")], [],
                      cap=10, pilot_size=0)
    assert plan.oversized == ["web-{n:02}"]
    assert [w.units for w in plan.waves] == [["web-{n:02}"], ["a", "b"]]
