"""Never lose, never delete: source identity, parallel loads, leftovers of killed loads, paths from manifests."""

from __future__ import annotations

import json
import signal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.cost_helpers import (
    FOCUS_HEADER,
    as_the_previous_version_wrote_it,
    focus_row,
    load,
    store_checksums,
    summary,
    write_focus_export,
)
from tests.safety_helpers import run_at_once, start_paused_load, wait_for


def _export(path, rows: int, cost: str = "1", day: str = "2025-05-01", resource: str = "vm-01"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(FOCUS_HEADER + "\n" + "".join(focus_row(cost, day, resource=f"{resource}-{i}")
                                                    for i in range(rows)))
    return path


# --- source identity -----------------------------------------------------------------------------------------------

def test_two_exports_with_the_same_file_name_in_different_folders_are_both_kept(tmp_path):
    store = tmp_path / "store"
    _export(tmp_path / "north" / "export.csv", 20, cost="1")
    _export(tmp_path / "south" / "export.csv", 10, cost="2")
    assert load(tmp_path / "north" / "export.csv", store).exit_code == 0
    assert load(tmp_path / "south" / "export.csv", store).exit_code == 0

    assert summary(store)["total"] == {"billed_cost": "40", "effective_cost": "40", "rows": 30}
    # The same again adds nothing, from either folder.
    before = store_checksums(store)
    for folder in ("north", "south"):
        again = load(tmp_path / folder / "export.csv", store, "--format", "json")
        assert json.loads(again.stdout)["sources"][0]["status"] == "unchanged"
    assert store_checksums(store) == before


def test_one_folder_holding_two_same_named_files_in_subfolders_keeps_both_across_loads(tmp_path):
    store = tmp_path / "store"
    _export(tmp_path / "a" / "x" / "costs.csv", 3)
    _export(tmp_path / "b" / "x" / "costs.csv", 4, cost="5")
    assert load(tmp_path / "a", store).exit_code == 0
    assert load(tmp_path / "b", store).exit_code == 0
    assert summary(store)["total"]["rows"] == 7


RUN_PERIOD = "2025-06-01..2025-06-30"
RUN_NAME = f"council-focus/{RUN_PERIOD}"  # what a store written before runs were named by location calls one


def _run(folder, rows: int, run_id: str = "run-1", submitted: str = "2025-06-02T02:00:00Z", cost: str = "1"):
    """One run of the month-to-date export `council-focus` (manifest and one part) under `folder`."""
    return write_focus_export(folder, "council-focus", RUN_PERIOD, run_id, submitted,
                              ["".join(focus_row(cost, "2025-06-01", resource=f"vm-{i}") for i in range(rows))],
                              FOCUS_HEADER)


def _statuses(result) -> dict[str, tuple[str, int]]:
    assert result.exit_code == 0, result.output
    return {s["source"]: (s["status"], s["rows_stored"]) for s in json.loads(result.stdout)["sources"]}


def test_two_exports_with_the_same_name_in_different_folders_are_both_kept(tmp_path):
    exports, store = tmp_path / "exports", tmp_path / "store"
    north, south = _run(exports / "north", 20).parent, _run(exports / "south", 10, cost="2").parent
    named = [f"{RUN_NAME} at {folder.resolve().as_posix()}" for folder in (north, south)]

    together = _statuses(load(exports, store, "--format", "json"))  # both in one load, then one at a time
    assert summary(store)["total"] == {"billed_cost": "40", "effective_cost": "40", "rows": 30}
    assert together == {named[0]: ("loaded", 20), named[1]: ("loaded", 10)}
    other = tmp_path / "store-2"
    assert "loaded 20 rows" in load(exports / "north", other).stdout
    assert "loaded 10 rows" in load(exports / "south", other).stdout
    assert summary(other)["total"]["rows"] == 30
    before = store_checksums(other)
    for folder in ("north", "south", "."):
        assert {status for status, _ in _statuses(load(exports / folder, other, "--format", "json")).values()} == {
            "unchanged"}
    assert store_checksums(other) == before


def test_a_newer_run_in_the_same_folder_still_replaces_the_earlier_one_and_leaves_the_namesake(tmp_path):
    exports, store = tmp_path / "exports", tmp_path / "store"
    _run(exports / "north", 20)
    _run(exports / "south", 10, cost="2")
    assert load(exports, store).exit_code == 0
    _run(exports / "north", 25, run_id="run-2", submitted="2025-06-03T02:00:00Z")  # the next day's run

    again = _statuses(load(exports / "north", store, "--format", "json"))

    assert list(again.values()) == [("loaded", 25)]
    assert summary(store)["total"] == {"billed_cost": "45", "effective_cost": "45", "rows": 35}


def test_a_store_written_by_the_previous_version_reloads_without_doubling_its_runs(tmp_path):
    store = tmp_path / "store"
    _run(tmp_path / "north", 20)
    assert load(tmp_path / "north", store).exit_code == 0
    as_the_previous_version_wrote_it(store, RUN_NAME)
    before = store_checksums(store)

    unchanged = _statuses(load(tmp_path / "north", store, "--format", "json"))
    assert [status for status, _ in unchanged.values()] == ["unchanged"] and store_checksums(store) == before

    _run(tmp_path / "north", 25, run_id="run-2", submitted="2025-06-03T02:00:00Z")
    newer = load(tmp_path / "north", store, "--format", "json")
    assert [status for status, _ in _statuses(newer).values()] == ["loaded"]
    assert f"replaces {RUN_NAME!r}" in newer.stdout
    assert summary(store)["total"]["rows"] == 25  # the old run's 20 rows are gone, not added to
    assert RUN_NAME not in json.loads((store / "manifest.json").read_text())["sources"]

    _run(tmp_path / "south", 10, cost="2")  # a namesake elsewhere is another export, as in a new store
    assert load(tmp_path / "south", store).exit_code == 0
    assert summary(store)["total"]["rows"] == 35


# --- parallel loads ------------------------------------------------------------------------------------------------

def test_eight_parallel_loads_keep_every_source_exactly_once_round_after_round(tmp_path):
    # Eight processes, three rounds: in round k each loads its own new export into the one store, all at once.
    # (Distinct file names, so only the race, not the name, could make one load replace another's source.)
    store = tmp_path / "store"
    rounds = [[["cost", "load", _export(tmp_path / f"r{k}" / f"costs-{k}-{i}.csv", i + 1, cost=str(10 ** i),
                                        day=f"2025-0{k + 1}-01", resource=f"vm{i}"), "--store", store]
               for i in range(8)] for k in range(3)]
    results = run_at_once(rounds, tmp_path / "sync")
    assert [r.returncode for r in results] == [0] * 8, [r.stderr for r in results]

    manifest = json.loads((store / "manifest.json").read_text())
    assert len(manifest["sources"]) == 24
    report = summary(store)
    # Each export's rows once: its own power of ten times its row count, so a lost or doubled one shows.
    per_round = str(sum((i + 1) * 10 ** i for i in range(8)))
    assert [(r["month"], r["billed_cost"], r["rows"]) for r in report["rows"]] == [
        (f"2025-0{k + 1}", per_round, 36) for k in range(3)]
    assert not list(store.glob(".staging-*"))


def test_the_same_export_loaded_in_parallel_from_two_places_is_stored_once(tmp_path):
    store = tmp_path / "store"
    export = _export(tmp_path / "one" / "costs.csv", 5, cost="3")
    copy = _export(tmp_path / "two" / "costs.csv", 0)
    copy.write_bytes(export.read_bytes())
    results = run_at_once([[["cost", "load", path, "--store", store] for path in (export, copy, export)]],
                          tmp_path / "sync")
    assert [r.returncode for r in results] == [0, 0, 0], [r.stderr for r in results]
    assert summary(store)["total"] == {"billed_cost": "15", "effective_cost": "15", "rows": 5}


# --- leftovers of a killed load ------------------------------------------------------------------------------------

def test_a_load_killed_mid_staging_leaves_the_old_store_and_the_next_load_cleans_up(tmp_path):
    store = tmp_path / "store"
    assert load(_export(tmp_path / "first.csv", 2), store).exit_code == 0
    before = summary(store)
    manifest_before = (store / "manifest.json").read_bytes()

    ready = tmp_path / "ready"
    child = start_paused_load(ready, _export(tmp_path / "big.csv", 2000, cost="7"), "--store", store)
    wait_for(ready, child)
    staging = store / ready.read_text().rsplit("/", 1)[-1]
    assert staging.is_dir() and list(staging.glob("*.parquet"))  # it was really staging when killed
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)

    # The killed load left the old store (readable, same manifest) and its staging folder.
    assert (store / "manifest.json").read_bytes() == manifest_before and summary(store) == before
    # A partition file no manifest lists, as a load killed between moving files and the manifest would leave.
    stray = store / "actuals" / "source=gone-1234abcd" / "month=2025-05" / ("0" * 32 + ".parquet")
    stray.parent.mkdir(parents=True)
    pq.write_table(pa.table({"x": [1]}), stray)
    mine = store / "actuals" / "notes.txt"  # not a name the store makes: left alone
    mine.write_text("mine")

    assert load(_export(tmp_path / "next.csv", 1, cost="100", day="2025-06-01"), store).exit_code == 0
    assert not list(store.glob(".staging-*"))
    assert not stray.exists() and not stray.parent.exists()
    assert mine.read_text() == "mine"
    listed = {f for s in json.loads((store / "manifest.json").read_text())["sources"].values()
              for p in s["partitions"].values() for f in p["files"]}
    on_disk = {p.relative_to(store).as_posix() for p in store.rglob("*.parquet")}
    assert on_disk == listed
    assert summary(store)["total"]["rows"] == 3


