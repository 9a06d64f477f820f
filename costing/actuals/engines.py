"""Query engines for the cost store: DuckDB (in-process, the default) and Spark (local, Spark Connect, or a session
a notebook already has).

One SQL text is the definition of each query over the store (`costing.reconcile.actuals.spend_query`,
`costing.actuals.summary`): written in DuckDB's dialect against a table named `costs` (the store's live Parquet
files, read by column name). DuckDB runs it as written; Spark runs sqlglot's transpilation of it (`Tags->>'$.k'`
becomes `get_json_object(Tags, '$.k')`, `strftime` becomes `date_format`, `//` becomes `DIV`), plus the one
rewrite sqlglot does not know (`epoch_us` -> `unix_micros`). docs/scale-out.md says why one SQL text and not Ibis.

Money stays exact on both: the store's costs are decimal(38, 24), a SUM of decimal(38, s) is decimal(38, s) on
both engines, and Spark runs with ANSI mode (an overflow is an error, not a NULL) and without decimal precision
loss. Results come back as tuples of plain Python values (`Decimal`, `int`, `str`, `None`).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from functools import lru_cache
from typing import Any, Protocol

from estate.foundation.errors import CostDataError, UsageError

ENGINES = ("duckdb", "spark")
TABLE = "costs"
# Working memory for DuckDB: the GROUP BYs keep a few thousand groups, so this is ample.
DUCKDB_MEMORY_LIMIT = "256MB"
# What Spark must run with for exact, UTC answers; set for the query and put back afterwards.
SPARK_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "true",
    "spark.sql.decimalOperations.allowPrecisionLoss": "false",
}


class EngineError(Exception):
    """The engine could not read the store's files (the message says why)."""


class QueryEngine(Protocol):
    name: str

    def fetch(self, sql: str, files: list[str], filesystem: Any = None) -> list[tuple]:
        """Run `sql` (DuckDB dialect, over table `costs` = `files`) and return every row as a tuple."""
        ...


class DuckDBEngine:
    """A fresh in-process DuckDB connection per query, UTC, with bounded memory."""

    name = "duckdb"

    def __init__(self, memory_limit: str = DUCKDB_MEMORY_LIMIT) -> None:
        self.memory_limit = memory_limit

    def fetch(self, sql: str, files: list[str], filesystem: Any = None) -> list[tuple]:
        if filesystem is None:
            return self._fetch(sql, files, None)
        # adlfs sets the asyncio event loop of every thread that opens a blob to fsspec's running loop, which
        # breaks the caller's own asyncio afterwards (Pulumi's, a notebook's): read on a throwaway thread.
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(1, thread_name_prefix="estate-duckdb") as pool:
            return pool.submit(self._fetch, sql, files, filesystem).result()

    def _fetch(self, sql: str, files: list[str], filesystem: Any) -> list[tuple]:
        import duckdb

        connection = duckdb.connect(config={"memory_limit": self.memory_limit})
        try:
            # Charge months are UTC calendar months whatever the machine's time zone.
            connection.execute("SET TimeZone = 'UTC'")
            if filesystem is not None:  # an fsspec filesystem (a store in Azure Storage)
                connection.register_filesystem(filesystem)
            file_list = ", ".join("'" + name.replace("'", "''") + "'" for name in files)
            connection.execute(f"CREATE VIEW {TABLE} AS SELECT * FROM read_parquet([{file_list}], "
                               "union_by_name = true)")
            return connection.execute(sql).fetchall()
        except duckdb.Error as exc:
            raise EngineError(str(exc)) from exc
        finally:
            connection.close()


class SparkEngine:
    """Spark SQL over the store's files: `SparkEngine(spark)` for a session you have, or one made on first use
    (`remote="sc://host:15002"` for Spark Connect, else a local session on `master`)."""

    name = "spark"

    def __init__(self, spark: Any = None, *, remote: str | None = None, master: str = "local[*]",
                 conf: dict[str, str] | None = None) -> None:
        self._spark = spark
        self.remote = remote
        self.master = master
        self.conf = dict(conf or {})

    @property
    def spark(self) -> Any:
        if self._spark is None:
            self._spark = _new_session(self.remote, self.master, self.conf)
        return self._spark

    def fetch(self, sql: str, files: list[str], filesystem: Any = None) -> list[tuple]:
        spark = self.spark
        view = f"estate_costs_{uuid.uuid4().hex[:12]}"
        try:
            with _session_conf(spark, SPARK_CONF):
                spark.read.option("mergeSchema", "true").parquet(*files).createOrReplaceTempView(view)
                try:
                    return [tuple(row) for row in spark.sql(to_spark_sql(sql, view)).collect()]
                finally:
                    spark.catalog.dropTempView(view)
        except Exception as exc:
            if type(exc).__module__.startswith(("pyspark", "py4j")):
                raise EngineError(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                                  ) from exc
            raise


def _new_session(remote: str | None, master: str, conf: dict[str, str]) -> Any:
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise UsageError("--engine spark needs pyspark: pip install 'estate[spark]' (and Java 17 or 21)") from None
    builder = SparkSession.builder.appName("estate-cost")
    builder = builder.remote(remote) if remote else (
        builder.master(master).config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false"))
    for key, value in {**SPARK_CONF, **conf}.items():
        builder = builder.config(key, value)
    try:
        return builder.getOrCreate()
    except Exception as exc:  # no Java, Connect server down, missing Connect extras
        hint = ("check --spark-remote, and that Spark Connect's client is installed (pip install "
                "'pyspark[connect]')") if remote else "install Java 17 or 21 for a local session"
        raise UsageError(f"--engine spark: cannot start a Spark session ({str(exc).strip()[:300]}); {hint}"
                         ) from exc


@contextlib.contextmanager
def _session_conf(spark: Any, conf: dict[str, str]) -> Iterator[None]:
    """Set `conf` on a session for the duration of a query, then put back what it had."""
    before = {key: spark.conf.get(key, None) for key in conf}
    for key, value in conf.items():
        spark.conf.set(key, value)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                spark.conf.unset(key)
            else:
                spark.conf.set(key, value)


@lru_cache(maxsize=32)
def to_spark_sql(sql: str, table: str = TABLE) -> str:
    """The Spark SQL text of a DuckDB-dialect query over `costs` (reading table `table` instead)."""
    import sqlglot
    from sqlglot import exp

    def rewrite(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Anonymous) and node.name.lower() == "epoch_us":
            return exp.Anonymous(this="unix_micros", expressions=node.expressions)
        if isinstance(node, exp.Table) and node.name == TABLE:
            return exp.to_table(table)
        return node

    return sqlglot.parse_one(sql, read="duckdb").transform(rewrite).sql(dialect="spark")


def engine_named(name: str, *, spark_remote: str | None = None) -> QueryEngine:
    """The engine for `--engine NAME` (and `--spark-remote`)."""
    if name == "duckdb":
        if spark_remote:
            raise UsageError("--spark-remote is for --engine spark")
        return DuckDBEngine()
    if name == "spark":
        return SparkEngine(remote=spark_remote)
    raise UsageError(f"--engine {name!r}: choose {' or '.join(ENGINES)}")


def run_query(engine: QueryEngine | None, sql: str, files: list[str], store: str, filesystem: Any = None
              ) -> list[tuple]:
    """`engine.fetch` with engine failures turned into the one-paragraph error the user sees."""
    engine = engine or DuckDBEngine()
    try:
        return engine.fetch(sql, files, filesystem)
    except EngineError as exc:
        raise CostDataError(f"{store}: cannot read the cost store's files with {engine.name} ({exc}); reload the "
                            "store with `estate cost load`") from exc
