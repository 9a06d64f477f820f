"""A pull of many scopes × months into the cost store: resumable, idempotent, one atomic chunk per month.

Each (scope, metric, month) is one chunk of the store, written whole and atomically. A rerun skips the
closed months already in the store (unless `refresh`), and always pulls the open month again, replacing
its chunk; so a pull killed half-way and rerun ends with the same store as one that was never interrupted,
and no row twice.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from costing.costapi.query import Grouping, month_query, normalise_rows, query_pages
from estate.foundation.errors import EstateError, ServiceError, UsageError
from estate.foundation.limits import COMMAND_SECONDS

_SCOPE_PATTERNS = (
    (re.compile(r"^subscriptions/[0-9a-fA-F-]{36}$"), "subscription"),
    (re.compile(r"^subscriptions/[0-9a-fA-F-]{36}/resourceGroups/[-\w._()]+$", re.IGNORECASE), "resource group"),
    (re.compile(r"^providers/Microsoft\.Management/managementGroups/[-\w._()]+$", re.IGNORECASE),
     "management group"),
    (re.compile(r"^providers/Microsoft\.Billing/billingAccounts/[^/]+(/(billingProfiles|departments|"
                r"enrollmentAccounts|invoiceSections|customers)/[^/]+)*$", re.IGNORECASE), "billing account"),
)


class PullError(ServiceError):
    """A pull could not get a month from Cost Management (after bounded retries), or was refused."""


class ChunkStore(Protocol):
    """Where a pull writes: one chunk per (source, month), replaced whole."""

    def has_chunk(self, source: str, month: str) -> bool: ...

    def write_chunk(self, source: str, month: str, records: list[dict[str, Any]], *, currency_hint: str | None,
                    lineage: dict[str, str]) -> int: ...


@dataclass
class PullReport:
    pulled: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    rows: int = 0
    queries: int = 0


def normalise_scope(scope: str) -> tuple[str, str]:
    """The scope without its leading slash, and what kind of scope it is; anything else is a usage error."""
    cleaned = scope.strip().strip("/")
    for pattern, kind in _SCOPE_PATTERNS:
        if pattern.match(cleaned):
            return cleaned, kind
    raise UsageError(
        f"--scope {scope!r} is not a Cost Management scope; give one of /subscriptions/<id>, "
        "/subscriptions/<id>/resourceGroups/<name>, /providers/Microsoft.Management/managementGroups/<id> or "
        "/providers/Microsoft.Billing/billingAccounts/<id>"
    )


def source_name(scope: str, metric: str, method: str) -> str:
    """The store source a scope's pull writes to, e.g. `cost-query/ActualCost/subscriptions-0000...`."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", scope.strip("/")).strip("-").lower()
    return f"cost-{method}/{metric}/{slug}"


def is_closed(month: str, today: date) -> bool:
    """A month is closed once a later month has begun (its cost can still be corrected, but rarely)."""
    return month < f"{today.year:04d}-{today.month:02d}"


@dataclass(frozen=True)
class PullPlan:
    scopes: list[str]
    months: list[str]
    metric: str
    groupings: tuple[Grouping, ...]
    refresh: bool = False


def pull_queries(client: Any, store: ChunkStore, plan: PullPlan, *, today: date,
                 advance: Callable[[str, str, str], None] = lambda scope, month, what: None) -> PullReport:
    """Pull every (scope, month) of the plan through the Query API into `store`."""
    report = PullReport()
    deadline = _Deadline()
    for scope in plan.scopes:
        source = source_name(scope, plan.metric, "query")
        for month in plan.months:
            deadline.check(scope, month)
            if is_closed(month, today) and not plan.refresh and store.has_chunk(source, month):
                report.skipped.append((scope, month))
                advance(scope, month, "kept")
                continue
            records, queries = _fetch_month(client, scope, month, plan)
            report.queries += queries
            currency = next((r["BillingCurrency"] for r in records if r.get("BillingCurrency")), None)
            report.rows += store.write_chunk(source, month, records, currency_hint=currency,
                                             lineage={"x_SourceType": f"cost-management-query/{plan.metric}",
                                                      "x_SourceFile": f"/{scope}"})
            report.pulled.append((scope, month))
            advance(scope, month, f"{len(records)} rows")
    return report


