"""Render check results: text for people, JSON for scripts, SARIF for code scanning, JUnit for CI test tabs."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from policies.plan_check import CheckResult
from policies.rules import Rule

FORMATS = ("text", "json", "sarif", "junit")


def as_json(results: Sequence[CheckResult]) -> dict[str, Any]:
    """`{"resources_checked": N, "violations": [{rule, enforcement, urn, type, path, value, message}]}`."""
    return {
        "resources_checked": sum(result.resources_checked for result in results),
        "violations": [violation.as_json() for result in results for violation in result.violations],
    }


def as_text(results: Sequence[CheckResult]) -> str:
    """One line per violation, then a summary line per input and overall."""
    lines: list[str] = []
    for result in results:
        for violation in result.violations:
            shown = json.dumps(violation.value, default=str)
            if len(shown) > 80:
                shown = shown[:77] + "..."
            lines.append(f"{violation.where}: [{violation.enforcement}] {violation.rule}: {violation.path} = {shown}: "
                         f"{violation.message}")
        lines.append(summary(result))
    if len(results) > 1:
        lines.append(summary(CheckResult("total", sum(r.resources_checked for r in results),
                                         [v for r in results for v in r.violations])))
    return "\n".join(lines) + "\n"


def summary(result: CheckResult) -> str:
    mandatory = sum(violation.mandatory for violation in result.violations)
    advisory = len(result.violations) - mandatory
    verdict = "FAILED" if mandatory else "passed"
    return (f"{result.source}: {verdict}: {result.resources_checked} resources checked, "
            f"{mandatory} mandatory and {advisory} advisory violations")


def render(results: Sequence[CheckResult], output_format: str, rules: Sequence[Rule]) -> str:
    """The results in `output_format` (one of FORMATS)."""
    if output_format == "json":
        return json.dumps(as_json(results), indent=2, default=str) + "\n"
    if output_format == "sarif":
        from policies.output.sarif import as_sarif

        return json.dumps(as_sarif(results, rules), indent=2, default=str) + "\n"
    if output_format == "junit":
        from policies.output.junit import as_junit

        return as_junit(results, rules)
    return as_text(results)
