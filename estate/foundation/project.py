"""The Pulumi project as the CLI finds it: the nearest `Pulumi.yaml` above a path, and its `stackConfigDir`.

A real `pulumi preview` reads stack settings from `<project root>/<stackConfigDir>/Pulumi.<stack>.yaml`, and the
program resolves `estate:estateFile` and `estate:businessCaseFile` against the project root
(`pulumi.get_root_directory()`); synthesis and `estate check` resolve them the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from estate.foundation.errors import DefinitionError
from estate.foundation.yamlfile import read_yaml

PROJECT_FILE = "Pulumi.yaml"


@dataclass(frozen=True)
class Project:
    root: Path
    config_dir: Path

    def resolve(self, value: str) -> Path:
        """A path from stack config as the program reads it: relative paths are relative to the project root."""
        path = Path(value)
        return path if path.is_absolute() else self.root / path


def find_project(start: Path) -> Project | None:
    """The project whose Pulumi.yaml is in `start` or the nearest folder above it, or None."""
    start = start.resolve()
    for folder in [start, *start.parents]:
        project_file = folder / PROJECT_FILE
        if project_file.is_file():
            return Project(root=folder, config_dir=folder / _stack_config_dir(project_file))
    return None


def _stack_config_dir(project_file: Path) -> str:
    data = read_yaml(project_file, what="Pulumi project file").data
    value = data.get("stackConfigDir") if isinstance(data, dict) else None
    if value is None:
        return "."
    if not isinstance(value, str) or not value.strip():
        raise DefinitionError(f"{project_file}: stackConfigDir must be a folder name (relative to the project)",
                         file=str(project_file))
    return value
