"""The reconciliation as PDF (`--format pdf`): the HTML board pack laid out on A4 pages by WeasyPrint.

WeasyPrint (BSD, https://weasyprint.org) renders the same self-contained HTML as `--format html`, with its
`@page` and `@media print` rules: the board summary on a portrait first page, the detail on landscape pages.
It needs Pango on the system (Debian: `libpango-1.0-0 libpangoft2-1.0-0`); nothing is fetched while rendering.
"""

from __future__ import annotations

from typing import IO

from costing.reconcile.model import Reconciliation
from costing.reports.html_report import to_html
from estate.foundation.errors import UsageError


def _no_fetch(url: str, *args, **kwargs):
    raise ValueError(f"the report fetches nothing: refused {url}")


def write_pdf(result: Reconciliation, handle: IO[bytes]) -> None:
    """Write the PDF to an open binary file."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: Pango missing from the system
        raise UsageError(f"--format pdf needs WeasyPrint and Pango ({exc}); install them (pip install weasyprint; "
                         "apt-get install libpango-1.0-0 libpangoft2-1.0-0), or use --format html") from exc
    HTML(string=to_html(result), url_fetcher=_no_fetch).write_pdf(handle)
