"""Benchmark: a full clausewise audit against the same checks hand-written in DuckDB SQL.

clausewise promises that an audit is set-based SQL, so its cost should stay
close to what a competent engineer would get by writing the checks directly
in DuckDB. This script measures that promise:

1. it generates an inquiries-like export of ``--rows`` records (plus a smaller
   follow-up dataset) with DuckDB itself — a few percent of the records break
   each rule, a few cells are malformed — and writes a policy with 10 rules
   covering every rule kind;
2. it times ``clausewise.load`` + ``clausewise.audit`` (read the CSV files into
   typed tables, report the cells that do not convert, run the rules, fetch
   the findings into Python);
3. it times a hand-written baseline doing the same work: read the CSV files as
   text, convert with TRY_CAST, report the invalid cells, run one query per
   rule, fetch (rule, row, key, evidence) into Python;
4. each side runs in its own subprocess, so the peak RSS printed is that
   side's alone; the sides alternate ``--repeat`` times and the best time of
   each is kept.

Both sides must report the same number of findings per rule; if they do not,
the comparison would be meaningless, so the script says so and exits with 1.

    python bench/bench_audit.py --rows 1000000 --seed 1 --repeat 3
"""

from __future__ import annotations

import argparse
import importlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

AS_OF = datetime(2026, 1, 1)
SPAN_SECONDS = 365 * 86400 - 1000  # the export covers 2025, jitter included
PERIOD = "2025"  # the audit period: the months the export covers
# The targets: at most 1.5x the hand-written SQL at 1,000,000 rows and more, 2x below (a smaller
# export leaves the engine's fixed costs, loading the pack and planning its statements, less to hide behind).
TARGET_RATIO = 1.5
SMALL_TARGET_RATIO = 2.0
SMALL_ROWS = 1_000_000


def target_ratio(rows: int) -> float:
    """The ratio the audit is held to for an export of ``rows`` records."""
    return TARGET_RATIO if rows >= SMALL_ROWS else SMALL_TARGET_RATIO

POLICY = """\
policy:
  id: bench
  version: "1"
  title: {en: Benchmark help desk policy}
  timezone: Asia/Shanghai
  data_quality: {clause: B-9, severity: medium}

clauses:
  B-1: {title: {en: Receiving and answering inquiries}}
  B-2: {title: {en: Follow-up visits}}
  B-9: {title: {en: Data quality}}

parameters:
  reply_deadline: {type: duration, value: 24h}
  channels: {type: list, value: [hotline, online, email]}
  followup_window: {type: duration, value: 7 days}
  on_spot_target: {type: number, value: 0.3}
  satisfaction_target: {type: number, value: 0.9}

datasets:
  inquiries:
    key: inquiry_id
    fields:
      inquiry_id: string
      channel: string
      agent_id: string
      received_at: timestamp
      subject: string
      customer_id: string
      answered_on_spot: boolean
      customer_contact: string
      priority: integer
      replied_at: timestamp
      closed_at: timestamp
  followups:
    key: followup_id
    fields:
      followup_id: string
      inquiry_id: string
      visited_at: timestamp
      satisfaction: integer

rules:
  - rules/*.yaml
"""

