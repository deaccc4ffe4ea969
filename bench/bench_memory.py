"""Benchmark: the peak memory of a whole ``clausewise audit`` process, per workload and report format.

The memory targets: an audit of 10,000,000 records under 2 GB, the full
ops-support pack on a generated month of 1,000,000 records under 2 GB, and a
SARIF report of 1,000,000 records under 1 GB. Each is the peak resident
memory (RSS) of the ``clausewise audit`` process, started as a user starts
it, writing its report to a file:

- ``peer-100k``, ``peer-1m``, ``peer-10m``: the five-rule peer workload
  (``peer/``; its Parquet export unless ``--data csv``), as of 2024-04-01;
- ``ops-1m``: ``policies/ops-support.yaml`` (127 rules, 13 datasets) on a
  month written by ``samples/ops-support/generate.py --rows 363000``, which
  makes 1,001,163 records.

The exports are generated once into ``--cache`` (default: a temporary folder)
and reused. Every run is a fresh process measured with ``wait4``, and the
data is generated in a child too: Linux counts the memory of the process a
child was started from in the child's peak, so this script stays small.

    python bench/bench_memory.py --workloads peer-1m ops-1m --reports jsonl json sarif --cache ~/.cache/clausewise-mem
    python bench/bench_memory.py --workloads peer-10m --reports jsonl --memory-limit 4GB
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE / "peer"))

import bench_peer  # noqa: E402  (peer/bench_peer.py: the audit command and the timing of a child)
import data  # noqa: E402  (peer/data.py: the peer workload's generator)

OPS_ROWS = 363_000  # inquiries per month; the other 12 datasets follow, 1,001,163 records in all
OPS_POLICY = ROOT / "policies" / "ops-support.yaml"
WORKLOADS = {
    "peer-100k": ("peer", "100k"),
    "peer-1m": ("peer", "1m"),
    "peer-10m": ("peer", "10m"),
    "ops-1m": ("ops", "1m"),
}
REPORTS = ("jsonl", "json", "sarif", "csv", "junit", "github", "markdown", "html", "table")
MIB_PER_GB = 10**9 / 2**20
# The targets: (workload, report or None for every report) → peak in MiB.
TARGETS = {("peer-10m", None): 2 * MIB_PER_GB, ("ops-1m", None): 2 * MIB_PER_GB,
           ("peer-1m", "sarif"): 1 * MIB_PER_GB}


def target(workload: str, report: str) -> float | None:
    return TARGETS.get((workload, report), TARGETS.get((workload, None)))


def export(cache: Path, workload: str, fmt: str) -> tuple[Path, list[str]]:
    """The workload's export folder (generated now in a child when missing) and the audit's arguments for it."""
    kind, size = WORKLOADS[workload]
    if kind == "peer":
        subprocess.run([sys.executable, str(HERE / "peer" / "bench_peer.py"), "--generate", size, "--cache", str(cache)],
                       check=True, stdout=subprocess.DEVNULL)
        return data.export_dir(cache, size, fmt), ["--policy", str(bench_peer.POLICY), "--as-of", bench_peer.AS_OF]
    folder = cache / "ops-support" / size
    if not (folder / "export.yaml").is_file():
        subprocess.run([sys.executable, str(ROOT / "samples" / "ops-support" / "generate.py"), "--out", str(folder),
                        "--rows", str(OPS_ROWS)], check=True, stdout=subprocess.DEVNULL)
    return folder, ["--policy", str(OPS_POLICY)]


def command(folder: Path, args: list[str], report: str, output: Path, memory_limit: str | None) -> list[str]:
    exe = bench_peer.clausewise_command(folder, output, report)[0]
    limit = ["--memory-limit", memory_limit] if memory_limit else []
    return [exe, "audit", str(folder), *args, "--format", report, "--output", str(output), "--fail-on", "never",
            "--quiet", *limit]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", nargs="+", choices=list(WORKLOADS), default=["peer-1m", "ops-1m"])
    parser.add_argument("--reports", nargs="+", choices=REPORTS, default=["jsonl", "json", "sarif"])
    parser.add_argument("--data", choices=data.FORMATS, default="parquet", help="the peer export's file format")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; the highest peak and the median "
                        "times are kept (default 1)")
    parser.add_argument("--memory-limit", help="passed to clausewise audit (default: its own, auto)")
    parser.add_argument("--cache", type=Path, help="folder for the generated exports, kept and reused "
                        "(default: a temporary folder, removed afterwards)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="clausewise-mem-") as scratch:
        cache = args.cache.resolve() if args.cache else Path(scratch) / "cache"
        rows, missed = [], []
        for workload in args.workloads:
            folder, audit_args = export(cache, workload, args.data)
            for report in args.reports:
                output = Path(scratch) / f"report.{report}"
                runs = [bench_peer.timed(command(folder, audit_args, report, output, args.memory_limit))
                        for _ in range(args.repeat)]
                peak = max(m for _, _, m in runs)
                size = output.stat().st_size / 10**6
                output.unlink()
                goal = target(workload, report)
                verdict = "" if goal is None else ("yes" if peak < goal else "**no**")
                if goal is not None and peak >= goal:
                    missed.append(f"{workload} {report}: {peak:.0f} MiB, over {goal:.0f}")
                rows.append(f"| {workload} | {report} | {size:,.1f} | {peak:,.0f} | "
                            f"{statistics.median(s for s, _, _ in runs):.1f} | "
                            f"{statistics.median(c for _, c, _ in runs):.1f} | "
                            f"{'' if goal is None else f'{goal:,.0f}'} | {verdict} |")
                print(rows[-1], file=sys.stderr, flush=True)
    print("| workload | report | report MB | peak MiB | wall s | CPU s | target MiB | met |")
    print("|---|---|---:|---:|---:|---:|---:|---|")
    print("\n".join(rows))
    for line in missed:
        print(f"TARGET MISSED: {line}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
