"""Ownership of a cost store: the exclusive lock its commits take, the claim a live load holds on its staging
folder, and the removal of what killed loads left behind.

- `store_lock(store)`: an exclusive `fcntl.flock` on `<store>/.lock`, waited for up to `LOCK_WAIT_SECONDS`
  (`ESTATE_STORE_LOCK_WAIT` overrides). The kernel releases it when its holder exits, even by SIGKILL, so a
  killed load never leaves the store locked. Commits and clean-ups run under it; staging does not.
- `StagingClaim(folder)`: a shared-nothing lock on a load's own `.staging-*` folder for the load's lifetime. A
  staging folder nobody claims belongs to a load that died.
- `remove_leftovers(store, manifest)`: (under the lock) remove unclaimed staging folders and partition files the
  manifest does not list, only inside the store and only names the store itself makes.
- `check_listed_file(store, file, where)`: a manifest's file entry must be a partition path inside the store;
  anything else (`../victim.txt`, `/etc/passwd`) is refused before any file is read or deleted.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from estate.foundation.errors import CostDataError
from estate.foundation.files import inside

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no locks; leftovers removed only when old
    fcntl = None  # type: ignore[assignment]

LOCK_FILE = ".lock"
LOCK_WAIT_SECONDS = 600.0
STAGING_PREFIX = ".staging-"
CLAIMING_PREFIX = ".claiming-"  # a staging folder being made; a leftover one (killed in between) once it is old
CLAIMING_AGE = 60.0
UNCLAIMED_STAGING_AGE = 3600.0  # without locks (Windows), a staging folder this old is a leftover
PARTITION_FILE = re.compile(r"actuals/source=[A-Za-z0-9._-]+/month=\d{4}-\d{2}/[A-Za-z0-9_-]+\.parquet")


def check_listed_file(store_dir: Path, file: object, where: str) -> Path:
    """The absolute path of a manifest's file entry, refused unless it is a partition file inside the store."""
    if not isinstance(file, str) or not PARTITION_FILE.fullmatch(file):
        raise CostDataError(f"{where}: {file!r} is not a partition file of this store (actuals/source=.../month="
                            "YYYY-MM/NAME.parquet); the manifest is damaged or was edited: estate reads and removes "
                            "only its own files, so it stops here", file=str(Path(store_dir) / "manifest.json"))
    return inside(store_dir, file, what=where)


def check_manifest_paths(store_dir: Path, manifest: dict[str, Any], path: Path, fx_table: str) -> None:
    """Every path a manifest names must be one of the store's own: refused (exit 2, naming the entry) otherwise."""
    if manifest.get("fx_table") not in (None, fx_table):
        raise CostDataError(f"{path}: fx_table: {manifest.get('fx_table')!r} is not {fx_table!r}; the manifest is "
                            "damaged or was edited: estate reads only its own files, so it stops here", file=str(path))
    sources = manifest.get("sources")
    if not isinstance(sources, dict):
        raise CostDataError(f"{path}: sources: not a map of sources; point --store at a cost store", file=str(path))
    for name, source in sources.items():
        partitions = source.get("partitions") if isinstance(source, dict) else None
        if not isinstance(partitions, dict):
            raise CostDataError(f"{path}: sources.{name}: has no partitions map; the manifest is damaged: load the "
                                "data into a new store", file=str(path))
        for month, part in partitions.items():
            files = part.get("files") if isinstance(part, dict) else None
            if not isinstance(files, list):
                raise CostDataError(f"{path}: sources.{name}.partitions.{month}: has no files list; the manifest is "
                                    "damaged: load the data into a new store", file=str(path))
            for file in files:
                check_listed_file(store_dir, file, f"{path}: sources.{name}.partitions.{month}.files")