RULES = """\
rules:
  - id: inquiry-channel
    clause: B-1
    dataset: inquiries
    kind: allowed
    severity: medium
    field: channel
    values: $channels
    title: {en: Allowed channel}
    message: {en: 'inquiry {key} came through "{value}"'}

  - id: contact-format
    clause: B-1
    dataset: inquiries
    kind: allowed
    severity: low
    field: customer_contact
    pattern: '1[3-9][0-9]-[0-9]{4}-[0-9]{4}'
    title: {en: Contact is a phone number}
    message: {en: 'inquiry {key} has contact "{value}"'}

  - id: inquiry-recorded
    clause: B-1
    dataset: inquiries
    kind: required
    severity: high
    fields: [subject, customer_id]
    title: {en: Key information recorded}
    message: {en: "inquiry {key} is missing: {missing}"}

  - id: inquiry-contact
    clause: B-1
    dataset: inquiries
    kind: check
    severity: high
    when: NOT answered_on_spot
    assert: customer_contact IS NOT NULL
    title: {en: Contact recorded when not answered on the spot}
    message: {en: "inquiry {key} has no customer contact"}

  - id: inquiry-reply-deadline
    clause: B-1
    dataset: inquiries
    kind: check
    severity: high
    when: NOT answered_on_spot
    assert: replied_at <= received_at + $reply_deadline
    evidence: {received_at: received_at, replied_at: replied_at}
    title: {en: Reply within the deadline}
    message: {en: "inquiry {key} received {received_at}, replied {replied_at}"}

  - id: inquiry-id-unique
    clause: B-9
    dataset: inquiries
    kind: unique
    severity: medium
    fields: [inquiry_id]
    title: {en: Inquiry ids are unique}
    message: {en: "inquiry id {key} appears {duplicates} times"}

  - id: inquiry-times-in-order
    clause: B-1
    dataset: inquiries
    kind: sequence
    severity: medium
    fields: [received_at, replied_at, closed_at]
    title: {en: Times in order}
    message: {en: "inquiry {key} has times out of order: {out_of_order}"}

  - id: inquiry-followed-up
    clause: B-2
    dataset: inquiries
    kind: reference
    severity: medium
    when: closed_at IS NOT NULL AND priority >= 4
    target: followups
    on: {inquiry_id: inquiry_id}
    window: {from: closed_at, field: visited_at, within: $followup_window}
    title: {en: Follow-up visit after closing}
    message: {en: "inquiry {key} closed {from}, no visit by {due}"}

  - id: on-spot-rate
    clause: B-1
    dataset: inquiries
    kind: aggregate
    severity: medium
    group_by: [agent_id]
    period: {field: received_at, unit: month}
    metric: count_if(answered_on_spot) / count(*)
    op: ">="
    threshold: $on_spot_target
    title: {en: "Share answered on the spot, per agent and month"}
    message: {en: "{group}: on-the-spot share {metric}"}

  - id: satisfaction-rate
    clause: B-2
    dataset: followups
    kind: aggregate
    severity: high
    when: satisfaction IS NOT NULL
    period: {field: visited_at, unit: month}
    metric: count_if(satisfaction >= 4) / count(*)
    op: ">="
    threshold: $satisfaction_target
    title: {en: Monthly satisfaction rate}
    message: {en: "{group}: satisfied share {metric}"}
"""

# ---- generating the export ----------------------------------------------------------
# u(i, k) is a uniform number in [0, 1) for record i and purpose k: a hash, so the
# export depends on the seed alone, not on DuckDB's thread scheduling. What breaks
# which rule: 1 % of ids repeat the previous one (unique); 3 % of channels are not
# allowed (allowed values); 2 % of contacts are not phone numbers (allowed pattern);
# 2 % of subjects and 1 % of customer ids are blank (required); 3 % of inquiries not
# answered on the spot have no contact, 4 % are replied late, 0.5 % never (check);
# 1 % are replied before received and 1 % closed before replied (sequence); of the
# closed priority-4/5 inquiries 1.5 % get no follow-up and 1.5 % a late one
# (reference); 5 of the 200 agents answer few inquiries on the spot and every fourth
# month has lower satisfaction (aggregate); 0.1-0.2 % of typed cells are malformed.
_FACTS = """
CREATE TEMP TABLE facts AS
SELECT i,
       CASE WHEN i > 1 AND u(i, 'dup') < 0.01 THEN i - 1 ELSE i END AS id_number,
       'A-' || lpad(CAST(hash(i, 'agent', {seed}) % 200 AS VARCHAR), 3, '0') AS agent,
       TIMESTAMP '2025-01-01' + to_seconds(CAST(floor((i - 1) * {span} / {rows} + u(i, 'jitter') * 600) AS BIGINT)) AS received,
       u(i, 'spot') < CASE WHEN hash(i, 'agent', {seed}) % 40 = 0 THEN 0.1 ELSE 0.5 END AS on_spot,
       1 + CAST(hash(i, 'priority', {seed}) % 5 AS INTEGER) AS priority,
       u(i, 'reply') AS r_reply, u(i, 'close') AS r_close, u(i, 'visit') AS r_visit
FROM range(1, {rows} + 1) AS t(i)
"""

_TIMES = """
CREATE TEMP TABLE times AS
SELECT *,
       CASE WHEN r_reply < 0.005 THEN NULL
            WHEN r_reply < 0.015 THEN received - INTERVAL 1 HOUR
            WHEN on_spot THEN received + to_seconds(CAST(r_reply * 600 AS BIGINT))
            WHEN r_reply < 0.055 THEN received + to_seconds(CAST(90000 + r_reply * 80000 AS BIGINT))
            ELSE received + to_seconds(CAST(r_reply * 82800 AS BIGINT)) END AS replied
FROM facts
"""

