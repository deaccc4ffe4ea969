"""``unique``: no two records in scope share a key or a combination of fields."""

from __future__ import annotations

from dataclasses import dataclass, field

from ...model import Spec
from ..sqltext import ident
from .base import EVIDENCE, Check, CompileContext, Kind


@dataclass(frozen=True, kw_only=True)
class UniqueSpec(Spec):
    fields: list[str] = field(default_factory=list)
    evidence: dict[str, str] = field(default_factory=dict)


class UniqueKind(Kind):
    """``unique``: no two records in scope share a key or a combination of fields.

    Every record of a duplicated combination is a finding, with how many records
    share it and the first row where it appears. Records with any of the fields
    empty are not compared.

    Evidence: ``duplicates`` (records sharing the values), ``first_row``.

    Example (OS-3.2.2: inquiry ids are unique)::

        - id: inquiry-id-unique
          clause: OS-3.2.2
          dataset: inquiries
          kind: unique
          severity: high
          fields: [inquiry_id]
    """

    name = "unique"
    Spec = UniqueSpec
    schema = {
        "properties": {
            "fields": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "evidence": EVIDENCE,
        },
        "required": ["fields"],
    }

    def compile(self, ctx: CompileContext) -> Check | None:
        scope = ctx.scope_sql()
        columns = ctx.fields("fields")
        if scope is None or columns is None:
            return None
        present = " AND ".join(f"{c} IS NOT NULL" for c in columns)
        part = ", ".join(columns)
        table = ident(ctx.dataset.name)
        # Group first, then join back only the duplicated values: a window over
        # every column of every record would cost far more than the few duplicates.
        dupes = (
            f"SELECT {part}, count(*) AS __dupes, min(__row) AS __first_row FROM {table} "
            f"WHERE {scope} AND {present} GROUP BY {part} HAVING count(*) > 1"
        )
        match = " AND ".join(f"__t.{c} = __d.{c}" for c in columns)
        source = (
            f"(SELECT __t.*, __d.__dupes, __d.__first_row FROM (SELECT * FROM {table} WHERE {scope}) AS __t "
            f"JOIN ({dupes}) AS __d ON {match}) AS {table}"
        )
        return Check(
            examined=scope,
            source=source,
            where="TRUE",
            evidence={"duplicates": "__dupes", "first_row": "__first_row"},
        )