@contextlib.contextmanager
def store_lock(store_dir: Path, wait: float | None = None) -> Iterator[None]:
    """Hold the store's exclusive lock (creating the store folder if needed) for the `with` block."""
    store_dir = Path(store_dir)
    wait = float(os.environ.get("ESTATE_STORE_LOCK_WAIT", LOCK_WAIT_SECONDS)) if wait is None else wait
    try:
        store_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(store_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o666)
    except OSError as exc:
        raise CostDataError(f"{store_dir}: cannot lock the cost store ({exc.strerror}); check that the folder is "
                            "writable by you", file=str(store_dir)) from exc
    try:
        if fcntl is not None:
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise CostDataError(
                            f"{store_dir}: another load has held the cost store's lock for {wait:.0f} s; wait for it "
                            "to finish (or set ESTATE_STORE_LOCK_WAIT to wait longer)", file=str(store_dir)) from None
                    time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # releases the lock


class StagingClaim:
    """A live load's hold on its staging folder (a lock on the folder itself), released by `release` or exit.

    The folder is made under a name the clean-up ignores (`.claiming-ID`), locked, and only then renamed to
    `.staging-ID`: a clean-up never sees a staging folder that is not yet locked."""

    def __init__(self, store_dir: Path, ident: str) -> None:
        self._fd: int | None = None
        claiming = Path(store_dir) / f"{CLAIMING_PREFIX}{ident}"
        self.folder = Path(store_dir) / f"{STAGING_PREFIX}{ident}"
        claiming.mkdir(parents=True)
        if fcntl is not None:
            self._fd = os.open(claiming, os.O_RDONLY)
            fcntl.flock(self._fd, fcntl.LOCK_EX)  # the lock is on the folder itself: it survives the rename
        os.rename(claiming, self.folder)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _unclaimed(folder: Path) -> bool:
    if fcntl is None:
        return time.time() - folder.stat().st_mtime > UNCLAIMED_STAGING_AGE
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def leftover_staging(store_dir: Path) -> list[Path]:
    """Staging folders in the store that no live load claims."""
    found = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(store_dir):
            if not entry.is_dir(follow_symlinks=False):
                continue
            with contextlib.suppress(OSError):
                staging = entry.name.startswith(STAGING_PREFIX)
                half_made = (entry.name.startswith(CLAIMING_PREFIX)
                             and time.time() - entry.stat().st_mtime > CLAIMING_AGE)
                if (staging or half_made) and _unclaimed(Path(entry.path)):
                    found.append(Path(entry.path))
    return found


def listed_files(manifest: dict[str, Any]) -> list[str]:
    """Every partition file the manifest lists (store-relative names), source by source, month by month."""
    return [file for source in manifest["sources"].values() for part in source["partitions"].values()
            for file in part["files"]]


def unlisted_files(store_dir: Path, manifest: dict[str, Any]) -> list[Path]:
    """Partition files under `actuals/` (named as the store names them) that the manifest does not list."""
    listed = set(listed_files(manifest))
    actuals = Path(store_dir) / "actuals"
    if actuals.is_symlink() or not actuals.is_dir():
        return []
    found = []
    for folder, _dirs, files in os.walk(actuals):  # does not follow symbolic links
        for name in files:
            relative = (Path(folder) / name).relative_to(store_dir).as_posix()
            if PARTITION_FILE.fullmatch(relative) and relative not in listed:
                found.append(Path(store_dir) / relative)
    return found


def remove_leftovers(store_dir: Path, manifest: dict[str, Any]) -> list[Path]:
    """Remove unclaimed staging folders and unlisted partition files; call it under `store_lock`."""
    store_dir = Path(store_dir)
    removed = []
    for folder in leftover_staging(store_dir):
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    for path in unlisted_files(store_dir, manifest):
        with contextlib.suppress(OSError):
            if not path.is_symlink() and path.is_file():
                path.unlink()
                removed.append(path)
    actuals = store_dir / "actuals"
    if removed and actuals.is_dir() and not actuals.is_symlink():
        for folder, _dirs, _files in sorted(os.walk(actuals, topdown=False), key=lambda w: -len(w[0])):
            with contextlib.suppress(OSError):
                if Path(folder) != actuals and not any(os.scandir(folder)):
                    os.rmdir(folder)
    return removed