_CLOSED = """
CREATE TEMP TABLE closed AS
SELECT *,
       CASE WHEN r_close < 0.10 THEN NULL
            WHEN r_close < 0.11 THEN coalesce(replied, received) - INTERVAL 2 HOUR
            ELSE coalesce(replied, received) + to_seconds(CAST(r_close * 172800 AS BIGINT)) END AS closed
FROM times
"""

_INQUIRIES = """
COPY (
  SELECT 'Q-' || lpad(CAST(id_number AS VARCHAR), 8, '0') AS inquiry_id,
         CASE WHEN u(i, 'channel') < 0.03 THEN ['wechat', 'fax', 'walk-in'][1 + CAST(hash(i, 'c2', {seed}) % 3 AS INTEGER)]
              ELSE ['hotline', 'online', 'email'][1 + CAST(hash(i, 'c3', {seed}) % 3 AS INTEGER)] END AS channel,
         agent AS agent_id,
         CASE WHEN u(i, 'bad_received') < 0.001 THEN '2025-02-30 10:00:00'
              WHEN u(i, 'bad_received') < 0.002 THEN 'unknown'
              ELSE strftime(received, '%Y-%m-%d %H:%M:%S') END AS received_at,
         CASE WHEN u(i, 'subject') < 0.015 THEN ''
              WHEN u(i, 'subject') < 0.02 THEN '   '
              ELSE ['账户冻结', '发票重开', '密码重置', 'Refund request', 'Address change', '投诉处理',
                    'Card not received', '利率咨询'][1 + CAST(hash(i, 's2', {seed}) % 8 AS INTEGER)]
                   || ' — case notes ' || CAST(hash(i, 's3', {seed}) % 100000 AS VARCHAR) END AS subject,
         CASE WHEN u(i, 'customer') < 0.01 THEN '' ELSE 'C-' || CAST(hash(i, 'cust', {seed}) % 50000 AS VARCHAR) END AS customer_id,
         CASE WHEN u(i, 'bad_spot') < 0.001 THEN 'maybe'
              ELSE [['no', 'yes'], ['否', '是'], ['false', 'true']][1 + CAST(hash(i, 'w', {seed}) % 3 AS INTEGER)][1 + CAST(on_spot AS INTEGER)] END
           AS answered_on_spot,
         CASE WHEN u(i, 'contact') < CASE WHEN on_spot THEN 0.5 ELSE 0.03 END THEN ''
              WHEN u(i, 'contact') < CASE WHEN on_spot THEN 0.52 ELSE 0.05 END THEN CAST(hash(i, 'p', {seed}) % 100000000 AS VARCHAR)
              ELSE printf('1%d%d-%04d-%04d', 3 + hash(i, 'p1', {seed}) % 7, hash(i, 'p2', {seed}) % 10,
                          hash(i, 'p3', {seed}) % 10000, hash(i, 'p4', {seed}) % 10000) END AS customer_contact,
         CASE WHEN u(i, 'bad_priority') < 0.001 THEN 'high' ELSE CAST(priority AS VARCHAR) END AS priority,
         strftime(replied, '%Y-%m-%d %H:%M:%S') AS replied_at,
         strftime(closed, '%Y-%m-%d %H:%M:%S') AS closed_at
  FROM closed ORDER BY i
) TO '{path}' (HEADER, DELIMITER ',')
"""

_FOLLOWUPS = """
COPY (
  SELECT 'F-' || CAST(row_number() OVER (ORDER BY i) AS VARCHAR) AS followup_id,
         'Q-' || lpad(CAST(id_number AS VARCHAR), 8, '0') AS inquiry_id,
         strftime(closed + to_seconds(CAST(CASE WHEN r_visit < 0.015 THEN 691200 + r_visit * 20000000
                                                ELSE r_visit * 518400 END AS BIGINT)), '%Y-%m-%d %H:%M:%S') AS visited_at,
         CASE WHEN u(i, 'bad_score') < 0.002 THEN 'five'
              WHEN u(i, 'score') < CASE WHEN month(closed) % 4 = 0 THEN 0.85 ELSE 0.95 END THEN CAST(4 + hash(i, 'sc', {seed}) % 2 AS VARCHAR)
              ELSE CAST(1 + hash(i, 'sc', {seed}) % 3 AS VARCHAR) END AS satisfaction
  FROM closed
  WHERE closed IS NOT NULL AND priority >= 4 AND NOT (r_visit >= 0.015 AND r_visit < 0.03)
  ORDER BY i
) TO '{path}' (HEADER, DELIMITER ',')
"""


