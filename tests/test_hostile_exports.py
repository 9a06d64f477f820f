"""Hostile cost exports: gzip bombs and endless lines stop at a stated limit, in bounded time and memory."""

from __future__ import annotations

import gzip
import os
import zlib

from tests.cost_helpers import FOCUS_HEADER, focus_row, write_focus_export
from tests.hostile_helpers import assert_refused, run_bounded


def _gzip_stream(path, pieces):
    """Write a gzip file from (bytes, times) pieces without holding the whole text in memory."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    with path.open("wb") as handle:
        for data, times in pieces:
            for _ in range(times):
                handle.write(compressor.compress(data))
        handle.write(compressor.flush())


def test_a_gzip_bomb_stops_at_the_decompressed_size_limit(tmp_path):
    export = tmp_path / "exports" / "bomb.csv.gz"
    export.parent.mkdir()
    row = focus_row("1.00", "2025-05-02").encode()
    _gzip_stream(export, [((FOCUS_HEADER + "\n").encode(), 1), (row, 40 * 1024 * 1024 // len(row))])
    assert export.stat().st_size < 2 * 1024 * 1024  # 40 MiB of rows in a small file
    result = run_bounded("cost", "load", export.parent, "--store", tmp_path / "store", "--currency", "GBP",
                         "--max-uncompressed-mib", "8", seconds=120)
    assert_refused(result, "bomb.csv.gz", "more than 8 MiB once decompressed", "--max-uncompressed-mib")
    assert not (tmp_path / "store" / "manifest.json").exists()


def test_a_header_line_of_zeros_is_refused_without_reading_it_whole(tmp_path):
    export = tmp_path / "exports" / "zeros.csv.gz"
    export.parent.mkdir()
    _gzip_stream(export, [(b"0" * (1 << 20), 256)])  # 256 MiB without a newline
    result = run_bounded("cost", "load", export.parent, "--store", tmp_path / "store", seconds=120)
    assert_refused(result, "zeros.csv.gz", "longer than 1024 KiB", "--max-line-kib")


def test_a_data_line_longer_than_the_limit_is_named(tmp_path):
    export = tmp_path / "exports" / "long.csv.gz"
    export.parent.mkdir()
    _gzip_stream(export, [((FOCUS_HEADER + "\n").encode(), 1), (b"0" * (1 << 20), 8), (b"\n", 1)])
    result = run_bounded("cost", "load", export.parent, "--store", tmp_path / "store", "--max-line-kib", "512",
                         seconds=120)
    assert_refused(result, "long.csv.gz", "longer than 512 KiB", "--max-line-kib")


def test_a_genuine_export_still_loads_under_the_limits(tmp_path):
    export = tmp_path / "exports" / "ok.csv.gz"
    export.parent.mkdir()
    export.write_bytes(gzip.compress((FOCUS_HEADER + "\n" + focus_row("2.50", "2025-05-03")).encode()))
    result = run_bounded("cost", "load", export.parent, "--store", tmp_path / "store", "--currency", "GBP",
                         "--max-uncompressed-mib", "1", seconds=120)
    assert result.exit_code == 0, result.output


def _export_run(tmp_path):
    return write_focus_export(tmp_path / "exports", "council", "2025-05-01..2025-05-31", "run-1",
                              "2025-06-01T02:00:00Z", [focus_row("1.00", "2025-05-02")], FOCUS_HEADER)


def test_a_deeply_nested_run_manifest_is_refused_with_its_name(tmp_path):
    run = _export_run(tmp_path)
    (run / "manifest.json").write_text("[" * 100_000 + "]" * 100_000)
    result = run_bounded("cost", "load", tmp_path / "exports", "--store", tmp_path / "store", seconds=60)
    assert_refused(result, "manifest.json", "nested", "remove it or re-run the export")
    assert not (tmp_path / "store" / "manifest.json").exists()


def test_a_run_manifest_that_is_a_pipe_is_refused_not_waited_on(tmp_path):
    run = _export_run(tmp_path)
    (run / "manifest.json").unlink()
    os.mkfifo(run / "manifest.json")
    result = run_bounded("cost", "load", tmp_path / "exports", "--store", tmp_path / "store", seconds=60)
    assert_refused(result, "manifest.json", "not a regular file")


def test_a_run_manifest_above_the_input_limit_is_refused(tmp_path):
    run = _export_run(tmp_path)
    (run / "manifest.json").write_text('{"blobs": [], "pad": "' + "x" * (2 * 1024 * 1024) + '"}')
    result = run_bounded("cost", "load", tmp_path / "exports", "--store", tmp_path / "store", seconds=60,
                         env={"ESTATE_MAX_INPUT_MIB": "1"})
    assert_refused(result, "manifest.json", "above the 1 MiB limit", "ESTATE_MAX_INPUT_MIB")