def pull_details(client: Any, store: Any, plan: PullPlan, *, today: date, work_dir: Path,
                 advance: Callable[[str, str, str], None] = lambda scope, month, what: None) -> PullReport:
    """Pull every (scope, month) through the Cost Details API and load its report with `estate cost load`."""
    from costing.actuals.load import LoadOptions, load_sources
    from costing.actuals.reading import ExportFile
    from costing.actuals.sources.local import ExportSource
    from costing.costapi.details import download_blob, request_report

    cost_type = "actual" if plan.metric == "ActualCost" else "amortized"
    report = PullReport()
    deadline = _Deadline()
    for scope in plan.scopes:
        for month in plan.months:
            deadline.check(scope, month)
            source = f"{source_name(scope, plan.metric, 'details')}/{month}"
            if is_closed(month, today) and not plan.refresh and store.has_source(source):
                report.skipped.append((scope, month))
                advance(scope, month, "kept")
                continue
            try:
                blobs = request_report(client, scope, plan.metric, month)
                report.queries += 1
                files = []
                for number, blob in enumerate(blobs):
                    path = work_dir / f"{source.replace('/', '_')}-{number}.csv"
                    with path.open("wb") as handle:
                        for chunk in download_blob(blob):
                            handle.write(chunk)
                    files.append(ExportFile(path, f"/{scope} cost details {month} blob {number + 1}"))
            except Exception as exc:
                raise describe_failure(exc, scope, month, client) from exc
            if not files:
                advance(scope, month, "no report")
                continue
            export = ExportSource(source, files, f"/{scope} cost details {month}", cost_type=cost_type)
            results = load_sources([export], store.store_dir, LoadOptions(cost_type=cost_type))
            report.rows += sum(result.rows_stored for result in results)
            report.pulled.append((scope, month))
            advance(scope, month, f"{sum(result.rows_stored for result in results)} rows")
    return report


_clock = time.monotonic  # the deadline's clock (tests move it)


class _Deadline:
    """The per-command time limit (ESTATE_HTTP_COMMAND_SECONDS): a pull stops between months, resumable."""

    def __init__(self) -> None:
        self.started = _clock()
        self.seconds = COMMAND_SECONDS.value()

    def check(self, scope: str, month: str) -> None:
        if _clock() - self.started > self.seconds:
            raise PullError(f"the pull has run for more than {self.seconds} s; stopped before /{scope} {month}. "
                            "The months already pulled are kept: rerun the same command to resume "
                            f"({COMMAND_SECONDS.how_to_raise()})")


def check_one_metric(store: Any, scopes: list[str], metric: str) -> None:
    """Refuse to mix ActualCost and AmortizedCost of one scope in one store: their sum would count spend twice."""
    other = "AmortizedCost" if metric == "ActualCost" else "ActualCost"
    for scope in scopes:
        for method in ("query", "details"):
            prefix = source_name(scope, other, method)
            if any(name == prefix or name.startswith(prefix + "/") for name in store.sources()):
                raise UsageError(
                    f"the store already holds {other} for /{scope}; {metric} of the same spend would be counted "
                    f"twice. Pull {metric} into another --store, or keep pulling {other}.")


def _fetch_month(client: Any, scope: str, month: str, plan: PullPlan) -> tuple[list[dict[str, Any]], int]:
    body = month_query(plan.metric, month, plan.groupings)
    records: list[dict[str, Any]] = []
    queries = 0
    try:
        for columns, rows in query_pages(client, scope, body):
            queries += 1
            records.extend(normalise_rows(columns, rows, metric=plan.metric, scope=scope, month=month))
    except Exception as exc:
        raise describe_failure(exc, scope, month, client) from exc
    return records, queries


def describe_failure(exc: Exception, scope: str, month: str, client: Any) -> EstateError:
    """One paragraph for a failed month: which scope and month, what the service said, what to do."""
    from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ServiceRequestError

    if isinstance(exc, EstateError):
        return PullError(f"/{scope} {month}: {exc.message}")
    status = getattr(exc, "status_code", None)
    if isinstance(exc, ClientAuthenticationError) or status in (401, 403):
        return PullError(
            f"Cost Management refused the credential for /{scope} (month {month}, HTTP {status or 'auth'}). "
            f"Credential tried: {credential_name(client)}. Sign in with `az login`, or give a service principal "
            "(AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_CLIENT_SECRET) or a managed identity; the identity needs "
            "the Cost Management Reader role on the scope."
        )
    if isinstance(exc, HttpResponseError):
        reason = (getattr(exc, "reason", None) or "").strip()
        message = str(exc.message if hasattr(exc, "message") else exc).splitlines()[0]
        return PullError(
            f"Cost Management did not return /{scope} for {month} (HTTP {status} {reason}: {message}) after "
            "bounded retries. The months already pulled are kept; rerun the same command to resume from here."
        )
    if isinstance(exc, ServiceRequestError):
        return PullError(f"could not reach Cost Management for /{scope} {month} ({exc}); check the network or "
                         "--endpoint, then rerun to resume")
    if isinstance(exc, ValueError):
        reason = str(exc) or type(exc).__name__
        return PullError(f"Cost Management answered /{scope} {month} with a result estate cannot read ({reason}); "
                         "rerun later, and report it if it persists")
    raise exc


def credential_name(client: Any) -> str:
    """Which credential the client used, as far as azure-identity lets us tell."""
    credential = getattr(getattr(client, "_config", None), "credential", None)
    chosen = getattr(credential, "_successful_credential", None)
    if chosen is not None:
        return f"{type(credential).__name__} (via {type(chosen).__name__})"
    return type(credential).__name__ if credential is not None else "none"


def check_scopes(scopes: Iterable[str]) -> list[str]:
    cleaned = [normalise_scope(scope)[0] for scope in scopes]
    if not cleaned:
        raise UsageError("give at least one --scope")
    return cleaned