def generate(folder: Path, rows: int, seed: int) -> None:
    """Write ``export/inquiries.csv`` and ``export/followups.csv``, all in DuckDB."""
    import duckdb

    export = folder / "export"
    export.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute(f"CREATE MACRO u(i, k) AS CAST(hash(i, k, {seed}) % 1000000 AS DOUBLE) / 1000000")
    params = {"seed": seed, "rows": rows, "span": SPAN_SECONDS}
    for statement in (_FACTS, _TIMES, _CLOSED):
        con.execute(statement.format(**params))
    con.execute(_INQUIRIES.format(**params, path=_sql_path(export / "inquiries.csv")))
    con.execute(_FOLLOWUPS.format(**params, path=_sql_path(export / "followups.csv")))
    con.close()


def write_policy(folder: Path) -> None:
    (folder / "rules").mkdir(parents=True, exist_ok=True)
    (folder / "policy.yaml").write_text(POLICY, encoding="utf-8")
    (folder / "rules" / "inquiries.yaml").write_text(RULES, encoding="utf-8")


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


# ---- side 1: clausewise ----------------------------------------------------------
def run_audit(folder: Path) -> Counter:
    import clausewise

    # Loaded as `clausewise audit` loads it: no dry run of the rules, as running them checks them.
    policy = clausewise.load(folder / "policy.yaml", check=False)
    # The export covers 2025 (SPAN_SECONDS): that is its audit period, so every month of it is judged.
    result = clausewise.audit(policy, folder / "export", as_of=AS_OF, period=PERIOD)
    return Counter(f.rule for f in result.findings)


def run_spark(folder: Path) -> Counter:
    """The same audit on the Spark engine (local mode, every core); the JVM is started before the clock."""
    import clausewise
    from clausewise.engine.asof import parse_period
    from clausewise.engine.spark import audit as spark_audit

    policy = clausewise.load(folder / "policy.yaml")
    # The same audit period as the DuckDB side (without it, Spark's run would infer one month and judge only it).
    with spark_audit(policy, folder / "export", as_of=AS_OF, period=parse_period(PERIOD)) as result:
        return Counter(f.rule for f in result.findings)


def _start_spark() -> None:
    from clausewise.engine.spark import session

    session.start(session.DEFAULT_MASTER, "Asia/Shanghai")


# ---- side 2: hand-written DuckDB SQL ---------------------------------------------------
_TRUE = "('true', 't', '1', 'yes', 'y', '是')"
_FALSE = "('false', 'f', '0', 'no', 'n', '否')"


def _boolean(column: str) -> str:
    low = f"lower(trim({column}))"
    return f"CASE WHEN {low} IN {_TRUE} THEN TRUE WHEN {low} IN {_FALSE} THEN FALSE END"


def _load_sql(path: Path, table: str, text: list[str], typed: dict[str, str]) -> str:
    """One pass over the CSV: text columns kept, typed columns converted, raw text of those kept for reporting."""
    columns = [f'"{c}"' for c in text]
    columns += [f'{sql} AS "{c}", "{c}" AS "{c}_text"' for c, sql in typed.items()]
    return (
        f"CREATE TABLE {table} AS SELECT row_number() OVER () AS row, {', '.join(columns)} "
        f"FROM read_csv('{_sql_path(path)}', header = true, all_varchar = true)"
    )


_INQUIRY_TYPES = {
    "received_at": "TRY_CAST(trim(received_at) AS TIMESTAMP)",
    "answered_on_spot": _boolean("answered_on_spot"),
    "priority": "TRY_CAST(trim(priority) AS BIGINT)",
    "replied_at": "TRY_CAST(trim(replied_at) AS TIMESTAMP)",
    "closed_at": "TRY_CAST(trim(closed_at) AS TIMESTAMP)",
}
_FOLLOWUP_TYPES = {
    "visited_at": "TRY_CAST(trim(visited_at) AS TIMESTAMP)",
    "satisfaction": "TRY_CAST(trim(satisfaction) AS BIGINT)",
}


