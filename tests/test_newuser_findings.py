"""Report files whose path is not a plain file: the report should go where the path leads, not replace the path."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from clausewise.cli import cli


@pytest.mark.xfail(strict=True, reason="the staged report is renamed over the symlink, which becomes a regular file "
                                       "while the file it pointed to keeps its old content")
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
