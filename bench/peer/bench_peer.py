"""Benchmark: the peer workload, a whole ``clausewise audit`` against the same checks in DuckDB SQL.

The five-rule "inquiries" workload (R1-R5, see README.md) is the one clausewise
is compared on against other rule engines; its generator and hand-written
reference are ported from there (``data.py``, ``reference.py``). This script:

1. writes the exports once into a cache folder (``--cache``; default a
   temporary folder), one per size and file format, reusing files that exist;
2. runs each side in a fresh process, as a user would, and writes its findings
   to a file:

   - clausewise: ``clausewise audit DIR --policy policy.yaml --as-of "2024-04-01 00:00"
     --format jsonl --output FILE --fail-on never`` (or ``--format json``);
   - reference: ``python reference.py DIR FILE`` — one DuckDB statement that
     writes the same findings with ``COPY … TO``;

3. alternates the two sides ``--repeat`` times and keeps each side's median wall
   time and CPU time (user + system, all threads: less disturbed by other load
   on the machine) and highest peak RSS (that process's own, from ``wait4``);
4. checks that both wrote the same (rule, key, row) findings; if not, it says
   ``MISMATCH`` and exits with 1, since the times would compare different work.

It prints one Markdown table row per size, file format and report format.

    python bench/peer/bench_peer.py --sizes 100k 1m --cache ~/.cache/clausewise-peer
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import data  # noqa: E402  (the sibling module, found through HERE)

POLICY = HERE / "policy.yaml"
AS_OF = "2024-04-01 00:00"
SIDES = ("clausewise", "reference")
REPORTS = ("jsonl", "json")


def clausewise_command(export: Path, output: Path, report: str) -> list[str]:
    """The audit exactly as a user types it; the executable beside this Python, else on PATH."""
    beside = Path(sys.executable).with_name("clausewise")
    exe = str(beside) if beside.exists() else shutil.which("clausewise") or "clausewise"
    return [exe, "audit", str(export), "--policy", str(POLICY), "--as-of", AS_OF,
            "--format", report, "--output", str(output), "--fail-on", "never"]


def reference_command(export: Path, output: Path, report: str) -> list[str]:
    return [sys.executable, str(HERE / "reference.py"), str(export), str(output), report]


COMMANDS = {"clausewise": clausewise_command, "reference": reference_command}


def timed(command: list[str]) -> tuple[float, float, float]:
    """Run ``command``; its wall seconds, CPU seconds (user + system, all threads) and peak RSS in MiB.

    ``wait4`` gives the child's own resource usage. Linux counts in a child's
    peak the memory of the process it was started from, so this script keeps
    itself small: generating and comparing run in children too.
    """
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.stderr.close()
    code = proc.returncode = os.waitstatus_to_exitcode(status)
    if code != 0:  # 2, not 1: exit code 1 means the two sides disagree
        print(f"{' '.join(command)} failed with exit code {code}:\n{stderr.decode(errors='replace')}", file=sys.stderr)
        raise SystemExit(2)
    peak_kib = usage.ru_maxrss / 1024 if sys.platform == "darwin" else usage.ru_maxrss  # bytes on macOS
    return seconds, usage.ru_utime + usage.ru_stime, peak_kib / 1024


def child(*args: str) -> str:
    """This script in a fresh process (see ``timed`` for why); its standard output."""
    return subprocess.run([sys.executable, __file__, *args], check=True, stdout=subprocess.PIPE, text=True).stdout


# ---- comparing the two sides' findings (run in a child) -----------------------------
def _reader(path: Path, side: str, report: str) -> str:
    """SQL giving (rule, key, row) of every finding in a side's output file."""
    quoted = "'" + str(path).replace("'", "''") + "'"
    triple = "{rule: 'VARCHAR', key: 'VARCHAR', row: 'BIGINT'}"
    if report == "jsonl":
        return f"SELECT rule, key, row FROM read_json({quoted}, format = 'newline_delimited', columns = {triple})"
    if side == "reference":
        return f"SELECT rule, key, row FROM read_json({quoted}, format = 'array', columns = {triple})"
    # The audit's JSON report is one object; its findings are one array in it.
    size = path.stat().st_size + 1
    finding = 'STRUCT(rule VARCHAR, "key" VARCHAR, "row" BIGINT)[]'
    return (f"SELECT f.rule, f.key, f.row FROM (SELECT unnest(findings) AS f FROM read_json({quoted}, "
            f"format = 'unstructured', maximum_object_size = {size}, columns = {{findings: '{finding}'}}))")


