"""JUnit XML for CI test tabs: a test suite per checked file, a test case per rule.

A rule's test case fails when the file has any mandatory violation of it; the failure lists every one.
Advisory violations leave the case passing and are listed in its system-out.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence

from policies import PACK_NAME
from policies.plan_check import CheckResult
from policies.rules import Rule


def _line(violation) -> str:
    return f"{violation.where}: {violation.path}: {violation.message}"


def as_junit(results: Sequence[CheckResult], rules: Sequence[Rule]) -> str:
    """The results as a JUnit `<testsuites>` document."""
    root = ElementTree.Element("testsuites", name=PACK_NAME)
    total_failures = 0
    for result in results:
        suite = ElementTree.SubElement(root, "testsuite", name=f"{PACK_NAME}: {result.source}")
        failures = 0
        for rule in rules:
            case = ElementTree.SubElement(suite, "testcase", classname=f"{PACK_NAME}.{result.source}", name=rule.name)
            found = [v for v in result.violations if v.rule == rule.name]
            mandatory = [v for v in found if v.mandatory]
            advisory = [v for v in found if not v.mandatory]
            if mandatory:
                failures += 1
                failure = ElementTree.SubElement(
                    case, "failure", type="mandatory",
                    message=f"{len(mandatory)} mandatory violation{'s' if len(mandatory) != 1 else ''} of {rule.name}")
                failure.text = "\n".join(_line(v) for v in mandatory)
            if advisory:
                out = ElementTree.SubElement(case, "system-out")
                out.text = "\n".join(f"[advisory] {_line(v)}" for v in advisory)
        suite.set("tests", str(len(rules)))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", "0")
        total_failures += failures
    root.set("tests", str(len(rules) * len(results)))
    root.set("failures", str(total_failures))
    root.set("errors", "0")
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, encoding="unicode") + "\n"
