"""Finding the exports under a local file or folder, as Cost Management writes them.

Every source is named by its full location, so two exports that share a name in different folders or containers
are two sources, never one replacing the other; the same bytes found again at another location are still
recognised by their fingerprint and not loaded twice.

An export run with a manifest (`manifest.json`, exports v2) is one store source named after the export, its
period and its location (`ExportName/2025-06-01..2025-06-30 at LOCATION`). The location is the folder that holds
the run's folder: Cost Management writes each run to `EXPORT/YYYYMMDD-YYYYMMDD/RUN-ID/manifest.json`, so the
runs of one export and period share it, and a newer run replaces the earlier one. It is the resolved absolute
path (for a folder downloaded from Blob Storage, the blob URL of that folder). The run's data files are the blobs
the manifest lists, and their row counts are checked against it. When a folder holds several runs of the same
export, period and location (a month-to-date export runs daily), only the latest run is loaded. A manifest with
no export name is named by its own folder's full location. Any other data file (CSV, gzip CSV,
parquet) is a source of its own, named by its resolved absolute path (or its blob URL).

A store written before runs were named by location recorded a run as `ExportName/period` (or, without an export
name, its folder relative to the folder given); `legacy_name` and `location` let the loader replace that entry
when a newer run of the same export at the same location is loaded (`costing.actuals.load`).

Every path taken from the input (a manifest's blobName, a file found in the folder) must resolve inside the folder
given, or the input is refused: a manifest cannot point estate at files elsewhere.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TypeVar

from costing.actuals.reading import ExportFile, is_data_file
from estate.foundation.errors import CostDataError, InputError
from estate.foundation.files import inside
from estate.foundation.jsonfile import parse_json
from estate.foundation.limits import read_text_bounded

MANIFEST_NAMES = ("manifest.json", "_manifest.json")
Run = TypeVar("Run")
DATASET_COST_TYPES = {"actualcost": "actual", "amortizedcost": "amortized", "focuscost": None}


@dataclass
class ExportSource:
    """One store source found under the path given: its name, files, and what its manifest says."""

    name: str
    files: list[ExportFile]
    origin: str
    cost_type: str | None = None
    expected_rows: dict[Path, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    run_submitted: str = ""  # the manifest's runInfo.submittedTime, to pick the latest run
    blob_etags: dict[str, str] = field(default_factory=dict)  # blob URL -> ETag, for a source read from Blob
    location: str = ""  # a run's location: the folder holding its run folder (absolute path or blob URL)
    legacy_name: str | None = None  # what a store written before runs were named by location calls this run

    def fingerprint(self) -> str:
        """sha256 over the data files' names and bytes: the same export loaded twice has the same fingerprint."""
        digest = hashlib.sha256()
        for export in sorted(self.files, key=lambda f: f.path.name):
            digest.update(export.path.name.encode() + b"\0")
            with export.path.open("rb") as handle:
                while chunk := handle.read(8 << 20):
                    digest.update(chunk)
        return "sha256:" + digest.hexdigest()


def local_location(path: Path, _relative: str) -> str:
    """A loose local file's source name: its resolved absolute path."""
    return path.resolve().as_posix()


def local_run_location(manifest: Path, _relative: str) -> str:
    """A local run's location: the resolved folder that holds the manifest's folder."""
    return manifest.resolve().parent.parent.as_posix()


Locate = Callable[[Path, str], str]


def discover(root: Path, display: Callable[[str], str], locate: Locate = local_location,
             locate_run: Locate = local_run_location) -> list[ExportSource]:
    """The sources under `root` (a file or a folder); `display` turns a relative path into the name shown,
    `locate` (path, relative path) gives a loose file's source name, its full location, and `locate_run`
    (manifest path, relative path) a run's location."""
    if not root.exists():
        raise CostDataError(f"{display('')}: no such file or folder; give a cost export file, a folder of exports, "
                            "or a Blob Storage URL", file=display(""))
    if root.is_file():
        if root.name in MANIFEST_NAMES:
            return [_manifest_source(root, root.parent, display, locate, locate_run)]
        return [ExportSource(locate(root, ""), [ExportFile(root, display(""))], display(""))]
    manifests = sorted(p for name in MANIFEST_NAMES for p in root.rglob(name))
    for manifest in manifests:
        inside(root, manifest.relative_to(root), what=display(manifest.relative_to(root).as_posix()))
    runs = [_manifest_source(path, root, display, locate, locate_run) for path in manifests]
    sources = _latest_runs(runs)
    claimed = {export.path for run in runs for export in run.files}
    for path in sorted(p for p in root.rglob("*") if p.is_file() and is_data_file(p)):
        if path not in claimed and not any(part.startswith(".") for part in path.relative_to(root).parts):
            relative = path.relative_to(root).as_posix()
            inside(root, relative, what=display(relative))  # a link to a file elsewhere is refused
            sources.append(ExportSource(locate(path, relative), [ExportFile(path, display(relative))],
                                        display(relative)))
    if not sources:
        raise CostDataError(f"{display('')}: no cost export files (.csv, .csv.gz, .parquet or a manifest.json) found; "
                            "point estate at the export's folder or container", file=display(""))
    return sources


