"""A stack's Pulumi config for offline synthesis: `Pulumi.<stack>.yaml` beside the estate, plus stand-ins.

A real `pulumi preview` decrypts secrets (`secure:` values) with the stack's secrets provider; offline there is
no provider, so every secret the program reads gets a stand-in value that plans show as "[secret]", exactly as
`pulumi preview --json` shows a real one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from estate.definition.model import Estate
from estate.foundation.errors import InputError
from estate.foundation.yamlfile import read_yaml
from estate.program.settings import ADMIN_PASSWORD_KEY, ADMIN_SSH_KEY, CONFIG_NAMESPACE
from estate.synth.recorder import SECRET_SHOWN_AS

SECRET_STAND_IN = "estate-synth-secret-stand-in"


@dataclass(frozen=True)
class StackConfig:
    """Config values (Pulumi config is text), which keys are secret, and where it came from."""

    values: dict[str, str]
    secret_keys: tuple[str, ...]
    source: str | None

    def shown(self) -> dict[str, str]:
        """The config as `pulumi preview --json` prints it: secrets blinded."""
        return {key: SECRET_SHOWN_AS if key in self.secret_keys else value for key, value in self.values.items()}

    def get(self, key: str, default: str | None = None) -> str | None:
        return self.values.get(key, default)


def stack_config_path(config_dir: Path, stack: str) -> Path:
    return config_dir / f"Pulumi.{stack}.yaml"


def load_stack_config(config_dir: Path, stack: str, estate: Estate, estate_file: Path) -> StackConfig:
    """Read `Pulumi.<stack>.yaml` if there is one; default the location and estate file; stand in for secrets."""
    path = stack_config_path(config_dir, stack)
    values: dict[str, str] = {}
    secret_keys: set[str] = set()
    if path.exists():
        document = read_yaml(path, what="Pulumi stack settings")
        config = document.data.get("config") or {}
        if not isinstance(config, dict):
            raise InputError(f"{path}: `config` must be a mapping of keys to values, as `pulumi config set` "
                             "writes it", file=str(path))
        for key, value in config.items():
            text, secret = _config_text(value)
            values[_qualified(key)] = text
            if secret:
                secret_keys.add(_qualified(key))
    values.setdefault("azure-native:location", estate.primary_region)
    values[f"{CONFIG_NAMESPACE}:estateFile"] = estate_file.as_posix()
    for key in _secrets_read_by_program(estate, stack):
        if key not in values:
            values[key] = SECRET_STAND_IN
        secret_keys.add(key)
    return StackConfig(values=dict(sorted(values.items())), secret_keys=tuple(sorted(secret_keys)),
                       source=str(path) if path.exists() else None)


def _secrets_read_by_program(estate: Estate, stack: str) -> list[str]:
    """The secret settings the program asks for on this stack (see estate.program.stacks)."""
    circuit = estate.connectivity.expressroute
    if stack == "platform" and circuit is not None and circuit.authorization_key_config:
        return [f"{CONFIG_NAMESPACE}:{circuit.authorization_key_config}"]
    if stack.startswith("wave-"):
        return [f"{CONFIG_NAMESPACE}:{ADMIN_PASSWORD_KEY}", f"{CONFIG_NAMESPACE}:{ADMIN_SSH_KEY}"]
    return []


def _qualified(key: str) -> str:
    # `pulumi config set name v` stores `<project>:name`; our project is `estate`.
    return key if ":" in key else f"{CONFIG_NAMESPACE}:{key}"


def _config_text(value: Any) -> tuple[str, bool]:
    if isinstance(value, dict) and set(value) == {"secure"}:
        return SECRET_STAND_IN, True
    if isinstance(value, str):
        return value, False
    if isinstance(value, bool):
        return "true" if value else "false", False
    if isinstance(value, int | float):
        return str(value), False
    return json.dumps(value, sort_keys=True, default=str), False
