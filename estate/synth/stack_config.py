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
from estate.foundation.errors import DefinitionError
from estate.foundation.project import Project
from estate.foundation.yamlfile import read_yaml
from estate.program.settings import (
    ADMIN_PASSWORD_KEY,
    ADMIN_SSH_KEY,
    CONFIG_NAMESPACE,
    DEFAULT_ESTATE_FILE,
    config_problems,
)
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


def load_stack_config(config_dir: Path, stack: str, estate: Estate, estate_file: Path,
                      project: Project | None = None) -> StackConfig:
    """Read `Pulumi.<stack>.yaml` if there is one; default the location; stand in for secrets.

    In a project (a Pulumi.yaml above the estate), the stack's `estate:estateFile` (or the program's default) must
    resolve, against the project root as the program resolves it, to the estate being synthesised: otherwise a
    real `pulumi preview` would read another estate, so it is an error. Without a project, the estate given is
    the stack's estate file. Unknown `estate:*` keys and values the program cannot use are errors too.
    """
    path = stack_config_path(config_dir, stack)
    values: dict[str, str] = {}
    secret_keys: set[str] = set()
    if path.exists():
        document = read_yaml(path, what="Pulumi stack settings")
        config = document.data.get("config") or {}
        if not isinstance(config, dict):
            raise DefinitionError(f"{path}: `config` must be a mapping of keys to values, as `pulumi config set` "
                                  "writes it", file=str(path))
        for key, value in config.items():
            text, secret = _config_text(value)
            values[_qualified(key)] = text
            if secret:
                secret_keys.add(_qualified(key))
    where = str(path) if path.exists() else f"{path} (absent)"
    circuit = estate.connectivity.expressroute
    extra = (circuit.authorization_key_config,) if circuit is not None and circuit.authorization_key_config else ()
    problems = config_problems(values, extra)
    if problems:
        raise DefinitionError(f"{where}: " + "; ".join(problems), file=str(path))
    values.setdefault("azure-native:location", estate.primary_region)
    key = f"{CONFIG_NAMESPACE}:estateFile"
    if project is None:
        values[key] = estate_file.as_posix()
    else:
        named = values.get(key, DEFAULT_ESTATE_FILE)
        resolved = project.resolve(named)
        if resolved.resolve() != estate_file.resolve():
            raise DefinitionError(
                f"{where}: {key} is {named!r}, which the program resolves against the project root "
                f"{project.root} to {resolved}, not the estate being synthesised ({estate_file}); a real "
                f"`pulumi preview -s {stack}` would read that file: set {key} to "
                f"{_relative(estate_file, project.root)!r} in {path.name}", file=str(path))
    for key in _secrets_read_by_program(estate, stack):
        if key not in values:
            values[key] = SECRET_STAND_IN
        secret_keys.add(key)
    return StackConfig(values=dict(sorted(values.items())), secret_keys=tuple(sorted(secret_keys)),
                       source=str(path) if path.exists() else None)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.resolve().as_posix()


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