def compare(clausewise: Path, reference: Path, report: str) -> dict:
    """Counts of each side's findings and of those only one side has, by (rule, key, row)."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"CREATE TABLE cw AS {_reader(clausewise, 'clausewise', report)}")
    con.execute(f"CREATE TABLE ref AS {_reader(reference, 'reference', report)}")
    count = "SELECT count(*) FROM ({} EXCEPT ALL {})"
    example = "SELECT rule, key, row FROM ({} EXCEPT ALL {}) ORDER BY ALL LIMIT 3"
    queries = [("SELECT * FROM cw", "SELECT * FROM ref"), ("SELECT * FROM ref", "SELECT * FROM cw")]
    return {
        "clausewise": con.execute("SELECT count(*) FROM cw").fetchone()[0],
        "reference": con.execute("SELECT count(*) FROM ref").fetchone()[0],
        "only_clausewise": con.execute(count.format(*queries[0])).fetchone()[0],
        "only_reference": con.execute(count.format(*queries[1])).fetchone()[0],
        "examples": [list(r) for q in queries for r in con.execute(example.format(*q)).fetchall()],
    }


# ---- measuring ----------------------------------------------------------------------
def measure(export: Path, out: Path, report: str, repeat: int) -> dict[str, dict]:
    """Each side ``repeat`` times, alternating, so that load from elsewhere hits both alike."""
    runs: dict[str, list[tuple[float, float, float]]] = {side: [] for side in SIDES}
    outputs = {side: out / f"{side}.{report}" for side in SIDES}
    for _ in range(repeat):
        for side in SIDES:
            runs[side].append(timed(COMMANDS[side](export, outputs[side], report)))
    result = {
        side: {
            "seconds": statistics.median(s for s, _, _ in r),
            "cpu": statistics.median(c for _, c, _ in r),
            "peak_mib": max(m for _, _, m in r),
            "runs": r,
        }
        for side, r in runs.items()
    }
    result["check"] = json.loads(child("--compare", str(outputs["clausewise"]), str(outputs["reference"]), report))
    for path in outputs.values():
        path.unlink()
    return result


HEADER = ("| rows | data | report | findings | clausewise s | reference s | ratio | clausewise CPU s "
          "| reference CPU s | clausewise peak MiB | reference peak MiB |\n"
          "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")


def row(size: str, fmt: str, report: str, result: dict) -> str:
    cw, ref, check = result["clausewise"], result["reference"], result["check"]
    return (f"| {data.SIZES[size]:,} | {fmt} | {report} | {check['clausewise']:,} | {cw['seconds']:.2f} "
            f"| {ref['seconds']:.2f} | {cw['seconds'] / ref['seconds']:.1f} | {cw['cpu']:.2f} | {ref['cpu']:.2f} "
            f"| {cw['peak_mib']:.0f} | {ref['peak_mib']:.0f} |")


def mismatch(check: dict) -> str | None:
    if check["only_clausewise"] == 0 and check["only_reference"] == 0:
        return None
    return (f"{check['only_clausewise']:,} findings only from clausewise, {check['only_reference']:,} only from "
            f"the reference (first ones: {check['examples']})")


def bench(cache: Path, sizes: list[str], formats: list[str], reports: list[str], repeat: int) -> int:
    rows, failed = [], False
    with tempfile.TemporaryDirectory(prefix="clausewise-peer-out-") as out:
        for size in sizes:
            start = time.perf_counter()
            written = child("--generate", size, "--cache", str(cache)).strip()
            note = f"generated in {time.perf_counter() - start:.1f} s" if written else "reused"
            print(f"{size}: data {note} under {cache / size}", file=sys.stderr, flush=True)
            for fmt in formats:
                for report in reports:
                    result = measure(data.export_dir(cache, size, fmt), Path(out), report, repeat)
                    rows.append(row(size, fmt, report, result))
                    runs = "; ".join(f"{side} " + ", ".join(f"{s:.2f}" for s, _, _ in result[side]["runs"]) for side in SIDES)
                    print(f"{size} {fmt} {report}: {runs} s", file=sys.stderr, flush=True)
                    problem = mismatch(result["check"])
                    if problem:
                        failed = True
                        print(f"MISMATCH at {size} {fmt} {report}: {problem}", file=sys.stderr, flush=True)
    print(HEADER)
    print("\n".join(rows))
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", choices=list(data.SIZES), default=["100k", "1m"])
    parser.add_argument("--formats", nargs="+", choices=list(data.FORMATS), default=list(data.FORMATS),
                        help="file formats of the export (default: both)")
    parser.add_argument("--reports", nargs="+", choices=REPORTS, default=["jsonl"],
                        help="report formats written by both sides (default: jsonl)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side; the median is kept (default 3)")
    parser.add_argument("--cache", type=Path, help="folder for the generated exports, kept and reused "
                        "(default: a temporary folder, removed afterwards)")
    parser.add_argument("--generate", metavar="SIZE", help=argparse.SUPPRESS)
    parser.add_argument("--compare", nargs=3, metavar=("CLAUSEWISE", "REFERENCE", "REPORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        print("\n".join(str(p) for p in data.ensure(args.cache, args.generate)))
        return 0
    if args.compare:
        print(json.dumps(compare(Path(args.compare[0]), Path(args.compare[1]), args.compare[2])))
        return 0
    if args.cache:
        return bench(args.cache.resolve(), args.sizes, args.formats, args.reports, args.repeat)
    with tempfile.TemporaryDirectory(prefix="clausewise-peer-") as cache:
        return bench(Path(cache), args.sizes, args.formats, args.reports, args.repeat)


if __name__ == "__main__":
    sys.exit(main())
