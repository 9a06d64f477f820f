"""Which business-case line a piece of Azure spend belongs to: its `business-case-line` tag, else the case's rules.

The reconciliation and `estate cost summary --case` call `line_of` once per group of spend (its tag value and
mapping columns): a tag naming a line of the case wins; otherwise the first rule of the case whose patterns all
match (shell-style globs, case-insensitive); otherwise None, which is reported as unallocated spend rather than
guessed.
"""

from __future__ import annotations

import fnmatch

from costing.business_case.model import BusinessCase, MappingRule


def resource_group_of(resource_id: str | None) -> str | None:
    """'/subscriptions/s/resourceGroups/rg-lcc-hub/providers/...' -> 'rg-lcc-hub' (None if there is none)."""
    if not resource_id:
        return None
    parts = resource_id.strip("/").split("/")
    for index, part in enumerate(parts[:-1]):
        if part.lower() == "resourcegroups":
            return parts[index + 1]
    return None


def _matches(pattern: str | None, *values: str | None) -> bool:
    if pattern is None:
        return True
    return any(value is not None and fnmatch.fnmatchcase(value.lower(), pattern.lower()) for value in values)


def rule_matches(rule: MappingRule, *, service: str | None, resource_group: str | None,
                 subscription_id: str | None, subscription_name: str | None) -> bool:
    """True when every pattern the rule gives matches (a rule's subscription matches the id or the name)."""
    return (_matches(rule.service, service) and _matches(rule.resource_group, resource_group)
            and _matches(rule.subscription, subscription_id, subscription_name))


def match_line(rules: list[MappingRule], *, service: str | None = None, resource_group: str | None = None,
               subscription_id: str | None = None, subscription_name: str | None = None) -> str | None:
    """The line of the first rule that matches, or None."""
    for rule in rules:
        if rule_matches(rule, service=service, resource_group=resource_group, subscription_id=subscription_id,
                        subscription_name=subscription_name):
            return rule.line
    return None


def line_of(case: BusinessCase, line_ids: set[str], *, line_tag: str | None, service: str | None,
            resource_group: str | None, subscription_id: str | None, subscription_name: str | None
            ) -> tuple[str | None, str]:
    """The line of spend already grouped by its tag value and mapping columns, and how it was found: its tag
    when that names a line of the case ('tag'), else the first matching rule ('rule N', 1-based), else
    (None, 'none'). The one allocation of `estate cost summary --case` and `estate cost reconcile`."""
    if line_tag in line_ids:
        return line_tag, "tag"
    for number, rule in enumerate(case.rules, start=1):
        if rule_matches(rule, service=service, resource_group=resource_group, subscription_id=subscription_id,
                        subscription_name=subscription_name):
            return rule.line, f"rule {number}"
    return None, "none"
