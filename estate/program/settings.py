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
class StackSettings:
    estate_file: Path
    platform_stack: str
    admin_username: str


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
    )


def require_secret(key: str) -> pulumi.Output[str]:
    """A secret setting of this stack; Pulumi stops with its own message naming the key if it is not set."""
    return pulumi.Config(CONFIG_NAMESPACE).require_secret(key)
