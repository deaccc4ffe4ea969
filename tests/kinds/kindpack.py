"""The rule kinds' test pack: tests/kinds/policy.yaml with each kind's rules and cases.

A kind's file, tests/kinds/<kind>.yaml, holds both its rules (``rules:``, as in
a rule file) and their cases (``cases:``, as in a case file), so that adding a
kind adds one test file. A pack's rule files may hold nothing but rules, so
:func:`build_pack` writes a temporary copy of the pack with each file split in
two, keeping every line where it was: a problem is reported at the line it has
in the kind's file.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from clausewise.policy.yamlfile import load_yaml

HERE = Path(__file__).resolve().parent
POLICY = HERE / "policy.yaml"
OPS_SUPPORT = HERE.parent.parent / "policies" / "ops-support.yaml"
_TOP_KEY = re.compile(r"^([A-Za-z_]\w*):")


def case_files() -> dict[str, Path]:
    """Kind name → its file: every YAML file here but the policy."""
    return {p.stem: p for p in sorted(HERE.glob("*.yaml")) if p != POLICY}


def blank_blocks(text: str, keys: set[str]) -> str:
    """``text`` with the top-level blocks named ``keys`` turned into empty lines (line numbers kept)."""
    out, blanking = [], False
    for line in text.splitlines():
        top = _TOP_KEY.match(line)
        if top:
            blanking = top.group(1) in keys
        out.append("" if blanking else line)
    return "\n".join(out) + "\n"


def build_pack(folder: Path, files: dict[str, str]) -> Path:
    """Write the test pack into ``folder`` with each kind's file (name → text) split; the policy's path."""
    (folder / "rules").mkdir(parents=True, exist_ok=True)
    (folder / "cases").mkdir(exist_ok=True)
    shutil.copyfile(POLICY, folder / "policy.yaml")
    for name, text in files.items():
        (folder / "rules" / f"{name}.yaml").write_text(blank_blocks(text, {"cases"}), encoding="utf-8")
        (folder / "cases" / f"{name}.yaml").write_text(blank_blocks(text, {"rules"}), encoding="utf-8")
    return folder / "policy.yaml"


def read(path: Path) -> dict[str, Any]:
    """A kind's file as clausewise reads YAML (1.2, so ``on:`` is the word on)."""
    return load_yaml(path, str(path.name))


def kind_keys(kind) -> list[str]:
    """The keys a rule of ``kind`` accepts besides the common ones: its schema's, and ``when``."""
    return ["when", *kind.schema.get("properties", {})]


def untested_keys(keys: list[str], doc: dict[str, Any]) -> list[str]:
    """Problems: each key in ``keys`` needs a pass_ and a fail_ case of a rule that writes it."""
    rules = {r["id"]: r for r in doc.get("rules") or []}
    cases = doc.get("cases") or []
    problems = []
    for key in keys:
        using = {rule_id for rule_id, rule in rules.items() if key in rule}
        names = [str(c["name"]) for c in cases if c.get("rule") in using]
        for prefix in ("pass_", "fail_"):
            if not any(n.startswith(prefix) for n in names):
                problems.append(f'key "{key}" has no {prefix} case (of a rule that uses it)')
    return problems


def example_pack(folder: Path, rule_yaml: str) -> Path:
    """The ops-support policy with one rule file holding ``rule_yaml`` (one rule, as a list item)."""
    text = OPS_SUPPORT.read_text(encoding="utf-8")
    # Every line of the policy but its rules: and tests: lists, which name the pack's own files.
    kept = re.sub(r"^(rules|tests):\n(?:[ #].*\n|\n)*", "", text, flags=re.MULTILINE)
    assert "\nrules:" not in kept and "\ntests:" not in kept
    (folder / "policy.yaml").write_text(kept + "rules: [example.yaml]\n", encoding="utf-8")
    indented = "\n".join("  " + line for line in rule_yaml.splitlines())
    (folder / "example.yaml").write_text(f"rules:\n{indented}\n", encoding="utf-8")
    return folder / "policy.yaml"


def misfiled(kind: str, doc: dict[str, Any]) -> list[str]:
    """Problems: the rules of ``kind``'s file are of that kind, named ``kind-…``, each with both cases."""
    names = [str(c["name"]) for c in doc.get("cases") or []]
    problems = ["case names repeat"] if len(names) != len(set(names)) else []
    for rule in doc.get("rules") or []:
        if rule["kind"] != kind or not rule["id"].startswith(f"{kind}-"):
            problems.append(f'rule "{rule["id"]}" should be a {kind} rule named {kind}-…')
        mine = [str(c["name"]) for c in doc.get("cases") or [] if c["rule"] == rule["id"]]
        for prefix in ("pass_", "fail_"):
            if not any(n.startswith(prefix) for n in mine):
                problems.append(f'rule "{rule["id"]}" has no {prefix} case')
    return problems
