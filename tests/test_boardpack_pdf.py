"""`estate cost reconcile --format pdf`: the HTML board pack on A4 through WeasyPrint."""

from __future__ import annotations

import pytest

from tests.boardpack_helpers import CASE, result_for, small_store
from tests.conftest import run_cli

try:
    import weasyprint
except (ImportError, OSError) as exc:  # OSError: WeasyPrint installed but Pango missing from the system
    pytest.skip(f"WeasyPrint cannot run here ({exc}); apt-get install libpango-1.0-0 libpangoft2-1.0-0",
                allow_module_level=True)

A4_SHORT, A4_LONG = 210 * 96 / 25.4, 297 * 96 / 25.4  # CSS pixels


def test_pdf_is_written_atomically_from_the_board_pack(tmp_path):
    store = small_store(tmp_path, synthetic=True)
    out = tmp_path / "pack.pdf"
    result = run_cli("cost", "reconcile", "--case", CASE, "--store", store, "--format", "pdf", "--out", out)
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert not list(tmp_path.glob("*.tmp*"))


def test_the_summary_is_one_portrait_a4_page_and_the_detail_landscape(tmp_path):
    from costing.reports.html_report import to_html

    document = weasyprint.HTML(string=to_html(result_for(small_store(tmp_path, synthetic=True)))).render()
    sizes = [(round(page.width), round(page.height)) for page in document.pages]
    assert sizes[0] == (round(A4_SHORT), round(A4_LONG))
    assert len(sizes) >= 3 and set(sizes[1:]) == {(round(A4_LONG), round(A4_SHORT))}
    first_page_text = " ".join(box.text for box in _text_boxes(document.pages[0]._page_box))
    assert "Board summary" in first_page_text and "SYNTHETIC" in first_page_text
    assert "Monthly spend vs case" not in first_page_text  # the detail starts on the next page


def _text_boxes(box):
    if hasattr(box, "text") and isinstance(box.text, str):
        yield box
    for child in getattr(box, "children", []):
        yield from _text_boxes(child)


def test_pdf_needs_an_out_file(tmp_path):
    store = small_store(tmp_path, synthetic=True)
    result = run_cli("cost", "reconcile", "--case", CASE, "--store", store, "--format", "pdf")
    assert result.exit_code == 2 and "--out" in result.stderr
