"""The hostile-input corpus: every place a user can write, attacked, each attack pinned.

Each case is one YAML file under ``tests/corpus/<area>/`` (see
``tests/corpus/README.md`` for the format): a starting pack, edits to it, a
command line and the outcome the case expects. The runner lays the pack out
in a temporary folder like the repository (``pack/policies``, ``pack/rules``,
the export), runs the command in process with click's CliRunner, and checks
the expected outcome and, for every case, that the run kept to its walls:

- no file appears, changes or disappears anywhere in the temporary folder
  except the report file the case names (the folder is snapshot before and
  after, with each file's content hash);
- a canary file beside the pack, and ``outside/`` with a rule file and a
  decision table, are never opened (an audit hook watches every ``open`` the
  process makes) and the canary's secret never appears in any output;
- no folder above or beside the pack is listed (no walk over the disk);
- no traceback, no "internal error", and the run ends within the case's time
  limit (a few seconds).

``pytest -k <name>`` runs one case: the test ids are the case paths.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import signal
import stat
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from support import ROOT

from clausewise.cli import cli

CORPUS = Path(__file__).resolve().parent / "corpus"
CASES = sorted(CORPUS.rglob("*.yaml"))
SECRET = "CANARY-5f0c1e-the-pack-must-never-read-this"
TIME_LIMIT = 5.0  # seconds, unless a case says otherwise
CASE_KEYS = {"description", "base", "edits", "args", "env", "expect", "writes", "time_limit", "xfail", "skip"}
EXPECT_KEYS = {"exit", "stderr", "stderr_contains", "stdout", "stdout_contains", "stdout_lacks", "files"}


# ---- the starting packs --------------------------------------------------------------
MINIMAL = {
    "policies/minimal.yaml": """\
        policy:
          id: minimal
          version: "1"
          title: {en: Minimal pack}
          timezone: Asia/Shanghai
          data_quality: {clause: M-9, severity: high}
        clauses:
          M-1: {title: {en: Items}}
          M-9: {title: {en: Data quality}}
        parameters:
          limit: {type: integer, value: 10}
          kinds: {type: list, value: [plain, fancy]}
          due: {type: duration, value: 24h}
          label: {type: string, value: fine}
          bands: {type: map, value: {low: 0, medium: 5, high: 12}}
          weights: {type: map, value: {likely: 0.5, impact: 0.5}}
        datasets:
          items:
            key: item_id
            fields:
              item_id: string
              kind: {type: enum, values: [plain, fancy]}
              likely: integer
              impact: integer
              opened_at: timestamp
              closed_at: timestamp
              note: string
        decision_tables:
          grade_table:
            hit_policy: first
            inputs: [score]
            output: grade
            rows:
              - [">= 12", red]
              - ["-", green]
        derived:
          items:
            columns:
              score: {expr: likely * impact, type: integer}
              weighted: {weighted: {weights: $weights}}
              band: {bands: {of: score, using: $bands, range: [0, 25]}}
              grade: {table: grade_table}
        rules: [../rules/minimal/*.yaml]
        """,
    "rules/minimal/items.yaml": """\
        rules:
          - id: item-small
            clause: M-1
            dataset: items
            kind: check
            severity: high
            when: kind IN $kinds
            assert: score <= $limit
            evidence: {score: score}
            title: {en: Small items}
            message: {en: "item {key} scores {score}, over {$limit}"}
        """,
    # I-1: 1 × 2 = 2 ≤ 10, passes; I-2: 4 × 5 = 20 > 10, a violation (high).
    "export/items.csv": """\
        item_id,kind,likely,impact,opened_at,closed_at,note
        I-1,plain,1,2,2026-10-01 09:00:00,2026-10-02 09:00:00,fine
        I-2,plain,4,5,2026-10-03 09:00:00,,big
        """,
}
BASES = {
    "minimal": {"policy": "pack/policies/minimal.yaml", "export": "pack/export"},
    "example": {"policy": "pack/policies/example.yaml", "export": "pack/examples/example-export"},
}


def _lay_out(base: str, root: Path) -> None:
    pack = root / "pack"
    if base == "minimal":
        for name, text in MINIMAL.items():
            (pack / name).parent.mkdir(parents=True, exist_ok=True)
            (pack / name).write_text(textwrap.dedent(text), encoding="utf-8")
    elif base == "example":
        (pack / "policies").mkdir(parents=True)
        shutil.copy(ROOT / "policies" / "example.yaml", pack / "policies" / "example.yaml")
        for folder in ("rules/example", "tests/cases/example", "examples/example-export"):
            shutil.copytree(ROOT / folder, pack / folder)
    else:
        raise ValueError(f"unknown base {base!r}")
    # Beside the pack: a secret, and files a hostile pack would like to reach.
    (root / "secret.txt").write_text(f"as_of: {SECRET}\n{SECRET},{SECRET}\n", encoding="utf-8")
    (root / "outside").mkdir()
    (root / "outside" / "evil.yaml").write_text(
        f"rules:\n  - id: {SECRET}\n    clause: M-1\n    dataset: items\n    kind: check\n    severity: high\n"
        f"    assert: \"note = '{SECRET}'\"\n    title: {{en: x}}\n    message: {{en: x}}\n", encoding="utf-8")
    (root / "outside" / "table.csv").write_text(f"score,grade\n-,{SECRET}\n", encoding="utf-8")


# ---- builders: content too big, too binary or too regular to write in a case -----------
def _nested(depth: int, inner: str = "score <= 10", left: str = "(", right: str = ")", head: str = "",
            tail: str = "") -> str:
    return head + left * depth + inner + right * depth + tail


def _repeat(text: str, times: int, joiner: str = "", head: str = "", tail: str = "") -> str:
    return head + joiner.join([text] * times) + tail


def _alias_bomb(levels: int = 9, width: int = 9) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for n in range(1, levels):
        lines.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * width) + "]")
    return "\n".join(lines) + "\nrules: []\n"


def _big_yaml(size: int) -> str:
    line = "# " + "padding " * 12 + "\n"
    return "rules: []\n" + line * (size // len(line) + 1)


def _xlsx(rows: list[list]) -> bytes:
    from datetime import datetime
    from io import BytesIO

    from openpyxl import Workbook

    book = Workbook()
    for row in rows:  # a cell {date: "9999-12-31"} is a real workbook date
        book.active.append([datetime.fromisoformat(c["date"]) if isinstance(c, dict) else c for c in row])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _parquet(rows: list[list], columns: list[str], types: list[str]) -> bytes:
    import duckdb

    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "x.parquet"
        con = duckdb.connect()
        values = ", ".join("(" + ", ".join(f"CAST({v!r} AS {t})" if v is not None else "NULL"
                                            for v, t in zip(row, types)) + ")" for row in rows)
        names = ", ".join(f'"{c}"' for c in columns)
        con.execute(f"COPY (SELECT * FROM (VALUES {values}) AS t({names})) TO '{target}' (FORMAT parquet)")
        con.close()
        return target.read_bytes()


def _workbook_far_cell() -> bytes:
    """The issue's workbook: a header cell and one value at XFD1048576, a few kilobytes."""
    import test_workbook

    with tempfile.TemporaryDirectory() as folder:
        return test_workbook._workbook(Path(folder) / "far.xlsx", test_workbook.FAR_CELL).read_bytes()


def _workbook_zip_bomb(copies: int = 600) -> bytes:
    """A workbook whose sheet unpacks to ``copies`` megabytes from a file a thousand times smaller."""
    import test_workbook

    packed, crc, size, _ = test_workbook._repeated_sheet(copies)
    parts = {name: test_workbook._packed(text) for name, text in test_workbook.PACKAGE.items()}
    parts[test_workbook.SHEET] = (packed, crc, size)
    with tempfile.TemporaryDirectory() as folder:
        return test_workbook._raw_zip(Path(folder) / "bomb.xlsx", parts).read_bytes()


BUILDERS = {
    "workbook_far_cell": lambda **k: _workbook_far_cell(),
    "workbook_zip_bomb": lambda **k: _workbook_zip_bomb(**k),
    "nested": lambda **k: _nested(**k).encode(),
    "repeat": lambda **k: _repeat(**k).encode(),
    "alias_bomb": lambda **k: _alias_bomb(**k).encode(),
    "big_yaml": lambda **k: _big_yaml(**k).encode(),
    "xlsx": lambda **k: _xlsx(**k),
    "parquet": lambda **k: _parquet(**k),
}


# ---- one case ----------------------------------------------------------------------------
@dataclass
class Case:
    path: Path
    spec: dict
    root: Path
    names: dict[str, str] = field(default_factory=dict)

    def fill(self, text: str) -> str:
        for key, value in self.names.items():
            text = text.replace("{" + key + "}", value)
        return text


def _load(path: Path) -> dict:
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    unknown = set(spec) - CASE_KEYS
    assert not unknown, f"{path.name}: unknown keys {unknown}"
    assert set(spec.get("expect", {})) <= EXPECT_KEYS, f"{path.name}: unknown expect keys"
    assert spec.get("description"), f"{path.name}: say what the case attacks"
    return spec


def _content(edit: dict, case: Case) -> bytes:
    if "text" in edit:
        return case.fill(edit["text"]).encode("utf-8")
    if "base64" in edit:
        return base64.b64decode(edit["base64"])
    if "build" in edit:
        return BUILDERS[edit["build"]](**edit.get("with", {}))
    raise AssertionError(f"edit {edit} has no content")


def _apply(edit: dict, case: Case, denied: set[str]) -> None:
    place = next(edit[k] for k in ("file", "link", "folder", "unreadable", "many") if k in edit)
    target = case.root / case.fill(place)
    if "many" in edit:  # a folder of many small rule files
        target.mkdir(parents=True, exist_ok=True)
        for n in range(edit["count"]):
            (target / f"r{n:05}.yaml").write_text("rules: []\n", encoding="utf-8")
    elif "link" in edit:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(case.fill(edit["to"]))
    elif "folder" in edit:
        target.mkdir(parents=True, exist_ok=True)
    elif "unreadable" in edit:
        # Tests may run as root, whom file modes do not stop: the audit hook
        # refuses the open as the system would refuse it to anyone else.
        target.chmod(0)
        denied.add(str(target.resolve()))
    elif "replace" in edit:
        text = target.read_text(encoding="utf-8")
        old = case.fill(edit["replace"])
        assert text.count(old) == edit.get("count", 1), f"{target.name}: {old!r} appears {text.count(old)} times"
        new = edit["with"]
        new = _content(new, case).decode("utf-8") if isinstance(new, dict) else case.fill(new)
        target.write_text(text.replace(old, new), encoding="utf-8")
    elif "append" in edit:
        with target.open("a", encoding="utf-8") as handle:
            handle.write(case.fill(edit["append"]))
    elif "delete" in edit:
        (shutil.rmtree if target.is_dir() else Path.unlink)(target)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(_content(edit, case))


def _snapshot(root: Path) -> dict[str, str]:
    """Every file and link under ``root``: relative path → content hash (or link target)."""
    out = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            rel = str(path.relative_to(root))
            if path.is_symlink():
                out[rel] = "link:" + os.readlink(path)
            elif path.is_file():
                try:
                    out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
                except PermissionError:
                    out[rel] = "unreadable"
            else:
                out[rel] = "folder"
    return out


# ---- watching what the process opens --------------------------------------------------
class Watch:
    """What one run opened or listed that it should not have (filled by the audit hook)."""

    def __init__(self, root: Path, pack: Path, allowed_writes: set[Path], denied: set[str]):
        self.root, self.pack = str(root), str(pack)
        self.scratch = str(root / ".tmp")
        self.writes = {str(p) for p in allowed_writes}
        self.denied = denied
        self.problems: list[str] = []
        self.written: list[str] = []

    def _inside(self, path: str, folder: str) -> bool:
        return path == folder or path.startswith(folder + os.sep)

    def opened(self, path: str, writing: bool) -> None:
        full = os.path.realpath(path)
        if full in self.denied:
            raise PermissionError(13, "Permission denied", path)
        if self._inside(full, self.scratch):
            return
        if writing:
            # tempfile announces the folder first (it opens through an opener), then the file itself.
            if full not in self.writes and not self._partial(full) and not os.path.isdir(full):
                self.written.append(full)  # an attempt; a problem if the file is there afterwards
        elif self._inside(full, self.root) and not self._inside(full, self.pack):
            self.problems.append(f"opened {full}")

    def _partial(self, full: str) -> bool:
        """The temporary file a report is written to before it is renamed over its target."""
        folder, name = os.path.split(full)
        return any(os.path.dirname(w) == folder and name.startswith("." + os.path.basename(w) + ".")
                   and name.endswith(".part") for w in self.writes)

    def listed(self, path: str) -> None:
        full = os.path.realpath(path)
        if self._inside(full, self.scratch) or self._inside(full, self.pack):
            return
        if self._inside(full, self.root) or self._inside(self.root, full):
            self.problems.append(f"listed {full}")


WATCH: list[Watch] = []
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def _hook(event: str, args: tuple) -> None:
    if not WATCH or event not in ("open", "os.listdir", "os.scandir"):
        return
    path = args[0] if args else None
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not isinstance(path, str):
        return
    if event == "open":
        mode, flags = args[1], args[2]
        writing = bool((mode and any(c in mode for c in "wax+")) or (flags and flags & _WRITE_FLAGS))
        WATCH[-1].opened(path, writing)
    else:
        WATCH[-1].listed(path)


sys.addaudithook(_hook)


class _TooSlow(BaseException):
    """Raised into a run that has taken twice its time limit; not an Exception, so the CLI cannot swallow it."""


def _alarm(signum, frame):
    raise _TooSlow("the run took twice its time limit and was stopped")


# ---- one loaded pack, reused ------------------------------------------------------------------
# Loading compiles the pack and binds it on a DuckDB connection (about a tenth of a second).
# Many cases attack the export or the command line of an unchanged pack: they reuse the pack
# loaded by the first such case. The key is every file of the pack outside its export, by
# content, so a case that edits the pack always loads its own. Packs with rule cases are not
# reused (their case files are named by absolute path).
_LOADED: dict[tuple, object] = {}
_COMMANDS = ("audit", "validate", "grades", "explain", "test", "coverage")


def _reuse_loaded(monkeypatch, snapshot: dict[str, str], export: str) -> None:
    import importlib

    from clausewise.engine import load

    pack_files = tuple(sorted((k, v) for k, v in snapshot.items() if k.startswith("pack/") and not k.startswith(export)))

    def cached(path, check=True):
        key = (str(path), pack_files)
        if key not in _LOADED:
            policy = load(path)
            if policy.tests:
                return policy
            _LOADED[key] = policy
        return _LOADED[key]

    # The commands import the engine's load when they run.
    monkeypatch.setattr(importlib.import_module("clausewise.engine"), "load", cached)


# ---- the test ------------------------------------------------------------------------------
@pytest.mark.parametrize("path", CASES, ids=[str(p.relative_to(CORPUS).with_suffix("")) for p in CASES])
def test_corpus(path: Path, tmp_path: Path, monkeypatch) -> None:
    spec = _load(path)
    if spec.get("skip"):
        pytest.skip(spec["skip"])
    base = BASES[spec.get("base", "minimal")]
    root = tmp_path.resolve()
    case = Case(path, spec, root, {
        "pack": "pack", "policy": base["policy"], "export": base["export"], "root": str(root),
        "secret": str(root / "secret.txt"),
    })
    _lay_out(spec.get("base", "minimal"), root)
    denied: set[str] = set()
    for edit in spec.get("edits", []):
        _apply(edit, case, denied)
    (root / ".tmp").mkdir()
    monkeypatch.chdir(root)
    monkeypatch.setattr(tempfile, "tempdir", str(root / ".tmp"))
    writes = {root / case.fill(w) for w in spec.get("writes", [])}
    before = _snapshot(root)
    if not denied:  # a pack with an unreadable file must be read (and refused) for real
        _reuse_loaded(monkeypatch, before, base["export"])

    watch = Watch(root, root / "pack", writes, denied)
    limit = float(spec.get("time_limit", TIME_LIMIT))
    args = [case.fill(str(a)) for a in spec["args"]]
    env = {name: case.fill(str(value)) for name, value in spec.get("env", {}).items()}
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, limit * 2)
    WATCH.append(watch)
    started = time.perf_counter()
    try:
        result = CliRunner().invoke(cli, args, catch_exceptions=True, prog_name="clausewise", env=env)
    finally:
        elapsed = time.perf_counter() - started
        WATCH.pop()
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    for name in denied:  # let the snapshot and tmp_path's clean-up read it again
        os.chmod(name, stat.S_IRUSR | stat.S_IWUSR)

    if spec.get("xfail"):
        try:
            _check(case, result, elapsed, limit, watch, before, writes)
        except AssertionError as exc:
            pytest.xfail(f"{spec['xfail']} ({str(exc).splitlines()[0]})")
        raise AssertionError(f"xfail case passed; remove its xfail: {spec['xfail']}")
    _check(case, result, elapsed, limit, watch, before, writes)


def _check(case: Case, result, elapsed: float, limit: float, watch: Watch, before: dict, writes: set[Path]) -> None:
    expect = case.spec.get("expect", {})
    out, err = result.stdout, result.stderr
    shown = f"exit {result.exit_code}\n--- stdout\n{out[:3000]}\n--- stderr\n{err[:3000]}"
    # The walls and limits every case keeps.
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"the command raised {type(result.exception).__name__}: {result.exception}\n{shown}")
    assert "Traceback" not in out + err, shown
    assert "internal error" not in out + err, shown
    assert elapsed < limit, f"took {elapsed:.1f} s, over the limit of {limit} s\n{shown}"
    wrote = [f"wrote {p}" for p in watch.written if os.path.lexists(p)]
    assert not watch.problems + wrote, f"reached outside the pack: {watch.problems + wrote}\n{shown}"
    assert SECRET not in out + err, f"the canary's secret is in the output\n{shown}"
    for written in writes:
        if written.is_file():
            assert SECRET not in written.read_text(encoding="utf-8", errors="replace"), f"the secret is in {written}"
    after = _snapshot(case.root)
    allowed = {str(w.relative_to(case.root)) for w in writes}
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)} - allowed
    assert not changed, f"files appeared, changed or went: {sorted(changed)}\n{shown}"
    # What this case expects.
    assert result.exit_code == expect["exit"], shown
    if "stderr" in expect:
        assert err == case.fill(expect["stderr"]), shown
    for text in _listed(expect.get("stderr_contains")):
        assert case.fill(text) in err, f"stderr lacks {case.fill(text)!r}\n{shown}"
    if "stdout" in expect:
        assert out == case.fill(expect["stdout"]), shown
    for text in _listed(expect.get("stdout_contains")):
        assert case.fill(text) in out, f"stdout lacks {case.fill(text)!r}\n{shown}"
    for text in _listed(expect.get("stdout_lacks")):
        assert case.fill(text) not in out, f"stdout has {case.fill(text)!r}\n{shown}"
    for name, texts in (expect.get("files") or {}).items():
        content = (case.root / case.fill(name)).read_text(encoding="utf-8")
        for text in _listed(texts):
            assert case.fill(text) in content, f"{name} lacks {case.fill(text)!r}"
    if expect["exit"] == 2 and "stderr" not in expect:
        # A bad input is one clear line (or a list of them, counted at the end).
        lines = err.strip().splitlines()
        assert lines and all(_located(line) for line in lines if not line.endswith("problems found")), shown


def _listed(value) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _located(line: str) -> bool:
    """A line that names where the problem is: file:line[:col], file, row/column, or an option."""
    head = line.split(": ", 1)[0]
    return bool(head) and (":" in head or ", row " in head or ", column " in head or "/" in head
                           or head.startswith("--") or head.startswith("Error"))
