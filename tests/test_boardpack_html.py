"""The HTML board pack: a one-page summary first (in £k), print rules for A4, escaped data, new fields when present."""

from __future__ import annotations

from costing.reports.html_report import to_html
from tests.boardpack_helpers import CASE, result_for, small_store
from tests.conftest import run_cli


def _html(tmp_path, case=CASE, *, synthetic: bool = True) -> str:
    store = small_store(tmp_path, synthetic=synthetic)
    out = tmp_path / "pack.html"
    result = run_cli("cost", "reconcile", "--case", case, "--store", store, "--format", "html", "--out", out)
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def _summary(html: str) -> str:
    start = html.index('<section id="board-summary"')
    return html[start:html.index("</section>", start)]


def test_the_summary_comes_first_in_pounds_thousands_then_the_detail_in_pounds(tmp_path):
    html = _html(tmp_path)
    body = html[html.index("<body>"):]
    summary_at = body.index('id="board-summary"')
    assert summary_at < body.index("<svg") and summary_at < body.index("Case vs actual by line and period (GBP)")
    summary = _summary(html)
    # 2021 is open with January's actuals: case 642,000 for the year, 53,500 to date, 45,000 actual.
    assert "£642.0k" in summary and "£53.5k" in summary and "£45.0k" in summary and "-£8.5k" in summary
    assert "Case to date (£k)" in summary and "GBP thousands" in summary
    assert "no actuals yet" in summary and "baseline: not spend" in summary
    assert "Payback: plan vs re-forecast" in summary and "2022, 37.3 months" in summary  # the case's own payback
    assert "Basis of the re-forecast" in summary and "Unallocated Azure spend to date: <b>£1.0k</b>" in summary
    # Favourable/adverse and capital/revenue from the reconciliation's model: the underspend is (F), and amber
    # under the underspend thresholds (green to 10 %, amber to 25 %), not red.
    assert "F/A" in summary and "Capital / revenue" in summary
    assert "-15.9%" in summary and "(F)" in summary
    detail = body[body.index('class="detail"'):]
    assert "45,000.00" in detail  # pounds and pence after the summary


def test_it_prints_to_a4_with_a_page_break_after_the_summary(tmp_path):
    html = _html(tmp_path)
    assert "@media print{" in html and "@page{size:A4 portrait" in html and "@page detail{size:A4 landscape" in html
    assert ".board{break-after:page;page-break-after:always}" in html
    assert "thead{display:table-header-group}" in html and "tr{break-inside:avoid" in html


def test_case_text_is_escaped_everywhere(tmp_path):
    text = CASE.read_text(encoding="utf-8").replace("label: Azure Costs SunGard ",
                                                    'label: "Azure <b>Costs</b> & SunGard" ')
    case = tmp_path / "case.yaml"
    case.write_text(text, encoding="utf-8")
    html = _html(tmp_path, case)
    assert "<b>Costs</b>" not in html
    assert "Azure &lt;b&gt;Costs&lt;/b&gt; &amp; SunGard" in _summary(html)


def test_favourable_adverse_and_classification_come_from_the_reconciliation(tmp_path):
    result = result_for(small_store(tmp_path, synthetic=True))
    summary = _summary(to_html(result))
    assert "<th>F/A</th>" in summary and "<th>Capital / revenue</th>" in summary
    sungard = summary[summary.index("Azure Costs SunGard"):].split("</tr>")[0]
    assert "(F)" in sungard and "favourable" in sungard and "revenue" in sungard  # 45,000 against 53,500: under


def test_real_spend_carries_no_synthetic_banner(tmp_path):
    html = _html(tmp_path, synthetic=False)
    assert "SYNTHETIC" not in html and 'id="board-summary"' in html
