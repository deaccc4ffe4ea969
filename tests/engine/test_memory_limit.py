"""How much memory DuckDB may use (``--memory-limit``, ``memory_limit=``, ``CLAUSEWISE_MEMORY_LIMIT``), what happens
past it, and the blank-line scan that reads an export a few megabytes at a time instead of mapping it whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import clausewise
from clausewise.cli import cli
from clausewise.engine import connection
from clausewise.engine.readers import common
from clausewise.engine.readers.csv import _blank_lines
from clausewise.engine.readers.jsonl import blank_skips
from clausewise.errors import UsageError

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "policies" / "example.yaml"
EXPORT = ROOT / "examples" / "example-export"
GIB = 1 << 30


@pytest.mark.parametrize(("text", "expected"), [
    ("4GB", 4 * 10**9),                      # GB: powers of 1000, as DuckDB reads them
    ("1500MB", 1500 * 10**6),
    ("2GiB", 2 * GIB),                       # GiB: powers of 1024
    ("1.5 gib", 3 * GIB // 2),               # case and a space do not matter
    ("512KiB", 512 * 1024),
    ("25%", 4 * GIB),                        # of the machine's 16 GiB here
    ("100%", 16 * GIB),
])
def test_a_size_or_a_share_of_the_machine(text, expected, monkeypatch):
    monkeypatch.setattr(connection, "machine_memory", lambda: 16 * GIB)
    assert connection.memory_limit(text) == expected


@pytest.mark.parametrize(("machine", "threads", "expected"), [
    (24 * GIB, 2, 24 * GIB // 16),           # a sixteenth: 1.5 GiB
    (8 * GIB, 2, GIB),                       # a sixteenth is 0.5 GiB: at least 1 GiB
    (64 * GIB, 16, 4 * GIB),                 # 16 threads × 256 MiB = 4 GiB, also a sixteenth of 64 GiB
    (32 * GIB, 16, 4 * GIB),                 # a sixteenth is 2 GiB: 256 MiB for each of 16 threads
    (GIB, 1, 3 * GIB // 4),                  # the floor is never more than 75 % of the machine
])
def test_auto_grows_with_the_machine(machine, threads, expected, monkeypatch):
    monkeypatch.setattr(connection, "machine_memory", lambda: machine)
    monkeypatch.setattr(connection, "THREADS", threads)
    monkeypatch.delenv(connection.MEMORY_VARIABLE, raising=False)
    assert connection.memory_limit("auto") == connection.memory_limit(None) == expected


def test_the_environment_variable_is_the_default(monkeypatch):
    monkeypatch.setenv(connection.MEMORY_VARIABLE, "3GB")
    assert connection.memory_limit(None) == 3 * 10**9
    assert connection.memory_limit("2GB") == 2 * 10**9  # the option or argument wins
    monkeypatch.setenv(connection.MEMORY_VARIABLE, "lots")
    with pytest.raises(UsageError, match=r"^CLAUSEWISE_MEMORY_LIMIT=lots is not a memory limit: give a size"):
        connection.memory_limit(None)


@pytest.mark.parametrize("text", ["lots", "12XB", "4G", "0%", "150%", "0GB", "-1GB", "", "50"])
def test_anything_else_is_refused(text):
    with pytest.raises(UsageError, match=r"is not a memory limit: give a size such as 4GB or 1500MB"):
        connection.memory_limit(text)


def test_the_control_groups_limit_is_the_machines_memory_when_lower(tmp_path, monkeypatch):
    v2, v1 = tmp_path / "memory.max", tmp_path / "memory.limit_in_bytes"
    monkeypatch.setattr(connection, "CGROUP_LIMITS", (v2, v1))
    physical = connection.machine_memory()  # neither file exists: the physical memory
    v2.write_text("max\n")                   # no limit
    v1.write_text(f"{physical * 2}\n")       # more than the machine has: no limit either
    assert connection.machine_memory() == physical
    v1.write_text(f"{GIB}\n")                # a container of 1 GiB
    assert connection.machine_memory() == GIB


def test_the_connection_gets_the_limit_and_spills_only_into_the_scratch_folder(tmp_path):
    con = connection.connect("UTC", tmp_path, memory="1GiB")
    try:
        settings = dict(con.execute("SELECT name, value FROM duckdb_settings() "
                                    "WHERE name IN ('memory_limit', 'temp_directory')").fetchall())
        assert settings == {"memory_limit": "1.0 GiB", "temp_directory": str(tmp_path)}
    finally:
        con.close()
    con = connection.connect("UTC", memory="1GiB")  # no scratch folder: nothing spills (not into the current one)
    try:
        assert con.execute("SELECT current_setting('temp_directory')").fetchone() == ("",)
    finally:
        con.close()


def test_a_run_past_its_limit_says_how_to_give_it_more():
    # 4 MB cannot hold even the buffer DuckDB reads a CSV file with (32 MiB).
    with pytest.raises(UsageError, match=r"^DuckDB ran out of memory \(.*\); give it more with --memory-limit "
                                         r"or CLAUSEWISE_MEMORY_LIMIT, e\.g\. 4GB$"):
        clausewise.audit(clausewise.load(EXAMPLE), EXPORT, memory_limit="4MB")
    with clausewise.audit(clausewise.load(EXAMPLE), EXPORT, memory_limit="512MiB") as result:
        assert len(result.findings) > 0


def test_the_option_on_the_command_line(tmp_path):
    runner = CliRunner()
    base = ["audit", str(EXPORT), "--policy", str(EXAMPLE), "--format", "jsonl", "--output", str(tmp_path / "out")]
    refused = runner.invoke(cli, [*base, "--memory-limit", "lots"])
    assert (refused.exit_code, refused.output.strip()) == (
        2, '"lots" is not a memory limit: give a size such as 4GB or 1500MB, a share of the machine\'s memory '
           "such as 50%, or auto")
    short = runner.invoke(cli, [*base, "--memory-limit", "4MB"])
    assert short.exit_code == 2 and short.output.startswith("DuckDB ran out of memory (")
    assert "Traceback" not in short.output
    spark = runner.invoke(cli, [*base, "--memory-limit", "1GB", "--engine", "spark"])
    assert spark.exit_code == 2 and spark.output.startswith("--memory-limit is for --engine duckdb")
    chinese = runner.invoke(cli, [*base, "--memory-limit", "4MB", "--lang", "zh"])
    assert chinese.exit_code == 2 and chinese.output.startswith("DuckDB 内存不足（")
    fine = runner.invoke(cli, [*base, "--memory-limit", "50%", "--fail-on", "never"])
    assert fine.exit_code == 0 and (tmp_path / "out").stat().st_size > 0


# Lines: 1 header; 2 blank; 3-5 a record whose quoted field holds a blank line (4); 6 blank ("\r\n");
# 7 a record; 8 blank; then a final line break (no line after it).
CSV = b'id,note\n\nK1,"a\n\nb"\n\r\nK2,c\n\n'


def _breaks(path: Path) -> int:
    return sum(common.count_breaks(segment) for segment in common.segments(path, any_break=True))


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7, 64])
def test_blank_lines_across_the_pieces_the_file_is_read_in(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(common, "SCAN_CHUNK", chunk)
    path = tmp_path / "a.csv"
    path.write_bytes(CSV)
    # Lines 2, 6 and 8 are blank outside quotes (line 4 has one quote before it: inside a field); the file has
    # 8 line breaks ("\r\n" is one) and ends with one: 8 lines.
    assert _blank_lines(path) == (2, 6, 8)
    assert _breaks(path) == 8
    assert list(common.blank_lines(path, rb"\r?")) == [(2, 0), (4, 1), (6, 2), (8, 2)]
    # As JSON Lines (spaces and tabs also blank): lines 2, 4, 6, 8 are the 1st to 4th blank lines, with
    # 2 - 1 - 0 = 1, 4 - 1 - 1 = 2, 6 - 1 - 2 = 3 and 8 - 1 - 3 = 4 records before them.
    path.write_bytes(CSV.replace(b"\n\nb", b"\n \t\nb"))
    assert blank_skips(path) == {1: 1, 2: 2, 3: 3, 4: 4}
    # A last line holding only "\r" is a blank line 2 ended by that "\r"; nothing after a final line break is a line.
    path.write_bytes(b"header\n\r")
    assert _blank_lines(path) == (2,) and _breaks(path) == 2
    path.write_bytes(b"header\n")
    assert _blank_lines(path) == () and _breaks(path) == 1
    path.write_bytes(b"")
    assert _blank_lines(path) == () and _breaks(path) == 0


# The same lines ended in "\r" alone (an old Mac's), and in "\r\n": blank lines 2, 6 and 8 outside quotes, and 4
# inside the quoted field; 8 line breaks. Read in pieces of every size from 1 byte, no piece may end between the
# "\r" and "\n" of one line break, nor take a "\r" that ends a line for a blank line's start.
@pytest.mark.parametrize("ending", [b"\r", b"\r\n"])
@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7, 64])
def test_blank_lines_of_other_line_endings_across_pieces(tmp_path, monkeypatch, chunk, ending):
    monkeypatch.setattr(common, "SCAN_CHUNK", chunk)
    path = tmp_path / "a.csv"
    path.write_bytes(CSV.replace(b"\r\n", b"\n").replace(b"\n", ending))
    assert _blank_lines(path) == (2, 6, 8)
    assert list(common.blank_lines(path, b"", any_break=True)) == [(2, 0), (4, 1), (6, 2), (8, 2)]
    assert _breaks(path) == 8


def test_loading_a_pack_does_not_read_the_run_limit(monkeypatch):
    # The load's check binds rules against empty tables: a run's limit (even a wrong one in the environment,
    # which --memory-limit overrides for the run) is not its business, and `validate` has no option to fix it.
    from support import EXAMPLE_POLICY

    import clausewise

    monkeypatch.setenv("CLAUSEWISE_MEMORY_LIMIT", "garbage")
    assert clausewise.load(EXAMPLE_POLICY).rules
    monkeypatch.setenv("CLAUSEWISE_MEMORY_LIMIT", "1KB")
    assert clausewise.load(EXAMPLE_POLICY).rules
