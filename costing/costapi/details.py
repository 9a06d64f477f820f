"""Full-detail cost through the Cost Details API: request a report, poll it, download the blobs it names.

POST generateCostDetailsReport answers 202 with `Location` and `Retry-After`; polling that location gives
202 until the report is ready, then 200 with a manifest listing the report's blobs (SAS links, valid for
a limited time). The blobs are the cost-details CSV that `estate cost load` reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from costing.costapi.query import month_bounds
from costing.http_bounds import blob_chunks, blob_client_options, blob_transfer


@dataclass(frozen=True)
class ReportBlob:
    link: str
    byte_count: int | None


def request_report(client: Any, scope: str, metric: str, month: str, *, polling_interval: float | None = None
                   ) -> list[ReportBlob]:
    """Ask for a cost-details report of one month and wait until its blobs are listed."""
    start, end = month_bounds(month)
    body = {"metric": metric, "timePeriod": {"start": start.isoformat(), "end": end.isoformat()}}
    kwargs: dict[str, Any] = {}
    if polling_interval is not None:
        kwargs["polling_interval"] = polling_interval
    poller = client.generate_cost_details_report.begin_create_operation(scope, body, **kwargs)
    result = poller.result()
    manifest = result.manifest
    if manifest is None or not manifest.blobs:
        return []
    return [ReportBlob(link=blob.blob_link, byte_count=blob.byte_count) for blob in manifest.blobs]


def download_blob(blob: ReportBlob) -> Iterator[bytes]:
    """Stream one report blob through the real Blob Storage client (the SAS link carries the credential), in
    ranged chunks, within the blob download limits (docs/limits.md); the link is shown without its SAS query."""
    from azure.storage.blob import BlobClient

    transfer = blob_transfer(f"the report blob {blob.link.split('?')[0]}")
    transfer.refuse_stated_size(blob.byte_count)  # the report's manifest says how big it is
    options = blob_client_options()
    client = BlobClient.from_blob_url(blob.link, **options)
    with client:
        yield from blob_chunks(options["transport"], transfer, lambda: client.download_blob(max_concurrency=1))
