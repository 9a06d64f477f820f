"""Rules that look across the fields of a business case: what the schema alone cannot express.

Each check yields findings located by their path in the case file, so the loader points at the YAML line.
These are errors (the case cannot be computed); disagreements between stated and computed figures are
warnings and live in `costing.business_case.checks`.
"""

from __future__ import annotations

import difflib
import itertools
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from costing.business_case.model import BusinessCase
from estate.foundation.periods import PERIOD_FORMS, Period, parse_period

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Finding:
    loc: Loc
    message: str
    hint: str = ""


def check_case(case: BusinessCase) -> list[Finding]:
    """Every cross-field problem in the case, in file order."""
    checks = (_periods, _lines, _savings_measures, _stated, _rules)
    return [finding for check in checks for finding in check(case)]


def _periods(case: BusinessCase) -> Iterator[Finding]:
    parsed: list[tuple[int, Period]] = []
    for index, label in enumerate(case.periods):
        try:
            parsed.append((index, parse_period(label, case.financial_year_start_month)))
        except ValueError as exc:
            yield Finding(("periods", index), str(exc), f"write {PERIOD_FORMS}")
    kinds = Counter(period.kind for _, period in parsed)
    if len(kinds) > 1:
        first_kind = parsed[0][1].kind
        for index, period in parsed:
            if period.kind != first_kind:
                yield Finding(("periods", index), f"{period.label!r} is a {period.kind} but the case starts with "
                              f"a {first_kind}", "use one kind of period throughout")
        return
    for (_, before), (index, period) in itertools.pairwise(parsed):
        if period.first_month != before.first_month.plus(before.months):
            yield Finding(("periods", index), f"{period.label!r} does not follow {before.label!r}",
                          "periods must be consecutive and in order, with none missing or repeated")


def _lines(case: BusinessCase) -> Iterator[Finding]:
    yield from _duplicates(case, "lines", [line.id for line in case.lines])
    expected = len(case.periods)
    for index, line in enumerate(case.lines):
        if len(line.values) != expected:
            yield Finding(("lines", index, "values"),
                          f"line {line.id!r} has {len(line.values)} values but the case has {expected} periods "
                          f"({', '.join(case.periods)})", "give one value per period, 0 for an empty cell")
    if not any(line.kind == "baseline" and line.in_totals for line in case.lines):
        yield Finding(("lines",), "no line of kind 'baseline'",
                      "add what the current arrangement costs if nothing changes; benefit is baseline - transformed")


def _savings_measures(case: BusinessCase) -> Iterator[Finding]:
    yield from _duplicates(case, "savings_measures", [measure.id for measure in case.savings_measures])


def _stated(case: BusinessCase) -> Iterator[Finding]:
    line_ids = [line.id for line in case.lines]
    for index, stated in enumerate(case.stated):
        if stated.values is not None and len(stated.values) != len(case.periods):
            yield Finding(("stated", index, "values"), f"{len(stated.values)} values stated but the case has "
                          f"{len(case.periods)} periods", "give one value per period")
        for key in ("period", "from_period"):
            label = getattr(stated, key)
            if label is not None and label not in case.periods:
                yield Finding(("stated", index, key), f"{label!r} is not one of the case's periods",
                              f"periods are {', '.join(case.periods)}")
        for line_index, line_id in enumerate(stated.lines):
            if line_id not in line_ids:
                yield Finding(("stated", index, "lines", line_index), f"no line called {line_id!r}",
                              _did_you_mean(line_id, line_ids))


def _rules(case: BusinessCase) -> Iterator[Finding]:
    line_ids = [line.id for line in case.lines]
    for index, rule in enumerate(case.rules):
        if rule.line not in line_ids:
            yield Finding(("rules", index, "line"), f"no line called {rule.line!r}", _did_you_mean(rule.line, line_ids))
        for key in ("service", "resource_group", "subscription"):
            pattern = getattr(rule, key)
            if pattern is not None and pattern.count("[") != pattern.count("]"):
                yield Finding(("rules", index, key), f"pattern {pattern!r} has an unclosed '['",
                              "close the bracket, or write [[] for a literal '['")


def _duplicates(case: BusinessCase, key: str, ids: list[str]) -> Iterator[Finding]:
    seen: set[str] = set()
    for index, each in enumerate(ids):
        if each in seen:
            yield Finding((key, index, "id"), f"id {each!r} is used twice", "give every entry its own id")
        seen.add(each)


def _did_you_mean(word: str, known: list[str]) -> str:
    guess = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    return f"did you mean {guess[0]!r}?" if guess else f"lines are {', '.join(known)}"
