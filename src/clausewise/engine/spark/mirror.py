"""Records a report reads after a Spark run, copied to the run's DuckDB database when first asked for.

Computed values (grades, with their breakdowns and reasons) and the
scorecard's groups are read by the reports from tables named after their
datasets, on the run's DuckDB connection (``findings.GradeStore``,
``collect.GroupTally``). After a Spark run those datasets live in Spark; a
:class:`Mirrored` connection copies them (one Arrow transfer each) the first
time a report queries it, so a report that shows no grades never pays for
them.
"""

from __future__ import annotations

from ..sqltext import ident


class Mirrored:
    """The run's DuckDB connection, with ``datasets`` copied from Spark before its first query."""

    def __init__(self, con, spark_con, datasets: list[str]):
        self._con = con
        self._spark = spark_con
        self._datasets = datasets
        self._copied = False

    def _copy(self) -> None:
        if self._copied:
            return
        self._copied = True
        for name in self._datasets:
            frame = self._spark.tables.get(name)
            if frame is None:
                continue
            table = frame.toArrow()
            self._con.register("__spark_mirror", table)
            self._con.execute(f"CREATE TABLE {ident(name)} AS SELECT * FROM __spark_mirror")
            self._con.unregister("__spark_mirror")

    def execute(self, *args, **kwargs):
        self._copy()
        return self._con.execute(*args, **kwargs)

    def cursor(self):
        self._copy()
        return self._con.cursor()

    def __getattr__(self, name: str):
        return getattr(self._con, name)
