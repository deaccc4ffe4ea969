"""The peer workload's five rules hand-written in DuckDB SQL: the reference side.

Ported from the peer comparison's hand-written reference (``duckdb_sql.py``):
the same five predicates, as one ``UNION ALL`` over a single read of the
file. What it adds is what the audit's report has: each finding is written
with ``COPY … TO`` as the audit writes it, one JSON object per line (or one
JSON array for the ``json`` variant), with the same fields and values — rule,
clause, dataset, key, row, status, severity, message and evidence — in the same
order (rule by rule in clause order, then by row).

    python reference.py EXPORT_DIR OUTPUT_FILE [jsonl|json]
"""

from __future__ import annotations

import sys
from pathlib import Path

AS_OF = "TIMESTAMP '2024-04-01 00:00:00'"
# {P1 4h, P2 8h, P3 24h, P4 72h}: the per-priority response time, in hours.
LIMIT_HOURS = "CASE priority WHEN 'P1' THEN 4 WHEN 'P2' THEN 8 WHEN 'P3' THEN 24 WHEN 'P4' THEN 72 END"
GRADE = ("CASE WHEN likelihood * impact >= 15 THEN 'high' WHEN likelihood * impact >= 8 THEN 'medium' "
         "ELSE 'low' END")
NOT_SPOT = "NOT answered_on_spot"


def _text(column: str) -> str:
    """A value in a message as the audit prints it: an empty value is a dash."""
    return f"coalesce(CAST({column} AS VARCHAR), '—')"


# rule id (as in the policy's rule file) -> (clause, severity, predicate, message, evidence).
# A predicate true means a finding; false or NULL, none. R1..R5 of the workload, in clause order.
RULES = {
    "reply-within-24h": (  # R1
        "PW-1", "high",
        f"{NOT_SPOT} AND coalesce(replied_at, {AS_OF}) > received_at + INTERVAL 24 HOUR",
        f"'inquiry ' || inquiry_id || ' received ' || {_text('received_at')} || "
        f"' is due a reply within 24h; replied: ' || {_text('replied_at')}",
        "json_object('assertion', 'false', 'received_at', received_at, 'replied_at', replied_at)",
    ),
    "contact-recorded": (  # R2
        "PW-2", "high",
        f"{NOT_SPOT} AND (customer_contact IS NULL OR customer_contact = '')",
        "'inquiry ' || inquiry_id || ' was not answered on the spot, so the customer''s contact should be "
        "recorded; none was'",
        "json_object('missing', 'customer_contact')",
    ),
    "allowed-channel": (  # R3
        "PW-3", "medium",
        "channel NOT IN ('hotline', 'online', 'email')",
        "'inquiry ' || inquiry_id || ' came through \"' || channel || "
        "'\", which is not an allowed channel (hotline, online, email)'",
        "json_object('value', channel)",
    ),
    "response-time-by-priority": (  # R4
        "PW-4", "high",
        f"{NOT_SPOT} AND coalesce(replied_at, {AS_OF}) > received_at + to_hours({LIMIT_HOURS})",
        f"'inquiry ' || inquiry_id || ' of priority ' || priority || ' received ' || {_text('received_at')} || "
        f"' is due a reply within ' || {LIMIT_HOURS} || ' hours; replied: ' || {_text('replied_at')}",
        f"json_object('assertion', 'false', 'priority', priority, 'allowed_hours', {LIMIT_HOURS}, "
        "'received_at', received_at, 'replied_at', replied_at)",
    ),
    "high-risk-priority": (  # R5
        "PW-5", "high",
        f"{GRADE} = 'high' AND priority NOT IN ('P1', 'P2')",
        "'inquiry ' || inquiry_id || ' has risk score ' || likelihood * impact || "
        "' (high), so its priority should be one of P1, P2; it is ' || priority",
        "json_object('assertion', 'false', 'risk_score', likelihood * impact, 'priority', priority)",
    ),
}


def source(export: Path) -> str:
    """The export read once, with each record's row (1 = the first record after the header).

    Parquet reports its row numbers for free; a CSV reader does not, so its rows
    are numbered in file order by a window over the scan.
    """
    parquet, csv = export / "inquiries.parquet", export / "inquiries.csv"
    if parquet.exists():
        return f"SELECT *, file_row_number + 1 AS row FROM read_parquet({_quote(parquet)}, file_row_number = true)"
    return f"SELECT *, row_number() OVER () AS row FROM read_csv({_quote(csv)})"


def findings_sql(export: Path) -> str:
    """One statement: every rule's findings, in the audit's order (clause, rule, row)."""
    parts = [
        f"SELECT {pos} AS pos, '{rule}' AS rule, '{clause}' AS clause, 'inquiries' AS dataset, "
        f"inquiry_id AS key, NULL AS \"group\", row, 'violation' AS status, '{severity}' AS severity, "
        f"{message} AS message, {evidence} AS evidence, NULL AS due_at FROM t WHERE {predicate}"
        for pos, (rule, (clause, severity, predicate, message, evidence)) in enumerate(RULES.items())
    ]
    union = "\nUNION ALL\n".join(parts)
    columns = 'rule, clause, dataset, key, "group", row, status, severity, message, evidence, due_at'
    return f"WITH t AS ({source(export)})\nSELECT {columns} FROM ({union}) ORDER BY pos, row"


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def run(export: Path, output: Path, fmt: str = "jsonl") -> None:
    """Write the findings of the export in ``export`` to ``output`` as JSON Lines or one JSON array."""
    import duckdb

    array = "true" if fmt == "json" else "false"
    duckdb.connect().execute(f"COPY ({findings_sql(export)}) TO {_quote(output)} (FORMAT json, ARRAY {array})")


if __name__ == "__main__":
    run(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else "jsonl")
