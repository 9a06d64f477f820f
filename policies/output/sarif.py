"""SARIF 2.1.0 for code scanning (e.g. GitHub's upload-sarif): one run, one result per violation."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from policies import PACK_NAME
from policies.plan_check import CheckResult
from policies.rules import Rule

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
_URN_LINE = re.compile(r'^\s*"urn":\s*"([^"]+)"')


def _estate_version() -> str:
    from estate import __version__

    return __version__


def step_lines(source: str) -> dict[str, int]:
    """URN -> the 1-based line of its step in a pretty-printed plan (first mention wins)."""
    path = Path(source)
    if not path.is_file():
        return {}
    lines: dict[str, int] = {}
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, text in enumerate(handle, start=1):
            match = _URN_LINE.match(text)
            if match:
                lines.setdefault(match.group(1), number)
    return lines


def _uri(source: str) -> str:
    path = Path(source)
    return path.resolve().as_uri() if path.is_absolute() else path.as_posix()


def _rule(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.name,
        "name": "".join(part.capitalize() for part in rule.name.split("-")),
        "shortDescription": {"text": rule.description},
        "fullDescription": {"text": rule.description},
        "help": {"text": rule.remediation[:1].upper() + rule.remediation[1:]},
        "defaultConfiguration": {"level": "error" if rule.enforcement == "mandatory" else "warning"},
    }


def _result(violation: Any, rule_index: dict[str, int], source: str, lines: dict[str, int]) -> dict[str, Any]:
    line = violation.line if violation.file is not None else lines.get(violation.urn or "")
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(violation.file or source)}}
    if line:
        physical["region"] = {"startLine": line}
        if violation.column:
            physical["region"]["startColumn"] = violation.column
    location: dict[str, Any] = {"physicalLocation": physical}
    if violation.urn:
        location["logicalLocations"] = [{"fullyQualifiedName": violation.urn, "kind": "resource"}]
    identity = f"{violation.rule}|{violation.urn or violation.path}|{violation.path}"
    subject = violation.urn or violation.path
    return {
        "ruleId": violation.rule,
        "ruleIndex": rule_index[violation.rule],
        "level": "error" if violation.mandatory else "warning",
        "message": {"text": f"{subject}: {violation.path}: {violation.message}"},
        "locations": [location],
        "partialFingerprints": {"estateGuardrail/v1": hashlib.sha256(identity.encode()).hexdigest()},
        "properties": {"enforcement": violation.enforcement, "type": violation.type, "path": violation.path,
                       "value": violation.value},
    }


def _lines_if_needed(result: CheckResult) -> dict[str, int]:
    return step_lines(result.source) if any(v.file is None for v in result.violations) else {}


def as_sarif(results: Sequence[CheckResult], rules: Sequence[Rule]) -> dict[str, Any]:
    """A SARIF 2.1.0 log of every violation in `results`."""
    rule_index = {rule.name: index for index, rule in enumerate(rules)}
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {"driver": {"name": PACK_NAME, "version": _estate_version(),
                                "rules": [_rule(rule) for rule in rules]}},
            "results": [_result(violation, rule_index, result.source, lines)
                        for result, lines in ((result, _lines_if_needed(result)) for result in results)
                        for violation in result.violations],
            "properties": {"resourcesChecked": sum(result.resources_checked for result in results)},
        }],
    }
