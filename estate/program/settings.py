"""The stack settings the program reads from Pulumi config (namespace `estate:`), read once per run."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi

from estate.definition.stacks import ADMIN_PASSWORD_KEY, ADMIN_SSH_KEY
from estate.foundation.errors import EstateError

CONFIG_NAMESPACE = "estate"
DEFAULT_ESTATE_FILE = "stacks/estate.yaml"
DEFAULT_PLATFORM_STACK = "platform"
DEFAULT_ADMIN_USERNAME = "estateadmin"
# Secret settings a stack may need (set with `pulumi config set --secret estate:<key> ...`): ADMIN_PASSWORD_KEY and
# ADMIN_SSH_KEY, defined with the stacks they belong to (estate.definition.stacks).


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


class StackConfigError(EstateError):
    """A stack's `estate:*` settings that the program does not know or cannot use (exit 2)."""


KNOWN_KEYS = ("estateFile", "platformStack", "vmAdminUsername", "businessCaseFile", "budgetFinancialYear",
              "budgetContactEmails", ADMIN_PASSWORD_KEY, ADMIN_SSH_KEY)
_FINANCIAL_YEAR = re.compile(r"^\d{4}/\d{2}$")
_STACK_NAME = re.compile(r"^[A-Za-z0-9_.\-/]{1,100}$")
# Azure refuses these as a VM's administrator name (compute OSProfile.adminUsername), and limits it to 20 characters.
_RESERVED_USERNAMES = frozenset({"administrator", "admin", "user", "user1", "test", "user2", "test1", "user3", "admin1",
                                 "1", "123", "a", "actuser", "adm", "admin2", "aspnet", "backup", "console", "david",
                                 "guest", "john", "owner", "root", "server", "sql", "support", "support_388945a0",
                                 "sys", "test2", "test3", "user4", "user5"})
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def config_problems(config: Mapping[str, Any], extra_keys: tuple[str, ...] = ()) -> list[str]:
    """What is wrong with a stack's `estate:*` settings: unknown keys and values the program cannot use.

    Run on the config a real `pulumi preview` hands the program (`pulumi.runtime.config.CONFIG`) and on the stack
    file `estate synth` reads, so both refuse the same settings.
    """
    known = (*KNOWN_KEYS, *extra_keys)
    problems = []
    for key, value in sorted(config.items()):
        namespace, _, name = key.partition(":")
        if namespace != CONFIG_NAMESPACE:
            continue
        if name not in known:
            guess = difflib.get_close_matches(name, known, n=1)
            problems.append(f"{key} is not a setting the program reads"
                            + (f" (did you mean {CONFIG_NAMESPACE}:{guess[0]}?)" if guess else
                               f"; it reads {', '.join(known)}"))
            continue
        problem = _value_problem(name, value)
        if problem:
            problems.append(f"{key} = {value!r}: {problem}")
    return problems


def _value_problem(name: str, value: Any) -> str | None:
    text = value if isinstance(value, str) else str(value)
    if name == "budgetFinancialYear" and not _FINANCIAL_YEAR.match(text):
        return "write the financial year as YYYY/YY, e.g. 2026/27"
    if name == "platformStack" and not _STACK_NAME.match(text):
        return "give the name of the platform stack, e.g. platform"
    if name == "vmAdminUsername" and (len(text) > 20 or text.lower() in _RESERVED_USERNAMES
                                      or not re.match(r"^[A-Za-z_][A-Za-z0-9_.\-]*$", text) or text.endswith(".")):
        return "Azure refuses it: at most 20 letters, digits, '_', '.', '-', not a reserved name such as admin or root"
    if name in ("estateFile", "businessCaseFile") and not text.strip():
        return "give a path (relative to the project root)"
    if name == "budgetContactEmails":
        try:
            emails = json.loads(text) if isinstance(value, str) else value
        except ValueError:
            emails = None
        if not isinstance(emails, list) or not all(isinstance(e, str) and _EMAIL.match(e) for e in emails):
            return "give a list of e-mail addresses (pulumi config set --path 'estate:budgetContactEmails[0]' ...)"
    return None
