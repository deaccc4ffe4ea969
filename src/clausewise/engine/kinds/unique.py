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

    Every record of a duplicated combination is a finding (three records with
    the same id are three findings), each placed where it is in its file, with
    how many records share it. Records with any of the fields empty are not
    compared. ``when`` limits the comparison to the records in scope: "one
    open ticket per customer".

    Evidence: ``duplicates`` (records sharing the values), ``first_row`` (the
    ``row`` of the first of them, numbered as findings' rows are: a CSV
    record's number, which is not its line when a header or quoted line breaks
    come before it; ``clausewise explain`` places it as the reports do, e.g.
    ``inquiries.csv:6``). A message need not cite it: each record sharing the
    values is a finding of its own, at its own place.

    Example (OS-4.2.2: one appraisal result per employee, cycle and period)::

        - id: appraisal-result-once
          clause: OS-4.2.2
          dataset: appraisal_results
          kind: unique
          severity: medium
          fields: [employee_id, cycle, period]
          title: {en: One appraisal result per employee and period, zh: 每人每期一个考核结果}
          message:
            en: "the {cycle} appraisal of {employee_id} for {period} should have one result;
              there are {duplicates}"
            zh: "员工 {employee_id} 的 {period} {cycle} 考核应只有一个结果；实际有 {duplicates} 个"
    """

    name = "unique"
    Spec = UniqueSpec
    schema = {
        "properties": {
            "fields": {"type": "array", "items": {"type": "string"}, "minItems": 1,
                       "description": "Fields whose values, taken together, no two records in scope may share."},
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
            examined_sql=scope,
            source=source,
            where="TRUE",
            evidence={"duplicates": "__dupes", "first_row": "__first_row"},
        )
