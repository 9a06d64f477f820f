"""Jobs on actual spend: load exports into the cost store, pull from Cost Management, summarise the store,
reconcile it against the business case, and write synthetic demo spend."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from estate.foundation.errors import UsageError

if TYPE_CHECKING:
    from costing.actuals.load import FileProgress, SourceResult
    from costing.actuals.summary import CostSummary
    from costing.reconcile.model import Reconciliation
    from costing.synthetic import SyntheticExport

DEFAULT_STORE = "out/cost-store"  # a directory, or az://CONTAINER/PATH (abfs://, abfss://) in Azure Storage


def open_store(store: str | Path, connection_string: str | None = None):
    """The store's backend (`costing.actuals.storage`): a local directory, or a container in Azure Storage."""
    from costing.actuals.storage import open_storage

    return open_storage(store, connection_string)


def query_engine(engine: str = "duckdb", spark_remote: str | None = None):
    """The engine the store is queried on: DuckDB in-process, or Spark (a local session or Spark Connect)."""
    from costing.actuals.engines import engine_named

    return engine_named(engine, spark_remote=spark_remote)


def load_costs(source: str, store: str | Path = DEFAULT_STORE, *, currency: str | None = None,
               cost_type: str | None = None, fx_table: Path | None = None, connection_string: str | None = None,
               on_progress: Callable[[FileProgress], None] | None = None,
               on_total: Callable[[int], None] | None = None, max_uncompressed_mib: int = 16 * 1024,
               max_line_kib: int = 1024, accept_fx_outlier: bool = False) -> list[SourceResult]:
    """Load cost exports from a file, a folder or a Blob container URL into the store; an export already in the
    store (same content) adds nothing. `on_total(bytes)` then `on_progress(step)` report progress."""
    from costing.actuals.fx import read_fx_file
    from costing.actuals.load import LoadOptions, SourceResult, check_cost_type, load_sources, loaded_blob_etags
    from costing.actuals.reading import ReadLimits
    from costing.actuals.sources.blob import download_exports, is_blob_url
    from costing.actuals.sources.local import discover

    check_cost_type(cost_type)
    options = LoadOptions(currency=currency, cost_type=cost_type,
                          fx_table=read_fx_file(fx_table, accept_outlier=accept_fx_outlier) if fx_table else None,
                          limits=ReadLimits(max_uncompressed_mib, max_line_kib))

    backend = open_store(store, connection_string)

    def load(sources) -> list[SourceResult]:
        if on_total is not None:
            on_total(sum(export.path.stat().st_size for each in sources for export in each.files))
        return load_sources(sources, backend, options, progress=on_progress)

    if is_blob_url(source):
        with tempfile.TemporaryDirectory(prefix="estate-blobs-") as temp:
            download = download_exports(source, Path(temp), connection_string, loaded_blob_etags(backend))
            results = [SourceResult(name, "unchanged", notes=[why]) for name, why in download.unchanged]
            return results + load(download.sources(Path(temp)))
    root = Path(source)
    return load(discover(root, lambda relative: str(root / relative) if relative else str(root)))


def load_ledger_actuals(ledger: Path, store: str | Path = DEFAULT_STORE, *, case_file: Path | None = None) -> Any:
    """Load a finance-ledger extract (spend Azure never bills) into the store; with `case_file`, every row's line
    is checked against the case now (otherwise `reconcile` checks it). Returns costing.ledger's load result."""
    from costing.ledger.store import load_ledger

    case_lines = None
    if case_file is not None:
        from costing.business_case import load_business_case

        case_lines = {line.id: line.kind for line in load_business_case(case_file).lines}
    return load_ledger(ledger, Path(store), case_lines, str(case_file) if case_file else None)


def summarise_costs(store: str | Path = DEFAULT_STORE, by: str = "month", *, case_file: Path | None = None,
                    engine: str = "duckdb", spark_remote: str | None = None,
                    connection_string: str | None = None) -> CostSummary:
    """Billed and effective cost in the store, grouped by `by` (comma-separated: month, business-case-line,
    service). With a business case, rows are placed on its lines exactly as `reconcile` places them."""
    from costing.actuals.summary import parse_by, summarise

    place = None
    if case_file is not None:
        from costing.business_case import load_business_case
        from costing.business_case.mapping import line_of

        case = load_business_case(case_file)
        line_ids = {line.id for line in case.lines}

        def place(tag, service, resource_group, subscription_id, subscription_name):
            return line_of(case, line_ids, line_tag=tag, service=service, resource_group=resource_group,
                           subscription_id=subscription_id, subscription_name=subscription_name)[0]

    return summarise(open_store(store, connection_string), parse_by(by), place, query_engine(engine, spark_remote))


@dataclass(frozen=True)
class PullRequest:
    """What `pull_costs` fetches: scopes x months of one metric, by the Query API or Cost Details reports."""

    scopes: list[str]
    from_month: str
    to_month: str
    store: str | Path = DEFAULT_STORE
    metric: str = "ActualCost"
    method: str = "query"
    group_by: list[str] = field(default_factory=list)
    refresh: bool = False
    as_of: str | None = None
    endpoint: str | None = None
    max_retries: int = 6
    connection_string: str | None = None  # for a store in Azure Storage


@dataclass(frozen=True)
class PullSummary:
    store: str | Path
    metric: str
    method: str
    queries: int
    rows: int
    pulled: list[tuple[str, str]]
    kept: list[tuple[str, str]]

    def as_json(self) -> dict[str, object]:
        return {"store": str(self.store), "metric": self.metric, "method": self.method, "queries": self.queries,
                "rows": self.rows, "pulled": [{"scope": f"/{s}", "month": m} for s, m in self.pulled],
                "kept": [{"scope": f"/{s}", "month": m} for s, m in self.kept]}


