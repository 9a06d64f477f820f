"""Writing files so that a crash or a bad input never leaves a half-written one behind, and paths from inputs
never reach outside the folder they belong to.

`write_atomic` / `write_atomic_with` write a temporary file beside the target (`.NAME.<random>.tmp`), hold an
exclusive lock on it while writing, and rename it into place. They refuse a target that exists and is not a
regular file (a symlink, device, FIFO or directory): renaming over it would replace the node, not write to it.
A new file gets the user's umask (0666 & ~umask), a replaced one keeps its mode. Temporary files of the same
target left by a killed writer (not locked, older than a few seconds) are removed by the next write.

`inside(root, relative)` is the one check that a path taken from an input (a manifest entry, a blob name, a file
in an export folder) stays inside its root.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import IO

from estate.foundation.errors import InputError

try:  # POSIX: the writer's lock tells a live temp file from one a killed writer left
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

# A temp file nobody holds locked and this old (seconds) was left by a writer that died; without locks, 15 min.
STALE_UNLOCKED_AFTER = 2.0
STALE_ANYWAY_AFTER = 15 * 60.0
_KINDS = ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"))


def inside(root: str | Path, relative: str | Path, *, what: str = "path") -> Path:
    """`root / relative`, resolved, if it stays inside `root` (resolved); otherwise an `InputError` naming it.

    Refuses absolute paths, drive letters, `..` that climbs out, and symbolic links that point outside. `what`
    names the entry in the message (e.g. "manifest.json: blobName").
    """
    text = str(relative)
    base = Path(root).resolve()
    if "\0" in text or PurePosixPath(text).is_absolute() or PureWindowsPath(text).drive or text.startswith("\\"):
        raise InputError(f"{what}: {text!r} is an absolute path; only paths inside {base} are accepted, so the "
                         "entry is refused", file=str(root))
    target = (base / text).resolve()
    if not target.is_relative_to(base):
        raise InputError(f"{what}: {text!r} leads outside {base}; only paths inside it are accepted, so the entry "
                         "is refused", file=str(root))
    return target


def node_kind(path: Path) -> str | None:
    """What `path` is when it exists and is not a regular file (e.g. "a symbolic link"); None otherwise."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:  # absent, or its folder is not one: writing it fails (and is reported) as it would have
        return None
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def current_umask() -> int:
    """The process's umask, read without changing it where Linux allows (/proc), else by setting it back."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(path: str | Path, data: str | bytes) -> Path:
    """Write `data` to a temporary file beside `path`, flush it to disk, then rename it into place."""
    return write_atomic_with(path, lambda handle: handle.write(data.encode() if isinstance(data, str) else data))


def write_atomic_with(path: str | Path, writer: Callable[[IO[bytes]], object]) -> Path:
    """Call `writer` with a binary handle on a temporary file, then rename it to `path` if it succeeds."""
    path = Path(path)
    kind = node_kind(path)
    if kind is not None:
        raise InputError(f"{path}: is {kind}, not a regular file; estate writes its outputs by replacing a regular "
                         "file, so give the name of a new or ordinary file", file=str(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(path)
        # Not a `with` block: the file must outlive the handle so it can be renamed into place.
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
        )
    except OSError as exc:
        raise InputError(f"{path}: cannot write the report ({exc.strerror or type(exc).__name__}); choose a path in a "
                         "folder you can write to", file=str(path)) from exc
    try:
        with handle:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)  # released when the handle closes (or the process dies)
            try:
                mode = stat.S_IMODE(path.stat().st_mode)
            except FileNotFoundError:
                mode = 0o666 & ~current_umask()
            os.fchmod(handle.fileno(), mode)
            writer(handle)
            handle.flush()
            os.fsync(handle.fileno())
            os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return path


def remove_stale_temps(path: Path, *, now: float | None = None) -> list[Path]:
    """Remove the temporary files of `path` that a killed writer left (`.NAME.*.tmp`, regular, not locked)."""
    now = time.time() if now is None else now
    removed: list[Path] = []
    try:
        candidates = list(path.parent.glob(f".{_glob_escape(path.name)}.*.tmp"))
    except OSError:
        return removed
    for candidate in candidates:
        with contextlib.suppress(OSError):
            info = os.lstat(candidate)
            if not stat.S_ISREG(info.st_mode):
                continue
            age = now - info.st_mtime
            if age > STALE_ANYWAY_AFTER or (age > STALE_UNLOCKED_AFTER and not _locked(candidate)):
                candidate.unlink()
                removed.append(candidate)
    return removed


def _locked(path: Path) -> bool:
    if fcntl is None:
        return True  # cannot tell: only the age rule applies
    with path.open("rb") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        return False


def _glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[]" else c for c in name)