def _invalid_sql(table: str, key: str, typed: dict[str, str]) -> str:
    parts = [
        f"SELECT 'data-quality', row, {key}, json_object('column', '{c}', 'value', \"{c}_text\")::VARCHAR "
        f'FROM {table} WHERE "{c}_text" IS NOT NULL AND "{c}" IS NULL'
        for c in typed
    ]
    return " UNION ALL ".join(parts)


def _monthly_frame(table: str, time_column: str, scope: str, groups: str) -> str:
    """Every (group, month) from the first month with data to the last month ended by AS_OF."""
    last = f"date_trunc('month', TIMESTAMP '{AS_OF:%Y-%m-%d %H:%M:%S}') - INTERVAL 1 MONTH"
    first = f"(SELECT min(date_trunc('month', {time_column})) FROM {table} WHERE {scope})"
    months = f"SELECT unnest(generate_series({first}, {last}, INTERVAL 1 MONTH)) AS month"
    return f"SELECT * FROM ({groups}) CROSS JOIN ({months})"


BASELINE_RULES = {
    "inquiry-channel": """
        SELECT row, inquiry_id, json_object('value', channel)::VARCHAR FROM inquiries
        WHERE channel NOT IN ('hotline', 'online', 'email')""",
    "contact-format": """
        SELECT row, inquiry_id, json_object('value', customer_contact)::VARCHAR FROM inquiries
        WHERE NOT regexp_full_match(customer_contact, '1[3-9][0-9]-[0-9]{4}-[0-9]{4}')""",
    "inquiry-recorded": """
        SELECT row, inquiry_id, json_object('missing', concat_ws(', ',
                 CASE WHEN coalesce(trim(subject), '') = '' THEN 'subject' END,
                 CASE WHEN coalesce(trim(customer_id), '') = '' THEN 'customer_id' END))::VARCHAR
        FROM inquiries WHERE coalesce(trim(subject), '') = '' OR coalesce(trim(customer_id), '') = ''""",
    "inquiry-contact": """
        SELECT row, inquiry_id, NULL FROM inquiries
        WHERE NOT answered_on_spot AND customer_contact IS NULL""",
    "inquiry-reply-deadline": """
        SELECT row, inquiry_id, json_object('received_at', received_at, 'replied_at', replied_at)::VARCHAR
        FROM inquiries
        WHERE NOT answered_on_spot AND (replied_at <= received_at + INTERVAL 24 HOUR) IS NOT TRUE
          -- a record whose received or reply time is there but unreadable is not judged (a data-quality finding)
          AND NOT (received_at_text IS NOT NULL AND received_at IS NULL)
          AND NOT (replied_at_text IS NOT NULL AND replied_at IS NULL)""",
    "inquiry-id-unique": """
        WITH dupes AS (
          SELECT inquiry_id, count(*) AS n, min(row) AS first_row FROM inquiries
          WHERE inquiry_id IS NOT NULL GROUP BY inquiry_id HAVING count(*) > 1)
        SELECT row, inquiry_id, json_object('duplicates', n, 'first_row', first_row)::VARCHAR
        FROM inquiries JOIN dupes USING (inquiry_id)""",
    "inquiry-times-in-order": """
        SELECT row, inquiry_id, json_object('out_of_order',
                 CASE WHEN replied_at < received_at THEN 'received_at > replied_at'
                      WHEN replied_at IS NOT NULL THEN 'replied_at > closed_at'
                      ELSE 'received_at > closed_at' END)::VARCHAR
        FROM inquiries
        WHERE (replied_at < received_at OR closed_at < coalesce(replied_at, received_at))
          AND NOT (received_at_text IS NOT NULL AND received_at IS NULL)
          AND NOT (replied_at_text IS NOT NULL AND replied_at IS NULL)
          AND NOT (closed_at_text IS NOT NULL AND closed_at IS NULL)""",
    "inquiry-followed-up": f"""
        SELECT row, inquiry_id, json_object('from', closed_at, 'due', closed_at + INTERVAL 7 DAY)::VARCHAR
        FROM inquiries i
        WHERE closed_at IS NOT NULL AND priority >= 4
          -- a window still open at the as-of time is not judged yet
          AND closed_at + INTERVAL 7 DAY <= TIMESTAMP '{AS_OF:%Y-%m-%d %H:%M:%S}' AND NOT EXISTS (
          SELECT 1 FROM followups f WHERE f.inquiry_id = i.inquiry_id
            AND f.visited_at BETWEEN i.closed_at AND i.closed_at + INTERVAL 7 DAY)""",
    "on-spot-rate": f"""
        WITH rates AS (
          SELECT agent_id, date_trunc('month', received_at) AS month,
                 count_if(answered_on_spot) / count(*) AS rate FROM inquiries
          -- a record whose on-the-spot flag is there but unreadable is not counted (a data-quality finding)
          WHERE NOT (answered_on_spot_text IS NOT NULL AND answered_on_spot IS NULL) GROUP BY ALL)
        SELECT NULL, NULL, json_object('group', json_object('agent_id', agent_id, 'period', strftime(month, '%Y-%m')),
                                       'metric', rate)::VARCHAR
        FROM ({_monthly_frame('inquiries', 'received_at', 'TRUE', 'SELECT DISTINCT agent_id FROM inquiries')})
        LEFT JOIN rates USING (agent_id, month)
        WHERE (rate >= 0.3) IS NOT TRUE""",
    "satisfaction-rate": f"""
        WITH rates AS (
          SELECT date_trunc('month', visited_at) AS month, count_if(satisfaction >= 4) / count(*) AS rate
          FROM followups WHERE satisfaction IS NOT NULL GROUP BY ALL)
        SELECT NULL, NULL, json_object('period', strftime(month, '%Y-%m'), 'metric', rate)::VARCHAR
        FROM ({_monthly_frame('followups', 'visited_at', 'satisfaction IS NOT NULL', 'SELECT 1')})
        LEFT JOIN rates USING (month)
        WHERE (rate >= 0.9) IS NOT TRUE""",
}


