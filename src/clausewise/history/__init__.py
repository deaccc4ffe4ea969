"""The run history: recorded audits in an embedded DuckDB file, and comparisons between them.

See docs/history.md. ``store`` keeps runs and findings (one transaction a
run, one writer at a time); ``compare`` tells new, persisting and resolved
findings apart by fingerprint. This package knows the model only: the engine
hands it a run's findings as the Parquet file the locked run wrote.
"""

from .compare import STATES, Comparison, compare
from .store import History, RunInfo, default_path

__all__ = ["STATES", "Comparison", "History", "RunInfo", "compare", "default_path"]
