"""Starting Spark: the optional extra, Java, and one session per run in the policy's time zone.

Nothing here is imported unless a run asks for the Spark engine, so the
default install never needs pyspark or Java. The first run in a process
starts the JVM (10–30 seconds in local mode); later runs in the same process
share it, each in a session of its own (``SparkSession.newSession``: its own
temporary views and settings, among them the time zone).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ...errors import MissingExtra, UsageError
from ...i18n import msg

DEFAULT_MASTER = "local[*]"
# Memory for the driver in local mode, where the driver does all the work; a cluster's executors have their own.
DRIVER_MEMORY = os.environ.get("CLAUSEWISE_SPARK_MEMORY", "")
_LOG_CONFIG = Path(__file__).with_name("log4j2.properties")


def require() -> None:
    """Raise a one-line error when pyspark or Java is missing (before anything is read)."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise MissingExtra(msg("the Spark engine needs pyspark: pip install 'clausewise[spark]'")) from None
    if not java_found():
        raise UsageError(msg("the Spark engine needs Java 17 or newer: install it (Debian: apt-get install "
                             "default-jre-headless) or set JAVA_HOME"))


def java_found() -> bool:
    """True when a ``java`` executable is on PATH or under JAVA_HOME."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").is_file():
        return True
    return shutil.which("java") is not None


def _local(master: str) -> bool:
    return master.startswith("local")


def _driver_memory() -> str:
    """Half the machine's memory (at most 16 GiB), or ``CLAUSEWISE_SPARK_MEMORY`` (``8g``)."""
    if DRIVER_MEMORY:
        return DRIVER_MEMORY
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return "4g"
    return f"{max(1, min(total // 2, 16 << 30) >> 30)}g"


def start(master: str, timezone: str, conf: dict[str, str] | None = None):
    """A new Spark session on ``master`` whose time zone is ``timezone``.

    The session shares the process's SparkContext when one runs on the same
    master; a different master is a usage error (a JVM runs one context).
    Raises UsageError when Spark cannot start.
    """
    require()
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    running = SparkContext._active_spark_context
    if running is not None and running.master != master:
        raise UsageError(msg("Spark is already running on {running} in this process; it cannot also run on {master}",
                             running=running.master, master=master))
    builder = SparkSession.builder.master(master).appName("clausewise")
    for key, value in {**_settings(master), **(conf or {})}.items():
        builder = builder.config(key, value)
    try:
        base = builder.getOrCreate()
    except Exception as exc:  # pyspark reports a JVM that did not start with several error types
        said = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UsageError(msg("Spark did not start on {master}: {said}", master=master, said=said)) from None
    base.sparkContext.setLogLevel("FATAL")
    _quiet_python_loggers()
    session = base.newSession()
    for key, value in {**_run_settings(master, timezone), **_runtime(conf or {})}.items():
        session.conf.set(key, value)
    return session


def _quiet_python_loggers() -> None:
    """pyspark logs each failed query with its whole plan; the run reports the failure itself, in one line."""
    from pyspark.logger import PySparkLogger

    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        PySparkLogger.getLogger(name).disabled = True


def _runtime(conf: dict[str, str]) -> dict[str, str]:
    """The settings among ``conf`` that a session can change (SQL settings); the others take effect at start."""
    return {k: v for k, v in conf.items() if k.startswith("spark.sql.")}


def _settings(master: str) -> dict[str, str]:
    """What is fixed when the JVM starts."""
    settings = {
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile={_LOG_CONFIG}",
        # Findings come back to the driver as Arrow batches; their size is the findings', not a setting's.
        "spark.driver.maxResultSize": "0",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        # Spark writes each query's plan out as text for its listeners; the typing of an export is a plan of
        # hundreds of expressions, whose full text took minutes to write. Nobody reads it: keep it short.
        "spark.sql.maxPlanStringLength": "4096",
        "spark.sql.maxMetadataStringLength": "100",
        "spark.sql.debug.maxToStringFields": "20",
    }
    if _local(master):
        settings["spark.driver.memory"] = _driver_memory()
    return settings


def _run_settings(master: str, timezone: str) -> dict[str, str]:
    """What each run sets on its own session."""
    settings = {
        # Timestamps are instants shown in the policy's zone, as DuckDB's TIMESTAMPTZ in the connection's zone.
        "spark.sql.session.timeZone": timezone,
        # DuckDB's json_object and to_json keep null members; Spark's to_json drops them unless told.
        "spark.sql.jsonGenerator.ignoreNullFields": "false",
        # Errors where DuckDB raises errors (an overflow, a division by zero of integers), not NULLs.
        "spark.sql.ansi.enabled": "true",
    }
    if _local(master):
        # A few hundred shuffle partitions suit a cluster; on one machine they are mostly overhead.
        settings["spark.sql.shuffle.partitions"] = str(max(2, 2 * (os.cpu_count() or 1)))
    return settings
