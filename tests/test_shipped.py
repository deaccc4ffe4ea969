"""What the package ships besides its code: one copy of each file, every document a docstring names, and
``clausewise sample`` copying them out without replacing anything. The wheel itself: tests/test_wheel.py."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path, PurePosixPath

from click.testing import CliRunner
from support import ROOT

from clausewise.cli import cli
from clausewise.shipped import DATA, shipped_files

# The package's data folder → the repository folder it is (links, so that no file exists twice).
LINKS = {
    "policies": "policies", "rules": "rules", "tests/cases": "tests/cases", "samples": "samples",
    "examples": "examples", "schema": "schema", "docs": "docs",
}


def test_the_data_folder_links_to_the_repository_folders():
    package = ROOT / "src" / "clausewise" / "data"
    for name, folder in LINKS.items():
        link = package / name
        # A copy instead of a link (or a checkout that wrote links as text files) could drift from the repository.
        assert link.is_symlink(), f"src/clausewise/data/{name} must be a link to {folder}/"
        assert link.resolve() == (ROOT / folder).resolve()
    listed = {p.relative_to(package).as_posix() for p in package.rglob("*") if p.is_symlink()}
    assert listed == set(LINKS), "a new folder in the data folder needs its place in LINKS and in shipped.FOLDERS"


def test_what_ships_is_the_packs_their_cases_the_samples_schemas_and_docs():
    files = {str(p) for p in shipped_files()}
    tracked = {"policies/example.yaml", "policies/ops-support.yaml", "rules/example/inquiries.yaml",
               "tests/cases/example/inquiries.yaml", "examples/example-export/followups.jsonl",
               "samples/ops-support/2026-10/staff.xlsx", "samples/ops-support/2026-10/export.yaml",
               "samples/ops-support/waivers.yaml", "schema/clausewise.schema.json", "schema/cases.schema.json",
               "docs/api.md", "docs/time.md"}
    assert tracked <= files
    assert not [f for f in files if "__pycache__" in f or f.endswith(".pyc")]


def test_every_document_a_docstring_names_ships():
    named = set()
    for path in (ROOT / "src" / "clausewise").rglob("*.py"):
        named |= set(re.findall(r"docs/([a-z-]+\.md)", path.read_text(encoding="utf-8")))
    assert named  # docs/time.md, docs/history.md, …
    shipped = {p.name for p in shipped_files() if p.parent == PurePosixPath("docs")}
    assert named <= shipped, f"named but not shipped: {sorted(named - shipped)}"


def test_no_docstring_names_the_design_notes():
    """DESIGN.md is not part of the repository or the package; docs/cli.md describes findings."""
    for path in (ROOT / "src" / "clausewise").rglob("*.py"):
        assert "DESIGN.md" not in path.read_text(encoding="utf-8"), path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_sample_copies_every_file_and_says_what_it_wrote(tmp_path):
    target = tmp_path / "demo"
    result = CliRunner().invoke(cli, ["sample", str(target)])
    assert result.exit_code == 0, result.output
    files = shipped_files()
    assert result.stdout.splitlines()[0] == f"wrote {len(files)} files into {target}:"
    assert "  samples/ops-support/2026-10/  15 files  one month of the ops-support department, 13 datasets" in \
        result.stdout.splitlines()
    assert result.stdout.splitlines()[-1] == (f"try: cd {target} && clausewise audit samples/ops-support/2026-10 "
                                             "--policy policies/ops-support.yaml")
    for name in files:
        assert _digest(target / name) == _digest(DATA / name), name


def test_the_copy_audits_like_the_repository(tmp_path, monkeypatch):
    """The example pack audited in a copy finds what it finds in the repository (the wheel test audits the
    ops-support sample in a copy made by an installed wheel)."""
    target = tmp_path / "demo"
    assert CliRunner().invoke(cli, ["sample", str(target)]).exit_code == 0
    audit = ["audit", "examples/example-export", "--policy", "policies/example.yaml", "--format", "jsonl"]
    monkeypatch.chdir(ROOT)
    here = CliRunner().invoke(cli, audit)
    monkeypatch.chdir(target)
    there = CliRunner().invoke(cli, audit)
    assert there.exit_code == here.exit_code == 1  # the example export has violations on purpose
    # The findings are the same but for where the files are: evidence of an invalid value names its file,
    # which is relative to the folder the audit ran in, the same in both.
    assert there.stdout == here.stdout


def test_sample_replaces_no_file(tmp_path):
    target = tmp_path / "demo"
    (target / "policies").mkdir(parents=True)
    (target / "policies" / "example.yaml").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(cli, ["sample", str(target)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"{target / 'policies/example.yaml'} already exists; clausewise sample "
                                     "replaces no file, so give a new or empty folder")
    assert (target / "policies" / "example.yaml").read_text(encoding="utf-8") == "mine"
    assert [p.relative_to(target).as_posix() for p in target.rglob("*")] == ["policies", "policies/example.yaml"]


def test_sample_into_a_folder_holding_other_files(tmp_path):
    (tmp_path / "notes.txt").write_text("kept", encoding="utf-8")
    assert CliRunner().invoke(cli, ["sample", str(tmp_path)]).exit_code == 0
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "kept"
    assert (tmp_path / "policies" / "example.yaml").is_file()


def test_sample_counts_what_already_exists(tmp_path):
    target = tmp_path / "demo"
    assert CliRunner().invoke(cli, ["sample", str(target)]).exit_code == 0
    result = CliRunner().invoke(cli, ["sample", str(target)])
    # Every file exists now: the first in sorted order is docs/api.md, and the others are the rest.
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"{target / 'docs/api.md'} and {len(shipped_files()) - 1} more already exist; "
                                     "clausewise sample replaces no file, so give a new or empty folder")


def test_sample_says_what_it_wrote_in_chinese(tmp_path):
    target = tmp_path / "demo"
    result = CliRunner().invoke(cli, ["sample", str(target), "--lang", "zh"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"已将 {len(shipped_files())} 个文件写入 {target}："
    # The counts are padded by display width: "15 个文件" takes 2 + 1 + 2 × 3 = 9 columns, " 2 个文件" as many.
    assert "  samples/ops-support/2026-10/  15 个文件  运营支持部门一个月的数据，13 个数据集" in lines
    assert "  policies/                      2 个文件  示例规则包和运营支持规则包的制度文件" in lines
    assert lines[-1] == (f"接着可运行：cd {target} && clausewise audit samples/ops-support/2026-10 "
                         "--policy policies/ops-support.yaml")
    again = CliRunner().invoke(cli, ["sample", str(target), "--lang", "zh"])
    # Every file exists now: the first in sorted order is docs/api.md, and the others are the rest.
    assert again.stderr.strip() == (f"{target / 'docs/api.md'} 及另外 {len(shipped_files()) - 1} 个文件已存在；"
                                    "clausewise sample 不替换任何文件，请给出新的或空的文件夹")
