"""The Spark tests: one local Spark per test process, skipped with the reason when Spark cannot run here.

They are marked ``spark`` and left out of the default run (pyproject's
addopts): starting the JVM takes half a minute on two cores. ``pytest -m
spark`` runs them; ``.ci/run`` does, in a step of its own.
"""

from __future__ import annotations

import os

import pytest

# Local mode keeps everything in the driver; the test exports are small.
os.environ.setdefault("CLAUSEWISE_SPARK_MEMORY", "2g")


def missing() -> str | None:
    """Why the Spark engine cannot run here, or None when it can."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install 'clausewise[spark]')"
    from clausewise.engine.spark.session import java_found

    if not java_found():
        return "Java is not installed (the Spark engine needs Java 17 or newer; .ci/run installs it)"
    return None


@pytest.fixture(scope="session")
def spark_ready():
    """Skip with the reason when pyspark or Java is missing; else start the process's Spark once."""
    reason = missing()
    if reason:
        pytest.skip(reason)
    from clausewise.engine.spark import session

    session.start(session.DEFAULT_MASTER, "UTC")  # the JVM, shared by every run of this process
    return True
