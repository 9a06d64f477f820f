"""The stack settings the program reads from Pulumi config (namespace `estate:`), read once per run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pulumi

CONFIG_NAMESPACE = "estate"
DEFAULT_ESTATE_FILE = "stacks/estate.yaml"
DEFAULT_PLATFORM_STACK = "platform"
DEFAULT_ADMIN_USERNAME = "estateadmin"
# Secret settings a stack may need (set with `pulumi config set --secret estate:<key> ...`).
ADMIN_PASSWORD_KEY = "vmAdminPassword"
ADMIN_SSH_KEY = "vmAdminSshPublicKey"


@dataclass(frozen=True)
class BudgetSettings:
    """Where budgets come from: the business case, for one financial year (None: the current one)."""

    business_case_file: Path
    financial_year: str | None
    contact_emails: tuple[str, ...]


@dataclass(frozen=True)
class StackSettings:
    estate_file: Path
    platform_stack: str
    admin_username: str
    budgets: BudgetSettings | None = None


def read_settings(root: Path | None = None) -> StackSettings:
    """Read `estate:estateFile`, `estate:platformStack` and `estate:vmAdminUsername` (all optional)."""
    config = pulumi.Config(CONFIG_NAMESPACE)
    estate_file = Path(config.get("estateFile") or DEFAULT_ESTATE_FILE)
    if not estate_file.is_absolute() and root is not None:
        estate_file = root / estate_file
    return StackSettings(
        estate_file=estate_file,
        platform_stack=config.get("platformStack") or DEFAULT_PLATFORM_STACK,
        admin_username=config.get("vmAdminUsername") or DEFAULT_ADMIN_USERNAME,
        budgets=_budget_settings(config, root),
    )


def _budget_settings(config: pulumi.Config, root: Path | None) -> BudgetSettings | None:
    """`estate:businessCaseFile` turns budgets on; `estate:budgetFinancialYear` pins the year (e.g. 2026/27)."""
    case_file = config.get("businessCaseFile")
    if not case_file:
        return None
    path = Path(case_file)
    if not path.is_absolute() and root is not None:
        path = root / path
    emails = config.get_object("budgetContactEmails") or []
    return BudgetSettings(business_case_file=path, financial_year=config.get("budgetFinancialYear"),
                          contact_emails=tuple(str(email) for email in emails))


def require_secret(key: str) -> pulumi.Output[str]:
    """A secret setting of this stack; Pulumi stops with its own message naming the key if it is not set."""
    return pulumi.Config(CONFIG_NAMESPACE).require_secret(key)
