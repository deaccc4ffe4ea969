"""Where an audit's reports go in CI: ``-o -``, several formats from one audit, and GitHub's job summary."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from clausewise.cli import cli

EXAMPLE = ["audit", "examples/example-export", "--policy", "policies/example.yaml"]

# Commands on the repository's packs take them loaded once (conftest.py); loading is tested elsewhere.
pytestmark = pytest.mark.usefixtures("shipped_packs_once")


@pytest.fixture
def run(root):
    def invoke(*args: str, env: dict | None = None):
        return CliRunner().invoke(cli, list(args), catch_exceptions=False, env=env)

    return invoke


def test_dash_is_standard_output(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a file named "-" would land here
    from support import ROOT

    result = run("audit", str(ROOT / "examples/example-export"), "-p", str(ROOT / "policies/example.yaml"),
                 "--format", "json", "--output", "-")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["summary"]["exit_code"] == 1
    assert list(tmp_path.iterdir()) == []


_EXAMPLE_ARGS = ["examples/example-export", "--policy", "policies/example.yaml"]
# One command line of each command that has --output; history and diff read the run history the fixture records.
DASH_COMMANDS = {
    "schema": ["schema"],
    "coverage": ["coverage", "--policy", "policies/example.yaml"],
    "grades": ["grades", *_EXAMPLE_ARGS],
    "explain": ["explain", "examples/example-export", "inquiry-reply-clock", "Q-002", "--policy", "policies/example.yaml"],
    "history": ["history", "--history", "{history}"],
    "diff": ["diff", "--history", "{history}"],
}


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> str:
    """A run history holding two audits of the example, so that diff has two runs to compare."""
    from support import ROOT

    history = tmp_path_factory.mktemp("history") / "history.duckdb"
    for as_of in ("2026-10-20", "2026-10-27"):
        done = CliRunner().invoke(cli, ["audit", str(ROOT / "examples/example-export"), "--policy",
                                        str(ROOT / "policies/example.yaml"), "--record", "--history", str(history),
                                        "--as-of", as_of, "--format", "jsonl", "--no-step-summary"])
        assert done.exit_code == 1, done.output
    return str(history)


def test_every_command_with_an_output_is_listed_here():
    with_output = {name for name, command in cli.commands.items() if any(p.name == "output" for p in command.params)}
    assert with_output - {"audit"} == set(DASH_COMMANDS)  # audit: test_dash_is_standard_output


@pytest.mark.parametrize("name", sorted(DASH_COMMANDS))
def test_dash_is_standard_output_for_every_command(run, root, recorded, name):
    result = run(*[arg.format(history=recorded) for arg in DASH_COMMANDS[name]], "-o", "-")
    assert result.exit_code in (0, 1), result.output
    assert result.stdout and not (root / "-").exists()


def test_several_formats_from_one_audit(run, tmp_path):
    sarif, junit = tmp_path / "x.sarif", tmp_path / "x.xml"
    result = run(*EXAMPLE, "--format", "sarif", "--output", str(sarif), "--format", "junit", "--output", str(junit),
                 "--format", "json", "--output", "-")
    assert result.exit_code == 1
    # The three reports are of one audit: the same findings — 9 violations and 3 invalid values as of the
    # latest timestamp (tests/test_cli.py), 9 + 3 = 12 — and the same exit code.
    doc = json.loads(result.stdout)
    log = json.loads(sarif.read_text(encoding="utf-8"))
    assert len(log["runs"][0]["results"]) == len(doc["findings"]) == 12
    assert log["runs"][0]["invocations"][0]["exitCode"] == doc["summary"]["exit_code"] == 1
    suites = ET.parse(junit).getroot()
    assert suites.tag == "testsuites" and int(suites.get("failures")) > 0


def test_formats_and_outputs_pair_in_order(run, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    result = run(*EXAMPLE, "-f", "csv", "-f", "jsonl", "-o", str(first), "-o", str(second))
    assert result.exit_code == 1 and result.stdout == ""
    assert first.read_text(encoding="utf-8").startswith("clause,rule,dataset,")
    assert json.loads(second.read_text(encoding="utf-8").splitlines()[0])["rule"] == "inquiry-channel"


@pytest.mark.parametrize(("args", "message"), [
    (["-f", "json", "-f", "sarif", "-o", "a.json"],
     "2 --format but 1 --output: give each report a --format and an --output, in pairs (--output - for standard output)"),
    (["-f", "json", "-f", "sarif", "-o", "-", "-o", "-"],
     "two reports would go to standard output; give all but one an --output file"),
])
def test_unpaired_or_doubled_outputs_are_refused(run, root, args, message):
    result = run(*EXAMPLE, *args)
    assert result.exit_code == 2
    assert result.stderr.strip() == message
    assert not (root / "a.json").exists()


def test_a_failing_report_leaves_every_file_as_it_was(run, tmp_path, monkeypatch):
    """The second report fails halfway: the first, complete, does not replace its file either."""
    from clausewise.report import junit

    first, second = tmp_path / "x.sarif", tmp_path / "x.xml"
    first.write_text("old sarif", encoding="utf-8")
    second.write_text("old junit", encoding="utf-8")

    def full_disk(result, fail_on, out):
        out.write("<testsuites")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(junit, "write", full_disk)
    result = run(*EXAMPLE, "-f", "sarif", "-o", str(first), "-f", "junit", "-o", str(second))
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"cannot write {second}: no space left on the disk; "
                                     "the previous file, if any, is unchanged")
    assert first.read_text(encoding="utf-8") == "old sarif"
    assert second.read_text(encoding="utf-8") == "old junit"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.sarif", "x.xml"]  # no staged file left behind


def test_job_summary_is_appended_when_github_names_it(run, tmp_path):
    summary = tmp_path / "summary.md"
    summary.write_text("## an earlier step\n", encoding="utf-8")
    result = run(*EXAMPLE, "--format", "json", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.exit_code == 1
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## an earlier step\n## ❌ clausewise: Help desk example policy\n")
    # The same verdict as the report: 4 findings at or above high (see tests/test_cli.py).
    assert "**Failed**: 4 findings at or above `high`." in text
    assert json.loads(result.stdout)["summary"]["exit_code"] == 1


@pytest.mark.parametrize("off", [["--no-step-summary"], []])
def test_job_summary_can_be_turned_off(run, tmp_path, off):
    summary = tmp_path / "summary.md"
    env = {"GITHUB_STEP_SUMMARY": str(summary)} | ({} if off else {"CLAUSEWISE_STEP_SUMMARY": "0"})
    result = run(*EXAMPLE, *off, env=env)
    assert result.exit_code == 1
    assert not summary.exists()


def test_job_summary_is_not_doubled_when_a_report_goes_there(run, tmp_path):
    summary = tmp_path / "summary.md"
    result = run(*EXAMPLE, "--format", "markdown", "--output", str(summary), env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.exit_code == 1
    assert summary.read_text(encoding="utf-8").count("## ❌ clausewise:") == 1


def test_job_summary_that_cannot_be_written_is_a_warning(run, tmp_path):
    missing = tmp_path / "no-such-folder" / "summary.md"
    result = run(*EXAMPLE, "--format", "jsonl", env={"GITHUB_STEP_SUMMARY": str(missing)})
    assert result.exit_code == 1  # the audit's verdict stands
    assert result.stderr.strip() == (f"clausewise: cannot append the summary to $GITHUB_STEP_SUMMARY ({missing}): "
                                     "no such file or folder")
    chinese = run(*EXAMPLE, "--format", "jsonl", "--lang", "zh", env={"GITHUB_STEP_SUMMARY": str(missing)})
    assert chinese.stderr.strip() == f"clausewise：无法把摘要追加到 $GITHUB_STEP_SUMMARY（{missing}）：没有这个文件或文件夹"


def test_every_report_of_one_audit_states_its_period_and_warnings(run, tmp_path):
    """The period and the as-of warning reach each report of a several-format audit, and the job summary."""
    files = {fmt: tmp_path / f"report.{fmt}" for fmt in ("markdown", "json", "sarif", "junit", "html")}
    pairs = [arg for fmt, path in files.items() for arg in ("-f", fmt, "-o", str(path))]
    summary = tmp_path / "summary.md"
    # The example export's latest timestamp is 2026-10-26 10:00 (a follow-up); 20 October is before it.
    result = run(*EXAMPLE, "--as-of", "2026-10-20", "--period", "2026-Q4", "-f", "table", "-o", "-", *pairs,
                 env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.exit_code == 1
    warning = ("the as-of time 2026-10-20 00:00:00 is before the export's latest timestamp 2026-10-26 10:00:00: "
               "records after the as-of time were judged too")
    text = {fmt: path.read_text(encoding="utf-8") for fmt, path in files.items()}
    assert result.stdout.splitlines()[0].endswith(" · period 2026-Q4 (given)")
    # The table wraps the warning at spaces (100 columns off a terminal): joined by spaces, the lines give it back.
    assert "! " + warning in " ".join(line.strip() for line in result.stdout.splitlines())
    for markdown in (text["markdown"], summary.read_text(encoding="utf-8")):
        assert " · Audit period 2026-Q4 (given)" in markdown and f"> ⚠️ {warning}\n" in markdown
    run_meta = json.loads(text["json"])["run"]
    assert (run_meta["period"]["label"], run_meta["warnings"]) == ("2026-Q4", [warning])
    invocation = json.loads(text["sarif"])["runs"][0]["invocations"][0]
    assert invocation["properties"]["period"] == "2026-Q4"
    assert invocation["toolExecutionNotifications"] == [{"level": "warning", "message": {"text": warning}}]
    properties = {p.get("name"): p.get("value") for p in ET.fromstring(text["junit"]).iter("property")}
    assert (properties["period"], properties["warning.1"]) == ("2026-Q4", warning)
    assert "Audit period <strong>2026-Q4</strong> (given)" in text["html"] and warning.replace("'", "&#39;") in text["html"]


def test_a_run_without_warnings_says_so_with_an_empty_list(run):
    # The period is given (nothing inferred) and the as-of time, 1 November, is after the export's latest
    # timestamp (26 October 10:00): no warning, and run.warnings is there, empty, not left out.
    result = run(*EXAMPLE, "--period", "2026-10", "--as-of", "2026-11-01", "-f", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["run"]["warnings"] == []


def test_a_reader_that_stops_early_stops_the_report_quietly(root):
    """`clausewise audit … | head`: no message and no traceback on standard error, exit code 141 (128 + SIGPIPE),
    as `cat big | head` gives; the same for a command that prints with click.echo (validate)."""
    import subprocess
    import sys

    for args in (EXAMPLE, ["validate", "--policy", "policies/example.yaml"]):
        command = [sys.executable, "-c", "from clausewise.cli import main; main()", *args]
        process = subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        process.stdout.close()  # the reader is gone before the first line is written
        _, err = process.communicate(timeout=60)
        assert (process.returncode, err.decode()) == (141, ""), args


def _jsonl(run, *extra: str) -> str:
    result = run(*EXAMPLE, "--format", "jsonl", *extra)
    assert result.exit_code == 1, result.output
    return result.stdout


def test_a_json_lines_file_is_moved_into_place_with_the_old_files_mode(run, tmp_path, monkeypatch):
    # DuckDB writes the report into the run's private folder; the command moves it into the place of the
    # staged report file instead of copying it through the stream: the same bytes, the old file's mode.
    import os
    import shutil

    expected = _jsonl(run)  # on standard output: copied through the stream
    target = tmp_path / "findings.jsonl"
    target.write_text("last month's report\n", encoding="utf-8")
    os.chmod(target, 0o640)

    def no_copy(*args, **kwargs):
        raise AssertionError("the report was copied, not moved")

    monkeypatch.setattr(shutil, "copyfileobj", no_copy)
    assert run(*EXAMPLE, "--format", "jsonl", "--output", str(target)).exit_code == 1
    assert target.read_text(encoding="utf-8") == expected
    assert target.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["findings.jsonl"]  # nothing staged is left behind


def test_a_json_lines_report_on_another_file_system_is_copied(run, tmp_path, monkeypatch):
    # Moving across file systems fails (EXDEV): the report is copied through the stream instead, the same.
    import errno
    import os

    from clausewise.engine import connection

    real = os.replace

    def replace(src, dst):
        if str(src).endswith(connection.REPORT):
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    target = tmp_path / "findings.jsonl"
    assert run(*EXAMPLE, "--format", "jsonl", "--output", str(target)).exit_code == 1
    monkeypatch.setattr(os, "replace", real)
    assert target.read_text(encoding="utf-8") == _jsonl(run)
