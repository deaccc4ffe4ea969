"""Report files whose path is not a plain file: the report should go where the path leads, not replace the path."""

from __future__ import annotations

import os
import stat
import threading

import pytest
from click.testing import CliRunner

from clausewise.cli import cli


def test_output_through_a_symlink_writes_the_file_it_points_to(root, tmp_path):
    from support import ROOT

    real = tmp_path / "real.jsonl"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.jsonl"
    link.symlink_to(real)
    args = [str(ROOT / "examples/example-export"), "-p", str(ROOT / "policies/example.yaml"), "--format", "jsonl"]
    printed = CliRunner().invoke(cli, ["audit", *args], catch_exceptions=False)
    written = CliRunner().invoke(cli, ["audit", *args, "--output", str(link)], catch_exceptions=False)
    assert (printed.exit_code, written.exit_code) == (1, 1)  # the example export has findings at high or above
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == printed.stdout


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_output_to_a_named_pipe_writes_into_it(root, tmp_path):
    # Replacing the path would put a plain file where the pipe was, and its reader would get nothing.
    from support import ROOT

    pipe = tmp_path / "findings.pipe"
    os.mkfifo(pipe)
    got = []
    reader = threading.Thread(target=lambda: got.append(pipe.read_text(encoding="utf-8")))
    reader.start()
    args = [str(ROOT / "examples/example-export"), "-p", str(ROOT / "policies/example.yaml"), "--format", "jsonl"]
    written = CliRunner().invoke(cli, ["audit", *args, "--output", str(pipe)], catch_exceptions=False)
    reader.join(timeout=30)
    printed = CliRunner().invoke(cli, ["audit", *args], catch_exceptions=False)
    assert written.exit_code == 1, written.output
    assert stat.S_ISFIFO(pipe.stat().st_mode)
    assert got == [printed.stdout]


def test_the_library_writes_through_a_symlink_too(tmp_path):
    from support import EXAMPLE_EXPORT, EXAMPLE_POLICY

    import clausewise

    real = tmp_path / "real.json"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    with clausewise.audit(clausewise.load(EXAMPLE_POLICY, check=False), EXAMPLE_EXPORT) as result:
        result.write("json", link)
        expected = result.write("json")
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "real.json"]  # nothing staged left
