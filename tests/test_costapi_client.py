"""The Cost Management client pieces against the loopback stand-in, through the real SDK and credential."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from costing.costapi.client import check_endpoint, cost_client
from costing.costapi.details import download_blob, request_report
from costing.costapi.query import (
    DEFAULT_GROUPINGS,
    Grouping,
    month_query,
    months_between,
    normalise_rows,
    query_pages,
)
from costing.costapi.throttle import CostManagementRetryPolicy, SlidingWindowLimiter
from estate.foundation.errors import UsageError
from tests.support.cost_api_server import QPU_RETRY_HEADER, CostApiServer, Fault

pytestmark = pytest.mark.integration
BILLING_ACCOUNT = "providers/Microsoft.Billing/billingAccounts/70664866"
SUBSCRIPTION = "subscriptions/00000000-0000-0000-0000-000000000000"


@pytest.fixture
def server(third_party, monkeypatch):
    with CostApiServer(third_party) as running:
        for key, value in running.identity_env.items():
            monkeypatch.setenv(key, value)
        yield running


def _client(server, **kwargs):
    retry = CostManagementRetryPolicy(backoff_seconds=0.05, max_backoff_seconds=0.2, rng=random.Random(1), **kwargs)
    return cost_client(server.endpoint, retry_policy=retry), retry


def test_billing_account_next_link_is_followed_until_empty(server):
    client, _ = _client(server)
    pages = list(query_pages(client, BILLING_ACCOUNT, month_query("ActualCost", "2018-03", DEFAULT_GROUPINGS)))
    assert [len(rows) for _, rows in pages] == [4, 0]
    assert [query["skiptoken"] for query in server.log.queries] == [None, "AQAAAA=="]
    # The token came from the managed-identity endpoint and was sent as a bearer token.
    assert server.log.token_requests == 1
    assert set(server.log.authorisations) == {"Bearer loopback-token-not-a-secret"}


def test_query_rows_normalise_to_focus_with_exact_cost(server):
    client, _ = _client(server)
    (columns, rows), *_ = query_pages(client, SUBSCRIPTION, month_query("AmortizedCost", "2018-03", DEFAULT_GROUPINGS))
    # Microsoft's example spans 2018-03-31..2018-04-29; rows are normalised against the month they fall in
    # (a pull refuses rows outside the month it asked for, see tests/test_hostile_http.py).
    day = columns.index("UsageDate")
    by_month = {month: [row for row in rows if str(row[day]).startswith(month.replace("-", ""))]
                for month in ("2018-03", "2018-04")}
    records = [record for month, month_rows in by_month.items()
               for record in normalise_rows(columns, month_rows, metric="AmortizedCost", scope=SUBSCRIPTION,
                                            month=month)]
    with pytest.raises(ValueError, match="outside the month 2018-03"):
        normalise_rows(columns, rows, metric="AmortizedCost", scope=SUBSCRIPTION, month="2018-03")
    assert len(records) == 4
    assert records[0]["EffectiveCost"] == Decimal("2.10333307059661")
    assert "BilledCost" not in records[0]
    assert records[0]["BillingCurrency"] == "USD"
    assert records[0]["ChargePeriodStart"].isoformat() == "2018-03-31T00:00:00+00:00"
    # ResourceGroup casing differs between rows of the example; the store keeps one spelling.
    groups = {record["x_ResourceGroupName"] for record in records}
    assert "ict_stratandplan_goldsprova_prod" in groups
    assert all(record["SubAccountId"] == "00000000-0000-0000-0000-000000000000" for record in records)


def test_a_429_with_only_the_qpu_header_is_retried(server):
    server.faults.append(Fault(429, {QPU_RETRY_HEADER: "1"}))
    client, retry = _client(server)
    pages = list(query_pages(client, SUBSCRIPTION, month_query("ActualCost", "2018-03", DEFAULT_GROUPINGS)))
    assert len(pages[0][1]) == 4
    assert server.log.count(429) == 1
    assert retry.retries_seen == [429]


def test_a_503_is_retried(server):
    server.faults.append(Fault(503))
    client, retry = _client(server)
    pages = list(query_pages(client, SUBSCRIPTION, month_query("ActualCost", "2018-03", DEFAULT_GROUPINGS)))
    assert len(pages[0][1]) == 4
    assert retry.retries_seen == [503]


def test_retries_are_bounded(server):
    from azure.core.exceptions import HttpResponseError

    server.faults.append(Fault(500, times=10))
    retry = CostManagementRetryPolicy(max_retries=2, backoff_seconds=0.01, max_backoff_seconds=0.02)
    client = cost_client(server.endpoint, retry_policy=retry)
    with pytest.raises(HttpResponseError):
        list(query_pages(client, SUBSCRIPTION, month_query("ActualCost", "2018-03", DEFAULT_GROUPINGS)))
    assert server.log.count(500) == 3  # the first try and two retries, not ten


def test_a_401_is_not_retried(server):
    from azure.core.exceptions import ClientAuthenticationError

    server.faults.append(Fault(401, times=5))
    client, _ = _client(server)
    with pytest.raises(ClientAuthenticationError):
        list(query_pages(client, SUBSCRIPTION, month_query("ActualCost", "2018-03", DEFAULT_GROUPINGS)))
    assert server.log.count(401) == 1


def test_three_groupings_are_refused_before_sending_and_by_the_server(server):
    with pytest.raises(UsageError, match="at most 2 group-by clauses"):
        month_query("ActualCost", "2018-03", (*DEFAULT_GROUPINGS, Grouping("Dimension", "ServiceName")))
    from azure.core.exceptions import HttpResponseError

    body = month_query("ActualCost", "2018-03", DEFAULT_GROUPINGS)
    body["dataset"]["grouping"].append({"type": "Dimension", "name": "ServiceName"})
    client, _ = _client(server)
    with pytest.raises(HttpResponseError) as caught:
        list(query_pages(client, SUBSCRIPTION, body))
    assert caught.value.status_code == 400


def test_cost_details_report_is_polled_and_its_blob_downloaded(third_party, monkeypatch):
    report = (third_party / "finops-toolkit" / "cost-exports" / "EA_ActualCost_Small.csv").read_bytes()
    with CostApiServer(third_party, blob_bytes=report, poll_202_times=2) as server:
        for key, value in server.identity_env.items():
            monkeypatch.setenv(key, value)
        client, _ = _client(server)
        blobs = request_report(client, SUBSCRIPTION, "ActualCost", "2023-09", polling_interval=0.05)
        assert len(blobs) == 1 and blobs[0].byte_count == len(report)
        assert b"".join(download_blob(blobs[0])) == report
        assert server.log.statuses.count(202) == 3  # the POST's 202, then two polls still running


def test_months_between_spans_years_and_rejects_bad_input():
    assert months_between("2024-11", "2025-02") == ["2024-11", "2024-12", "2025-01", "2025-02"]
    with pytest.raises(UsageError, match="YYYY-MM"):
        months_between("2024-13", "2025-01")
    with pytest.raises(UsageError, match="after"):
        months_between("2025-02", "2024-01")


def test_endpoint_must_be_https_unless_loopback():
    assert check_endpoint("http://127.0.0.1:8080/") == "http://127.0.0.1:8080"
    assert check_endpoint("https://management.usgovcloudapi.net") == "https://management.usgovcloudapi.net"
    with pytest.raises(UsageError, match=r"plain http is accepted for 127\.0\.0\.1 only"):
        check_endpoint("http://management.example.com")


def test_limiter_spaces_requests_to_the_documented_limits():
    clock = [0.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        clock[0] += seconds

    limiter = SlidingWindowLimiter(((12, 10.0), (60, 60.0)), clock=lambda: clock[0], sleep=sleep)
    stamps = []
    for _ in range(30):
        limiter.acquire("scope")
        stamps.append(clock[0])
    for first, twelfth_later in zip(stamps, stamps[12:], strict=False):
        assert twelfth_later - first >= 10.0
    assert stamps[11] == 0.0 and stamps[12] > 10.0