def test_a_live_load_s_staging_folder_is_not_taken_by_another_load(tmp_path):
    store = tmp_path / "store"
    ready = tmp_path / "ready"
    child = start_paused_load(ready, _export(tmp_path / "slow.csv", 50), "--store", store)
    try:
        wait_for(ready, child)
        staging = store / ready.read_text().rsplit("/", 1)[-1]
        assert load(_export(tmp_path / "quick.csv", 1, cost="9"), store).exit_code == 0
        assert staging.is_dir() and list(staging.glob("*.parquet"))
    finally:
        child.kill()
        child.wait(timeout=30)


# --- deletion outside the store ------------------------------------------------------------------------------------

@pytest.mark.parametrize("entry", ["../victim.txt", "ABSOLUTE", "actuals/../../victim.txt"])
def test_a_manifest_naming_a_file_outside_the_store_is_refused_and_nothing_is_deleted(tmp_path, entry):
    store = tmp_path / "store"
    export = _export(tmp_path / "may.csv", 1)
    assert load(export, store).exit_code == 0
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    entry = str(victim) if entry == "ABSOLUTE" else entry
    manifest = json.loads((store / "manifest.json").read_text())
    source = next(iter(manifest["sources"].values()))
    source["partitions"]["2025-05"]["files"] = [entry]
    (store / "manifest.json").write_text(json.dumps(manifest))
    export.write_text(FOCUS_HEADER + "\n" + focus_row("2", "2025-05-01"))  # changed: replaces that source

    result = load(export, store)

    assert result.exit_code == 2, result.output
    assert repr(entry) in result.stderr and "Traceback" not in result.output
    assert victim.read_text() == "precious"


