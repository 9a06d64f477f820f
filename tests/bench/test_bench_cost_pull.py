"""Benchmark: a 24-month pull against a stand-in that throttles as Cost Management does.

Prints queries sent, 429s met, and seconds, with our client-side limiter and without it (retry policy
alone). Target: zero failed months.
"""

from __future__ import annotations

import time
from datetime import date

from costing.costapi.client import cost_client
from costing.costapi.pull import PullPlan, pull_queries
from costing.costapi.query import DEFAULT_GROUPINGS, months_between
from costing.costapi.sink import StoreChunks
from costing.costapi.throttle import CostManagementRetryPolicy, SlidingWindowLimiter
from tests.conftest import SHARED_DATA
from tests.support.cost_api_server import CostApiServer

SCOPE = "subscriptions/00000000-0000-0000-0000-000000000001"
MONTHS = months_between("2023-01", "2024-12")


def _run(tmp_path, monkeypatch, *, limited: bool) -> dict[str, float]:
    with CostApiServer(SHARED_DATA, mode="synthetic", synthetic_resources=20, rows_per_page=1000) as server:
        for key, value in server.identity_env.items():
            monkeypatch.setenv(key, value)
        # Without our limiter, only a limiter that never waits stands between the pull and the service.
        limiter = SlidingWindowLimiter() if limited else SlidingWindowLimiter(((10**9, 1.0),))
        client = cost_client(server.endpoint, retry_policy=CostManagementRetryPolicy(max_retries=10),
                             limiter=limiter)
        store = StoreChunks(tmp_path / ("limited" if limited else "unlimited"))
        plan = PullPlan(scopes=[SCOPE], months=MONTHS, metric="ActualCost", groupings=DEFAULT_GROUPINGS)
        started = time.perf_counter()
        report = pull_queries(client, store, plan, today=date(2025, 1, 15))
        seconds = time.perf_counter() - started
        return {"months": len(report.pulled), "failed": len(MONTHS) - len(report.pulled), "rows": report.rows,
                "queries_sent": len(server.log.queries) + server.log.count(429), "throttled_429": server.log.count(429),
                "seconds": seconds}


def test_bench_24_month_pull_against_a_throttling_service(tmp_path, monkeypatch):
    limited = _run(tmp_path, monkeypatch, limited=True)
    unlimited = _run(tmp_path, monkeypatch, limited=False)
    print("\n24-month pull, one scope, stand-in enforcing 12/10 s, 60/min, 600/h per scope")
    print(f"{'client':<28}{'months':>8}{'failed':>8}{'rows':>8}{'queries':>9}{'429s':>6}{'seconds':>9}")
    for name, figures in (("rate limiter + retry policy", limited), ("retry policy only", unlimited)):
        print(f"{name:<28}{figures['months']:>8}{figures['failed']:>8}{figures['rows']:>8}"
              f"{figures['queries_sent']:>9}{figures['throttled_429']:>6}{figures['seconds']:>9.1f}")
    assert limited["failed"] == 0 and unlimited["failed"] == 0
    assert limited["throttled_429"] == 0
