"""The layers point one way (cli → api → report → coverage → testing → engine → history → policy → ... → errors)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--config", str(ROOT / "pyproject.toml")], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_module_sits_in_a_layer():
    # A module left out of the layers contract may import anything; every top-level module and
    # package of clausewise (the package's own __init__ aside) must be named in one layer.
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    layered = {name.strip() for layer in contract["layers"] for name in layer.split("|")}
    package = ROOT / "src" / "clausewise"
    modules = {f"clausewise.{p.stem}" for p in package.glob("*.py") if p.stem != "__init__"}
    packages = {f"clausewise.{p.name}" for p in package.iterdir() if (p / "__init__.py").is_file()}
    assert modules | packages, "no modules found under src/clausewise"
    assert sorted((modules | packages) - layered) == []
    assert {"clausewise.testing", "clausewise.coverage"} <= layered


def test_every_kind_is_documented():
    from clausewise.engine.kinds import KINDS

    docs = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for name, module in KINDS.items():
        assert f"### {name}\n" in docs, f"docs/rules.md has no section for kind {name}"
        assert module.__doc__ and f"``{name}``" in module.__doc__


def test_every_allowed_function_is_documented():
    from clausewise.engine.conditions import AGGREGATE_FUNCTIONS, SCALAR_FUNCTIONS

    docs = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for name in [*SCALAR_FUNCTIONS, *AGGREGATE_FUNCTIONS]:
        shown = "count(*)" if name == "count_star" else name
        assert f"`{shown}`" in docs, f"function {shown} is allowed but not in docs/rules.md"
