"""Never overwrite what is not ours: `--out` onto links, devices, FIFOs and folders; modes; killed writers' temps."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from estate.foundation.files import write_atomic, write_atomic_with
from tests.conftest import ROOT, run_cli
from tests.reconcile_helpers import Row, write_store

CASE = "stacks/business-case.yaml"


def _reconcile_to(tmp_path, out):
    store = write_store(tmp_path / "store", [Row("2020-10", "45000", line="azure-costs-sungard")])
    return run_cli("cost", "reconcile", "--case", CASE, "--store", store, "--format", "csv", "--out", out)


def test_a_plain_out_file_is_written(tmp_path):
    result = _reconcile_to(tmp_path, tmp_path / "report.csv")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "report.csv").read_text().startswith("synthetic,")


def _symlink(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (tmp_path / "out.csv").symlink_to(victim)
    return lambda: (tmp_path / "out.csv").is_symlink() and victim.read_text() == "precious"


def _fifo(tmp_path):
    os.mkfifo(tmp_path / "out.csv")
    return lambda: stat.S_ISFIFO(os.lstat(tmp_path / "out.csv").st_mode)


def _device(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("making a device node needs root")
    os.mknod(tmp_path / "out.csv", stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a null device, inside tmp_path
    return lambda: stat.S_ISCHR(os.lstat(tmp_path / "out.csv").st_mode)


def _folder(tmp_path):
    (tmp_path / "out.csv").mkdir()
    (tmp_path / "out.csv" / "keep.txt").write_text("kept")
    return lambda: (tmp_path / "out.csv" / "keep.txt").read_text() == "kept"


@pytest.mark.parametrize("make", [_symlink, _fifo, _device, _folder], ids=["symlink", "fifo", "device", "folder"])
def test_out_onto_a_node_that_is_not_a_regular_file_is_refused_and_left_as_it_was(tmp_path, make):
    unchanged = make(tmp_path)
    result = _reconcile_to(tmp_path, tmp_path / "out.csv")
    assert result.exit_code == 2, result.output
    assert "not a regular file" in result.stderr and "Traceback" not in result.output
    assert unchanged()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_new_file_gets_the_umask_and_a_replaced_one_keeps_its_mode(tmp_path):
    old = os.umask(0o027)
    try:
        write_atomic(tmp_path / "new.txt", "x")
        assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o640
        existing = tmp_path / "shared.txt"
        existing.write_text("old")
        existing.chmod(0o664)
        write_atomic(existing, "new")
        assert stat.S_IMODE(existing.stat().st_mode) == 0o664 and existing.read_text() == "new"
    finally:
        os.umask(old)


_KILLED_WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from estate.foundation.files import write_atomic_with
    def writer(handle):
        handle.write(b"half a report")
        handle.flush()
        Path(sys.argv[2]).write_text("ready")
        time.sleep(600)
    write_atomic_with(sys.argv[1], writer)
""")


def test_a_killed_writer_s_temp_file_is_removed_by_the_next_write_of_that_target(tmp_path):
    target, ready = tmp_path / "plan.json", tmp_path / "ready"
    child = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, str(target), str(ready)], cwd=ROOT,
                             env=dict(os.environ, PYTHONPATH=str(ROOT)))
    deadline = time.monotonic() + 60
    while not ready.exists() and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    (left,) = tmp_path.glob(".plan.json.*.tmp")
    os.utime(left, (time.time() - 60, time.time() - 60))  # a minute later
    other = tmp_path / ".other.json.x.tmp"  # another target's temp file is not ours to remove
    other.write_text("x")
    os.utime(other, (time.time() - 60, time.time() - 60))

    write_atomic(target, "{}")

    assert target.read_text() == "{}"
    assert not list(tmp_path.glob(".plan.json.*.tmp")) and other.exists()


def test_a_live_writer_s_temp_file_is_left_alone_however_old(tmp_path):
    target = tmp_path / "report.xlsx"
    started, release = threading.Event(), threading.Event()

    def slow(handle):
        handle.write(b"part")
        started.set()
        release.wait(30)

    thread = threading.Thread(target=write_atomic_with, args=(target, slow))
    thread.start()
    try:
        assert started.wait(30)
        (live,) = tmp_path.glob(".report.xlsx.*.tmp")
        os.utime(live, (time.time() - 60, time.time() - 60))
        write_atomic(target, b"other")
        assert live.exists()
    finally:
        release.set()
        thread.join(30)
    assert target.read_bytes() == b"part"  # the slow writer finished last and its file is whole
