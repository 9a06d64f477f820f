"""Entry point of `pulumi preview|up -s STACK` (Pulumi.yaml: `main: estate/program/`)."""

from pathlib import Path

import pulumi

from estate.definition.loader import load_estate
from estate.foundation.errors import EstateError
from estate.program.settings import read_settings
from estate.program.stacks import run_program

try:
    # Relative paths in stack config are relative to the project (where Pulumi.yaml lives).
    _settings = read_settings(root=Path(pulumi.get_root_directory() or Path.cwd()))
    run_program(load_estate(_settings.estate_file), _settings)
except EstateError as exc:
    # RunError makes Pulumi print the message alone, not a Python traceback.
    raise pulumi.RunError(exc.message) from exc
