"""Apache Spark as a second engine: the same compiled pack, transpiled, for exports that outgrow one machine.

Imported only when a run asks for ``--engine spark`` (or ``engine="spark"``),
so the default install needs neither pyspark nor Java. See docs/scale.md.
"""

from __future__ import annotations

from .run import audit, check
from .session import DEFAULT_MASTER

__all__ = ["DEFAULT_MASTER", "audit", "check"]