EARLIER_RUN = "ignored an earlier run of the same export: "


def latest_runs(runs: list[Run], name: Callable[[Run], str],
                submitted: Callable[[Run], str]) -> list[tuple[Run, list[Run]]]:
    """Each export and period's latest run (the first of equally late ones) with its other runs, by first seen."""
    groups: dict[str, list[Run]] = {}
    for run in runs:
        groups.setdefault(name(run), []).append(run)
    chosen = [(max(group, key=submitted), group) for group in groups.values()]
    return [(latest, [run for run in group if run is not latest]) for latest, group in chosen]


def _latest_runs(runs: list[ExportSource]) -> list[ExportSource]:
    latest = latest_runs(runs, lambda run: run.name, lambda run: run.run_submitted)
    for run, earlier in latest:
        run.notes.extend(EARLIER_RUN + other.origin for other in earlier)
    return [run for run, _ in latest]


@dataclass(frozen=True)
class RunManifest:
    """What an export run's manifest says: the source it is, when it ran, and its data blobs (container paths)."""

    name: str
    submitted: str
    cost_type: str | None
    blobs: tuple[dict, ...]
    location: str = ""
    legacy_name: str = ""  # the name a store written before runs were named by location gave it


def read_run_manifest(path: Path, relative: str, shown: str, location: str, folder: str) -> RunManifest:
    """Parse an export run's manifest (`relative`: its path under the folder or prefix given; `shown`: its name;
    `location`: the folder holding its folder, and `folder`: its own folder, as absolute paths or blob URLs)."""
    fix = "remove it or re-run the export"
    try:
        # Bounded like every input: size, nesting, no pipes or devices (docs/limits.md).
        text = read_text_bounded(path, what="Cost Management export manifest")
        manifest = parse_json(text, shown, what="Cost Management export manifest", fix=fix)
        blobs = tuple(blob for blob in manifest["blobs"] if isinstance(blob, dict))
    except InputError as exc:
        raise CostDataError(str(exc).replace(str(path), shown, 1), file=shown) from exc
    except (KeyError, TypeError) as exc:
        raise CostDataError(f"{shown}: not a Cost Management export manifest (no list of `blobs`: {exc}); {fix}",
                            file=shown) from exc
    config = manifest.get("exportConfig") or {}
    run = manifest.get("runInfo") or {}
    period = f"{str(run.get('startDate', ''))[:10]}..{str(run.get('endDate', ''))[:10]}"
    if config.get("exportName"):
        legacy = f"{config['exportName']}/{period}"
        name = f"{legacy} at {location}"
    else:  # named by its folder, as a loose file is by its path
        legacy, name = str(PurePosixPath(relative).parent), folder
    return RunManifest(name, str(run.get("submittedTime") or ""),
                       DATASET_COST_TYPES.get(str(config.get("type", "")).lower()), blobs, location, legacy)


def _manifest_source(path: Path, root: Path, display: Callable[[str], str], locate: Locate,
                     locate_run: Locate) -> ExportSource:
    relative = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
    parent = str(PurePosixPath(relative).parent)
    run = read_run_manifest(path, relative, display(relative), locate_run(path, relative),
                            locate(path.parent, "" if parent == "." else parent))
    source = ExportSource(run.name, [], display(relative), cost_type=run.cost_type, run_submitted=run.submitted,
                          location=run.location, legacy_name=run.legacy_name)
    for blob in run.blobs:
        data_path = _find_blob(path.parent, root, str(blob.get("blobName", "")), f"{display(relative)}: blobName")
        if data_path is None:
            raise CostDataError(f"{display(relative)}: lists {blob.get('blobName')!r}, which is not there; the export "
                                "is incomplete: wait for the run to finish or re-run it", file=display(relative))
        shown = data_path.relative_to(root).as_posix() if data_path.is_relative_to(root) else data_path.name
        source.files.append(ExportFile(data_path, display(shown)))
        if isinstance(blob.get("dataRowCount"), int):
            source.expected_rows[data_path] = blob["dataRowCount"]
    if not source.files:
        raise CostDataError(f"{display(relative)}: the manifest lists no data files; the export is empty",
                         file=display(relative))
    return source


def _find_blob(manifest_dir: Path, root: Path, blob_name: str, what: str) -> Path | None:
    """A manifest names blobs by their full path in the container; find it beside the manifest or under root.

    The name must stay inside the container (no `..`, not absolute) and what it finds inside `root`."""
    parts = PurePosixPath(blob_name).parts
    if PurePosixPath(blob_name).is_absolute() or ".." in parts or "\\" in blob_name:
        raise CostDataError(f"{what}: {blob_name!r} is not a plain path inside the container (absolute, or with '..'"
                            " or '\\'); estate reads only files inside the export folder, so the entry is refused",
                            file=what)
    candidates = [manifest_dir / parts[-1]] if parts else []
    candidates += [root.joinpath(*parts[i:]) for i in range(len(parts))]
    found = next((c for c in candidates if c.is_file()), None)
    if found is not None:
        inside(root, found.relative_to(root) if found.is_relative_to(root) else found, what=what)
    return found
