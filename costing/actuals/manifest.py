"""The one reader of a cost store's manifest, for the store itself and for every reader of it (the reconciliation,
the summary, any engine): no pyarrow is imported here, so a reader that only queries pays nothing for it.

The manifest is the store's commit point (its shape is in `costing.actuals.store`); every path it names must be
one of the store's own, and the files it lists are the store's live data.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from costing.actuals.storage import FX_TABLE, MANIFEST, Storage, open_storage
from costing.actuals.store_lock import check_manifest_paths, listed_files
from estate.foundation.errors import CostDataError

STORE_FORMAT = 2
SCHEMA_NAME = "estate-focus/2"


def empty_manifest() -> dict[str, Any]:
    """The manifest of a store that does not exist yet."""
    return {"store_format": STORE_FORMAT, "schema": SCHEMA_NAME, "updated_at": None, "currencies": [],
            "fx_table": None, "sources": {}}


def read_manifest(store_dir: Path | str | Storage) -> dict[str, Any]:
    """The store's manifest, or an empty one when the store does not exist yet."""
    return read_manifest_versioned(open_storage(store_dir))[0]


def existing_manifest(store_dir: Path | str | Storage) -> dict[str, Any] | None:
    """The store's manifest, or None when there is no store there (for readers that need one), in one read."""
    manifest, _, found = _read(open_storage(store_dir))
    return manifest if found else None


def read_manifest_versioned(storage: Storage) -> tuple[dict[str, Any], Any]:
    """The manifest and the version token a commit must be conditional on."""
    manifest, token, _ = _read(storage)
    return manifest, token


def _read(storage: Storage) -> tuple[dict[str, Any], Any, bool]:
    path = f"{storage}/{MANIFEST}"
    try:
        data, token = storage.read_manifest()
    except OSError as exc:
        raise CostDataError(f"{path}: cannot read the cost-store manifest ({exc})", file=path) from exc
    if data is None:
        return empty_manifest(), token, False
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CostDataError(f"{path}: not a readable cost-store manifest ({exc}); point --store at a cost store",
                         file=str(path)) from exc
    if manifest.get("store_format") != STORE_FORMAT:
        raise CostDataError(f"{path}: cost-store format {manifest.get('store_format')!r} is not {STORE_FORMAT}; "
                            "load the data into a new store", file=str(path))
    # Every path it names must be one of the store's own (a manifest naming ../victim.txt is refused).
    check_manifest_paths(storage.local_root or Path("."), manifest, Path(path), FX_TABLE)
    return manifest, token, True


def store_files(store_dir: Path | str | Storage, engine: str = "duckdb",
                manifest: dict[str, Any] | None = None) -> list[str]:
    """The live partition files the manifest lists (read here unless given): absolute paths, or URLs `engine`
    reads (a remote store)."""
    storage = open_storage(store_dir)
    manifest = manifest if manifest is not None else read_manifest(storage)
    return storage.engine_paths(listed_files(manifest), engine)


def readable_files(store_dir: Path | str | Storage, engine: str = "duckdb",
                   manifest: dict[str, Any] | None = None) -> list[str]:
    """The listed files; in a local store every one must be present: a manifest naming a missing file is a
    damaged store (exit 2), not an engine error."""
    files = store_files(store_dir, engine, manifest)
    if open_storage(store_dir).local_root is not None:
        missing = next((file for file in files if not Path(file).is_file()), None)
        if missing is not None:
            raise CostDataError(f"{store_dir}: the cost store is damaged: its manifest lists {missing}, which is "
                                "missing; load the source again with `estate cost load` (or restore the store from a "
                                "backup)", file=str(store_dir))
    return files