def run_baseline(folder: Path) -> Counter:
    import duckdb

    export = folder / "export"
    con = duckdb.connect(":memory:")
    inquiry_text = ["inquiry_id", "channel", "agent_id", "subject", "customer_id", "customer_contact"]
    con.execute(_load_sql(export / "inquiries.csv", "inquiries", inquiry_text, _INQUIRY_TYPES))
    con.execute(_load_sql(export / "followups.csv", "followups", ["followup_id", "inquiry_id"], _FOLLOWUP_TYPES))
    findings = con.execute(_invalid_sql("inquiries", "inquiry_id", _INQUIRY_TYPES)).fetchall()
    findings += con.execute(_invalid_sql("followups", "followup_id", _FOLLOWUP_TYPES)).fetchall()
    for rule, query in BASELINE_RULES.items():
        findings += [(rule, *row) for row in con.execute(query).fetchall()]
    con.close()
    return Counter(f[0] for f in findings)


# ---- measuring -------------------------------------------------------------------
# Each side with the module it imports before the clock starts: importing is not auditing. ``import
# clausewise`` alone imports almost nothing (its engine comes on first use, so that ``--help`` is instant):
# the audit side imports ``clausewise.api``, where ``load`` and ``audit`` live, as the baseline imports duckdb.
SIDES = {"audit": ("clausewise.api", run_audit), "baseline": ("duckdb", run_baseline)}
# --engine spark adds a column: the Spark engine, its JVM started (15-30 s) before the clock, like an import.
SPARK_SIDE = ("clausewise", run_spark)


def _clock() -> tuple[float, float]:
    """Wall-clock seconds and CPU seconds of this process (all of DuckDB's threads)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return time.perf_counter(), usage.ru_utime + usage.ru_stime


def child(side: str, folder: Path) -> None:
    """Run one side once and print its times, peak RSS and findings per rule as JSON."""
    module, work = SPARK_SIDE if side == "spark" else SIDES[side]
    importlib.import_module(module)
    if side == "spark":
        _start_spark()
    wall, cpu = _clock()
    counts = work(folder)
    wall_end, cpu_end = _clock()
    print(json.dumps({"seconds": wall_end - wall, "cpu": cpu_end - cpu, "peak_mib": _peak_mib(), "counts": counts}))


def _peak_mib() -> float:
    """This process's peak RSS; ``ru_maxrss`` is in KiB on Linux, in bytes on macOS."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / (1 << 10)


def spawn(*args: str) -> str:
    """Run this script in a fresh process: its peak RSS is its own, not this one's."""
    done = subprocess.run([sys.executable, __file__, *args], check=True, stdout=subprocess.PIPE, text=True)
    return done.stdout


