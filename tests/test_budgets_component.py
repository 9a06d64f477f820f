"""BusinessCaseBudgets under Pulumi's mock runtime: the Budget inputs Azure would receive, derived from the case."""

from __future__ import annotations

from decimal import Decimal

import pulumi
import pytest

from costing.business_case import load_business_case
from costing.business_case.budgets import budget_specs
from tests.conftest import ROOT

SUBSCRIPTION = "00000000-1111-2222-3333-444444444444"


class RecordingMocks(pulumi.runtime.Mocks):
    """Answers every resource with its own inputs and remembers what was asked for."""

    def __init__(self) -> None:
        self.created: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        self.created.append(args)
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list | None]:
        return {}, None


@pytest.fixture
def mocks() -> RecordingMocks:
    recording = RecordingMocks()
    pulumi.runtime.set_mocks(recording, project="estate", stack="platform", preview=False)
    return recording


def build(specs, **extra):
    from estate.components.budgets import BusinessCaseBudgets, BusinessCaseBudgetsArgs

    holder = {}

    @pulumi.runtime.test
    def run():
        component = BusinessCaseBudgets("lcc-budgets", BusinessCaseBudgetsArgs(
            subscription_id=SUBSCRIPTION, budgets=specs, **extra))
        holder["component"] = component
        urns = pulumi.Output.all(*(budget.urn for budget in component.budgets.values()))
        return urns.apply(lambda values: holder.update(urns=values))

    run()
    return holder


def budgets_by_name(mocks: RecordingMocks) -> dict[str, dict]:
    return {args.name: args.inputs for args in mocks.created if args.typ == "azure-native:consumption:Budget"}


@pytest.fixture(scope="module")
def specs():
    case = load_business_case(ROOT / "stacks" / "business-case.yaml")
    return budget_specs(case, "2020/21", contact_emails=["imt-cloud@example.gov.uk", "finance@example.gov.uk"])


def test_one_budget_per_cloud_run_line_named_after_the_component(mocks, specs):
    build(specs)
    assert set(budgets_by_name(mocks)) == {"lcc-budgets-azure-costs-sungard", "lcc-budgets-orchard-house-costs"}
    components = [args.name for args in mocks.created if args.typ == "estate:platform:BusinessCaseBudgets"]
    assert components == ["lcc-budgets"]


def test_budget_amount_period_and_scope_come_from_the_case(mocks, specs):
    build(specs)
    inputs = budgets_by_name(mocks)["lcc-budgets-azure-costs-sungard"]
    assert inputs["amount"] == 548250.0          # 9/12 x 517k + 3/12 x 642k
    assert inputs["budgetName"] == "azure-costs-sungard-fy2020-21"
    assert inputs["scope"] == f"/subscriptions/{SUBSCRIPTION}"
    assert inputs["category"] == "Cost"
    assert inputs["timeGrain"] == "Annually"
    assert inputs["timePeriod"] == {"startDate": "2020-04-01T00:00:00Z", "endDate": "2021-03-31T00:00:00Z"}
    assert budgets_by_name(mocks)["lcc-budgets-orchard-house-costs"]["amount"] == 158000.0


def test_budgets_count_only_cost_tagged_with_their_line(mocks, specs):
    build(specs)
    for line in ("azure-costs-sungard", "orchard-house-costs"):
        inputs = budgets_by_name(mocks)[f"lcc-budgets-{line}"]
        assert inputs["filter"] == {"tags": {"name": "business-case-line", "operator": "In", "values": [line]}}


def test_notifications_carry_the_thresholds_and_contact_emails(mocks, specs):
    build(specs)
    notifications = budgets_by_name(mocks)["lcc-budgets-azure-costs-sungard"]["notifications"]
    assert set(notifications) == {"Actual_GreaterThan_80_Percent", "Actual_GreaterThan_100_Percent",
                                  "Forecasted_GreaterThan_100_Percent"}
    eighty = notifications["Actual_GreaterThan_80_Percent"]
    assert eighty == {"enabled": True, "operator": "GreaterThan", "threshold": 80.0, "thresholdType": "Actual",
                      "contactEmails": ["imt-cloud@example.gov.uk", "finance@example.gov.uk"], "locale": "en-gb"}
    assert notifications["Forecasted_GreaterThan_100_Percent"]["thresholdType"] == "Forecasted"


def test_budgets_are_children_of_the_component(mocks, specs):
    urns = build(specs)["urns"]
    assert len(urns) == 2
    for urn in urns:
        # A child's URN carries its parent's type before its own.
        assert "::estate:platform:BusinessCaseBudgets$azure-native:consumption:Budget::lcc-budgets-" in urn


def test_a_fractional_threshold_gets_a_key_azure_accepts(mocks, specs):
    from dataclasses import replace

    from costing.business_case.budgets import BudgetAlert

    spec = replace(specs[0], alerts=(BudgetAlert(Decimal("92.5"), "Actual"),))
    build([spec])
    (inputs,) = budgets_by_name(mocks).values()
    assert list(inputs["notifications"]) == ["Actual_GreaterThan_92_5_Percent"]
    assert inputs["notifications"]["Actual_GreaterThan_92_5_Percent"]["threshold"] == 92.5