def pull_costs(request: PullRequest, *, on_start: Callable[[int], None] | None = None,
               advance: Callable[[str, str, str], None] | None = None) -> PullSummary:
    """Pull spend per scope and month into the store; resumable (closed months already stored are kept)."""
    from costing.costapi.client import cost_client
    from costing.costapi.pull import PullPlan, check_one_metric, check_scopes, pull_details, pull_queries
    from costing.costapi.query import DEFAULT_GROUPINGS, Grouping, check_groupings, months_between
    from costing.costapi.sink import StoreChunks
    from costing.costapi.throttle import CostManagementRetryPolicy

    scopes = check_scopes(request.scopes)
    months = months_between(request.from_month, request.to_month)
    as_of = request.as_of
    today = date.fromisoformat(f"{months_between(as_of, as_of)[0]}-01") if as_of else date.today()
    groupings = check_groupings(tuple(Grouping.parse(g) for g in request.group_by) if request.group_by
                                else DEFAULT_GROUPINGS)
    chunks = StoreChunks(open_store(request.store, request.connection_string))
    check_one_metric(chunks, scopes, request.metric)
    client = cost_client(request.endpoint, retry_policy=CostManagementRetryPolicy(max_retries=request.max_retries))
    plan = PullPlan(scopes=scopes, months=months, metric=request.metric, groupings=groupings, refresh=request.refresh)
    if on_start is not None:
        on_start(len(scopes) * len(months))
    step = advance or (lambda scope, month, what: None)
    if request.method == "query":
        report = pull_queries(client, chunks, plan, today=today, advance=step)
    else:
        with tempfile.TemporaryDirectory(prefix="estate-cost-details-") as work:
            report = pull_details(client, chunks, plan, today=today, work_dir=Path(work), advance=step)
    return PullSummary(request.store, request.metric, request.method, report.queries, report.rows,
                       list(report.pulled), list(report.skipped))


def reconcile(case_file: Path, store: str | Path = DEFAULT_STORE, *, forecast_file: Path | None = None,
              estate_file: Path | None = None, as_of: str | None = None, cost_column: str = "EffectiveCost",
              green: Decimal = Decimal(5), amber: Decimal = Decimal(10), underspend_green: Decimal = Decimal(10),
              underspend_amber: Decimal = Decimal(25), reforecast: str = "profile",
              reforecast_adjust: str = "ytd-variance", engine: str = "duckdb", spark_remote: str | None = None,
              connection_string: str | None = None) -> Reconciliation:
    """Actual spend in the store (Azure and the finance ledger) against the business case (and the forecast,
    when given): variances with favourable/adverse, RAG, the re-forecast on a stated basis, payback and NPV."""
    from costing.reconcile.model import RagThresholds
    from costing.reconcile.run import ReconcileRequest
    from costing.reconcile.run import reconcile as run_reconcile

    thresholds = RagThresholds(green, amber, underspend_green, underspend_amber)
    request = ReconcileRequest(case_file=case_file, store=open_store(store, connection_string),
                               forecast_file=forecast_file, estate_file=estate_file, as_of=as_of,
                               cost_column=cost_column, thresholds=thresholds, reforecast=reforecast,
                               reforecast_adjust=reforecast_adjust)
    return run_reconcile(request, engine=query_engine(engine, spark_remote))


@dataclass(frozen=True)
class Synthesised:
    result: SyntheticExport
    unpriced: int = 0  # components the forecast left unpriced (spend priced from a forecast)
    ledger: Any = None  # costing.synthetic_ledger's result, when the spend was scaled to a case
    ledger_path: Path | None = None


def synthesise_costs(estate_file: Path, out: Path, *, case_file: Path | None = None,
                     forecast_file: Path | None = None, ledger_out: Path | None = None, months: int = 18,
                     seed: int = 418, start: str | None = None) -> Synthesised:
    """Write a SYNTHETIC FOCUS 1.0 export of the estate (demo data, never real spend): shaped by the waves and
    scaled to the case's cloud-run lines, with a synthetic ledger for the other lines (`case_file`), or priced
    from a forecast (`forecast_file`). The ledger goes to `ledger_out`, default `synthetic-ledger.csv` beside
    `out` (so that loading the export folder never reads it)."""
    from costing.reconcile.run import parse_month
    from costing.synthetic import SyntheticOptions
    from estate.definition.loader import load_estate

    if case_file is None and forecast_file is None:
        raise UsageError("give --case BUSINESS-CASE.yaml (spend scaled to the case) or --forecast FORECAST.json "
                         "(spend priced from the forecast)")
    if months < 1:
        raise UsageError("--months must be at least 1")
    estate = load_estate(estate_file)
    options = SyntheticOptions(months=months, seed=seed, start=parse_month(start, "--start") if start else None)
    if case_file is not None:
        from costing.business_case.loader import load_business_case
        from costing.synthetic_case import synthesise_from_case
        from costing.synthetic_ledger import LedgerOptions, write_ledger

        case = load_business_case(case_file)
        result = synthesise_from_case(estate, case, out, options, case_file=str(case_file))
        ledger_path = ledger_out or out.parent / "synthetic-ledger.csv"
        ledger = write_ledger(case, ledger_path, result.last_month, LedgerOptions(seed=options.seed))
        return Synthesised(result, ledger=ledger, ledger_path=ledger_path)
    from costing.reconcile.estimate import read_forecast
    from costing.synthetic import synthesise

    priced = read_forecast(forecast_file)
    return Synthesised(synthesise(estate, priced, out, options), priced.unpriced)