def test_an_export_manifest_listing_a_blob_outside_the_folder_is_refused(tmp_path):
    exports = tmp_path / "exports"
    run = write_focus_export(exports, "council-focus", "2025-05-01..2025-05-31", "run-1", "2025-06-01T02:00:00Z",
                             [focus_row("1", "2025-05-01")], FOCUS_HEADER)
    outside = _export(tmp_path / "elsewhere.csv", 1, cost="666")
    manifest = json.loads((run / "manifest.json").read_text())
    manifest["blobs"] = [{"blobName": "exports/council-focus/../../../../elsewhere.csv", "dataRowCount": 1}]
    (run / "manifest.json").write_text(json.dumps(manifest))

    result = load(exports, tmp_path / "store")

    assert result.exit_code == 2, result.output
    assert "elsewhere.csv" in result.stderr and "blobName" in result.stderr
    assert outside.exists() and not (tmp_path / "store" / "manifest.json").exists()


def test_a_link_in_an_export_folder_to_a_file_outside_it_is_refused(tmp_path):
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "costs.csv").symlink_to(_export(tmp_path / "private" / "other.csv", 1))
    result = load(exports, tmp_path / "store")
    assert result.exit_code == 2, result.output
    assert "costs.csv" in result.stderr and "outside" in result.stderr


@pytest.mark.parametrize("relative", ["../x", "/etc/passwd", "a/../../x", "C:\\x", "link/x"])
def test_inside_refuses_paths_that_leave_their_root(tmp_path, relative):
    from estate.foundation.errors import InputError
    from estate.foundation.files import inside

    root = tmp_path / "root"
    root.mkdir()
    (root / "link").symlink_to(tmp_path)
    with pytest.raises(InputError, match="refused"):
        inside(root, relative, what="entry")
    assert inside(root, "a/./b/../c.csv") == (root / "a" / "c.csv").resolve()
