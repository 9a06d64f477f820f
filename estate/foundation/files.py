"""Writing files so that a crash or a bad input never leaves a half-written one behind."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

from estate.foundation.errors import InputError


def write_atomic(path: str | Path, data: str | bytes) -> Path:
    """Write `data` to a temporary file beside `path`, flush it to disk, then rename it into place."""
    return write_atomic_with(path, lambda handle: handle.write(data.encode() if isinstance(data, str) else data))


def write_atomic_with(path: str | Path, writer: Callable[[IO[bytes]], object]) -> Path:
    """Call `writer` with a binary handle on a temporary file, then rename it to `path` if it succeeds."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a directory; give a file name to write to (e.g. {path / 'report.txt'})",
                         file=str(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Not a `with` block: the file must outlive the handle so it can be renamed into place.
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
        )
    except OSError as exc:
        raise InputError(f"{path}: cannot write the report ({exc.strerror or type(exc).__name__}); choose a path in a "
                         "folder you can write to", file=str(path)) from None
    try:
        with handle:
            writer(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return path