def measure(folder: Path, repeat: int, sides=tuple(SIDES)) -> dict[str, dict]:
    """Each side ``repeat`` times, alternating so that load from elsewhere hits both alike.

    Kept per side: the best wall and CPU time, the highest peak RSS (of the
    Python process: the Spark side's JVM is a process of its own, not counted).
    """
    runs = {side: [] for side in sides}
    for _ in range(repeat):
        for side in sides:
            runs[side].append(json.loads(spawn("--child", side, "--keep", str(folder)).splitlines()[-1]))
    return {
        side: {
            "seconds": min(r["seconds"] for r in side_runs),
            "cpu": min(r["cpu"] for r in side_runs),
            "peak_mib": max(r["peak_mib"] for r in side_runs),
            "counts": Counter(side_runs[0]["counts"]),
        }
        for side, side_runs in runs.items()
    }


def compare(audit: Counter, baseline: Counter) -> list[str]:
    """The rules whose findings count differs between the two sides."""
    return [rule for rule in sorted(set(audit) | set(baseline)) if audit[rule] != baseline[rule]]


def report(rows: int, audit: dict, baseline: dict) -> None:
    print(f"{'findings per rule':<24}{'audit':>10}{'baseline':>10}")
    for rule in sorted(set(audit["counts"]) | set(baseline["counts"])):
        print(f"{rule:<24}{audit['counts'][rule]:>10}{baseline['counts'][rule]:>10}")
    print()
    findings = sum(audit["counts"].values())
    ratio = audit["seconds"] / baseline["seconds"]
    print("| rows | rules | findings | audit s | baseline s | ratio | audit CPU s | baseline CPU s "
          "| audit peak MiB | baseline peak MiB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {rows:,} | {len(BASELINE_RULES)} | {findings:,} | {audit['seconds']:.2f} | {baseline['seconds']:.2f} "
          f"| {ratio:.2f} | {audit['cpu']:.2f} | {baseline['cpu']:.2f} "
          f"| {audit['peak_mib']:.0f} | {baseline['peak_mib']:.0f} |")
    target = target_ratio(rows)
    verdict = "met" if ratio <= target else "NOT met"
    print(f"\ntarget: audit at most {target}x the hand-written SQL -- {verdict} ({ratio:.2f}x)")


def report_spark(rows: int, audit: dict, spark: dict) -> None:
    print(f"\n{'findings per rule':<24}{'duckdb':>10}{'spark':>10}")
    for rule in sorted(set(audit["counts"]) | set(spark["counts"])):
        print(f"{rule:<24}{audit['counts'][rule]:>10}{spark['counts'][rule]:>10}")
    print("\n| rows | engine | findings | seconds | Python CPU s |")
    print("|---:|---|---:|---:|---:|")
    for name, side in (("duckdb", audit), ("spark (local[*])", spark)):
        print(f"| {rows:,} | {name} | {sum(side['counts'].values()):,} | {side['seconds']:.2f} | {side['cpu']:.2f} |")


def bench(folder: Path, rows: int, seed: int, repeat: int, engine: str = "duckdb") -> int:
    start = time.perf_counter()
    spawn("--child", "generate", "--rows", str(rows), "--seed", str(seed), "--keep", str(folder))
    print(f"generated {rows:,} rows in {time.perf_counter() - start:.1f} s into {folder}", flush=True)
    results = measure(folder, repeat, tuple(SIDES) + (("spark",) if engine == "spark" else ()))
    audit, baseline = results["audit"], results["baseline"]
    report(rows, audit, baseline)
    mismatched = compare(audit["counts"], baseline["counts"])
    if engine == "spark":
        report_spark(rows, audit, results["spark"])
        mismatched += [f"{rule} (spark)" for rule in compare(audit["counts"], results["spark"]["counts"])]
    if mismatched:
        print(f"MISMATCH: the two sides disagree on {', '.join(mismatched)}; the timing compares different work",
              file=sys.stderr)
        return 1
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb",
                        help="spark: also time the Spark engine in local mode (pip install 'clausewise[spark]')")
    parser.add_argument("--child", choices=["generate", *SIDES, "spark"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "generate":
        generate(args.keep, args.rows, args.seed)
        write_policy(args.keep)
    elif args.child:
        child(args.child, args.keep)
    elif args.keep:
        return bench(args.keep.resolve(), args.rows, args.seed, args.repeat, args.engine)
    else:
        with tempfile.TemporaryDirectory(prefix="clausewise-bench-") as folder:
            return bench(Path(folder), args.rows, args.seed, args.repeat, args.engine)
    return 0


if __name__ == "__main__":
    sys.exit(main())
