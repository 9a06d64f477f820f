"""Azure consumption budgets per business-case line, at subscription scope, filtered by the line's tag.

The program derives the budgets from the business case (`costing.business_case.budgets.budget_specs`) and
passes them in with the subscription; this component reads no config. Each budget covers one financial year
(`timeGrain: Annually` from the year's first day to its last), counts only cost tagged
`business-case-line: <line>`, and e-mails its contacts at each alert threshold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

import pulumi
from pulumi_azure_native import consumption

from estate.foundation.tags import LINE_TAG


class BudgetAlertLike(Protocol):
    threshold_percent: Decimal
    threshold_type: str


class BudgetLike(Protocol):
    """What the component needs of a budget (`costing.business_case.budgets.BudgetSpec` has it)."""

    name: str
    line: str
    amount: Decimal
    start_date: date
    end_date: date
    alerts: Sequence[BudgetAlertLike]
    contact_emails: Sequence[str]


@dataclass(frozen=True)
class BusinessCaseBudgetsArgs:
    subscription_id: pulumi.Input[str]
    budgets: Sequence[BudgetLike]
    tag_name: str = LINE_TAG
    locale: str = "en-gb"


class BusinessCaseBudgets(pulumi.ComponentResource):
    """One `azure-native:consumption:Budget` per business-case line, children named `<name>-<line>`."""

    budgets: dict[str, consumption.Budget]

    def __init__(self, name: str, args: BusinessCaseBudgetsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("estate:platform:BusinessCaseBudgets", name, None, opts)
        scope = pulumi.Output.concat("/subscriptions/", args.subscription_id)
        child = pulumi.ResourceOptions(parent=self)
        self.budgets = {}
        for spec in args.budgets:
            self.budgets[spec.line] = consumption.Budget(
                f"{name}-{spec.line}",
                budget_name=spec.name,
                scope=scope,
                # The API takes a JSON number; the Decimal is exact to the penny, well inside a double's range.
                amount=float(spec.amount),
                category=consumption.CategoryType.COST,
                time_grain=consumption.TimeGrainType.ANNUALLY,
                time_period=consumption.BudgetTimePeriodArgs(
                    start_date=_timestamp(spec.start_date), end_date=_timestamp(spec.end_date)
                ),
                filter=consumption.BudgetFilterArgs(
                    tags=consumption.BudgetComparisonExpressionArgs(
                        name=args.tag_name, operator=consumption.BudgetOperatorType.IN_, values=[spec.line]
                    )
                ),
                notifications={_notification_key(alert): _notification(alert, spec, args.locale)
                               for alert in spec.alerts},
                opts=child,
            )
        self.register_outputs({"budgetIds": {line: budget.id for line, budget in self.budgets.items()}})


def _timestamp(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _notification_key(alert: BudgetAlertLike) -> str:
    # The portal's own naming, so budgets edited there and here keep the same keys.
    return f"{alert.threshold_type}_GreaterThan_{_percent_text(alert.threshold_percent)}_Percent"


def _notification(alert: BudgetAlertLike, spec: BudgetLike, locale: str) -> consumption.NotificationArgs:
    return consumption.NotificationArgs(
        enabled=True,
        operator=consumption.OperatorType.GREATER_THAN,
        threshold=float(alert.threshold_percent),
        threshold_type=alert.threshold_type,
        contact_emails=list(spec.contact_emails),
        locale=locale,
    )


def _percent_text(percent: Decimal) -> str:
    return f"{percent.normalize():f}".replace(".", "_")
