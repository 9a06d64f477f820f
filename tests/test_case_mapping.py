"""Mapping Azure spend onto business-case lines: the tag first, then the case's rules in order."""

from __future__ import annotations

import pytest

from costing.business_case import load_business_case
from costing.business_case.mapping import line_of, match_line, resource_group_of
from costing.business_case.model import MappingRule
from tests.conftest import ROOT

SUB = "00000000-1111-2222-3333-444444444444"
VM_IN_ORCHARD_WAVE = f"/subscriptions/{SUB}/resourceGroups/rg-lcc-wave-orchard-2008-uks/providers/" \
                     "Microsoft.Compute/virtualMachines/lcc-oh-01"


@pytest.fixture(scope="module")
def case():
    return load_business_case(ROOT / "stacks" / "business-case.yaml")


def line_for_spend(case, *, tags=None, service=None, resource_id=None, subscription_id=None):
    """What the reconciliation asks of `line_of` for one cost row (its tag read with the key in any case)."""
    tag = next((value for key, value in (tags or {}).items() if key.lower() == "business-case-line"), None)
    return line_of(case, {line.id for line in case.lines}, line_tag=tag, service=service,
                   resource_group=resource_group_of(resource_id), subscription_id=subscription_id,
                   subscription_name=None)[0]


def test_the_tag_wins_over_every_rule(case):
    assert line_for_spend(case, tags={"business-case-line": "orchard-house-retained"}, service="ExpressRoute",
                          resource_id=VM_IN_ORCHARD_WAVE, subscription_id=SUB) == "orchard-house-retained"


def test_tag_keys_match_without_regard_to_case(case):
    assert line_for_spend(case, tags={"Business-Case-Line": "orchard-house-costs"}) == "orchard-house-costs"


def test_a_tag_naming_no_line_falls_through_to_the_rules(case):
    assert line_for_spend(case, tags={"business-case-line": "nonsense"}, resource_id=VM_IN_ORCHARD_WAVE,
                          subscription_id=SUB) == "orchard-house-costs"


def test_the_first_matching_rule_names_the_line(case):
    assert line_for_spend(case, resource_id=VM_IN_ORCHARD_WAVE, subscription_id=SUB) == "orchard-house-costs"
    assert line_for_spend(case, service="ExpressRoute", subscription_id=SUB) == "azure-costs-sungard"
    assert line_for_spend(case, service="Virtual Machines", subscription_id=SUB) == "azure-costs-sungard"


def test_spend_no_rule_matches_is_left_unallocated():
    rules = [MappingRule(line="a", service="Virtual*"),
             MappingRule(line="b", resource_group="rg-x-*", subscription="prod*")]
    assert match_line(rules, service="Storage") is None
    assert match_line(rules, resource_group="rg-x-1", subscription_name="test") is None  # every pattern must match
    assert match_line(rules, resource_group="RG-X-1", subscription_name="Production") == "b"
    assert match_line(rules, service="virtual machines") == "a"


def test_a_rules_subscription_pattern_matches_the_id_or_the_name():
    rules = [MappingRule(line="a", subscription=SUB)]
    assert match_line(rules, subscription_id=SUB) == "a"
    assert match_line([MappingRule(line="b", subscription="LCC *")], subscription_id=SUB,
                      subscription_name="LCC Production") == "b"


@pytest.mark.parametrize(
    ("resource_id", "group"),
    [
        (VM_IN_ORCHARD_WAVE, "rg-lcc-wave-orchard-2008-uks"),
        (f"/subscriptions/{SUB}/resourcegroups/RG-Hub", "RG-Hub"),
        (f"/subscriptions/{SUB}", None),
        ("", None),
        (None, None),
    ],
)
def test_the_resource_group_is_read_from_the_resource_id(resource_id, group):
    assert resource_group_of(resource_id) == group


def test_the_bundled_rules_point_at_lines_of_the_case(case):
    assert [rule.line for rule in case.rules] == ["orchard-house-costs", "azure-costs-sungard", "azure-costs-sungard"]
