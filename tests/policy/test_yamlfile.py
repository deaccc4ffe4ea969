"""Safe YAML 1.2 loading: positions kept, duplicates, bombs, huge and unreadable files refused.

Every test of what a document means runs twice: on libyaml's C parser (what
users get) and on PyYAML's pure parser (the fallback where PyYAML is built
without libyaml).
"""

from __future__ import annotations

import glob
import math
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import jsonschema
import pytest
import yaml
import yamlcore
from click.testing import CliRunner
from support import ROOT

import clausewise
from clausewise.cli import cli
from clausewise.errors import PolicyError
from clausewise.policy import yamlfile
from clausewise.policy.yamlfile import MAX_BYTES, MAX_DEPTH, YStr, load_yaml, parse_yaml


@pytest.fixture(params=["c", "pure"])
def loader(request, monkeypatch):
    monkeypatch.setattr(yamlfile, "_Loader", yamlfile.LOADERS[request.param])
    return request.param


def _error(text: str) -> str:
    with pytest.raises(PolicyError) as info:
        parse_yaml(text, "r.yaml")
    return str(info.value)


def test_positions_of_keys_values_and_characters(loader):
    doc = parse_yaml("rules:\n  - id: a\n    when: x > 1 AND y\n", "r.yaml")
    rule = doc["rules"][0]
    assert str(rule.key_at("when")) == "r.yaml:3:5"
    assert str(rule.value_at("when")) == "r.yaml:3:11"
    assert str(rule["when"].locate(8)) == "r.yaml:3:19"
    assert str(doc["rules"].item_at(0)) == "r.yaml:2:5"


def test_quoted_and_block_strings_locate_inside(loader):
    doc = parse_yaml('a: "x = 1"\nb: |\n  first\n  second line\n', "r.yaml")
    assert str(doc["a"].locate(4)) == "r.yaml:1:9"
    assert str(doc["b"].locate(len("first\nsec"))) == "r.yaml:4:6"


def test_columns_count_characters_not_bytes(loader):
    # "中文" is two characters (six UTF-8 bytes): "en" starts at column 1 + len('t: {zh: 中文, ') = 1 + 12 = 13.
    doc = parse_yaml("t: {zh: 中文, en: x = 1}\n", "r.yaml")
    assert str(doc["t"].key_at("en")) == "r.yaml:1:13"
    assert str(doc["t"]["en"].locate(4)) == "r.yaml:1:21"  # the value at 13 + len("en: ") = 17, + 4


def test_duplicate_key_is_refused_with_both_places(loader):
    assert _error("id: a\nclause: X\nid: b\n") == 'r.yaml:3:1: duplicate key "id" (first defined at line 1)'


def test_keys_stay_text_as_written(loader):
    doc = parse_yaml("on: {a: b}\nno: 1\ntrue: 2\n010: 3\nnull: 4\n1.5: 5\n", "r.yaml")
    assert list(doc) == ["on", "no", "true", "010", "null", "1.5"]
    assert all(type(key) is YStr for key in doc)


def test_norway_stays_a_country_code(loader):
    # YAML 1.1 read NO as false; YAML 1.2 reads only true/false as booleans.
    assert parse_yaml("countries: [NO, SE, DK, FI]\n", "r.yaml") == {"countries": ["NO", "SE", "DK", "FI"]}


def test_only_true_and_false_are_booleans(loader):
    words = "[yes, no, on, off, y, n, Yes, No, ON, OFF, Y, N]"
    assert parse_yaml(f"a: {words}\n", "r.yaml")["a"] == words[1:-1].split(", ")
    assert parse_yaml("a: [true, True, TRUE, false, False, FALSE, tRUE]\n", "r.yaml")["a"] == [
        True, True, True, False, False, False, "tRUE",
    ]


def test_null_forms(loader):
    doc = parse_yaml("a: [~, null, Null, NULL, nULL, '', None]\nb:\n", "r.yaml")
    assert doc == {"a": [None, None, None, None, "nULL", "", "None"], "b": None}


def test_numbers_follow_the_core_schema(loader):
    doc = parse_yaml("a: [010, 0o17, 0x1F, 1:30, 1_000, 1e3, .5, -2, +3, 0b11, -.inf, 12.]\n", "r.yaml")
    assert doc["a"] == [
        10,          # decimal, not octal 8
        15,          # 0o17 = 1*8 + 7
        31,          # 0x1F = 1*16 + 15
        "1:30",      # not sexagesimal 90
        "1_000",     # no digit separators in 1.2
        1000.0,      # 1e3 is a float in 1.2 (a string in PyYAML's 1.1)
        0.5,
        -2,
        3,
        "0b11",      # no binary ints in the core schema
        -math.inf,
        12.0,
    ]
    assert math.isnan(parse_yaml("a: .nan\n", "r.yaml")["a"])


def test_dates_and_times_stay_text_as_written(loader):
    doc = parse_yaml("a: [2026-10-12, 2026-10-12 09:00:00, 2026-10-12T09:00:00+08:00, !!timestamp 2026-10-12]\n", "r.yaml")
    assert doc["a"] == ["2026-10-12", "2026-10-12 09:00:00", "2026-10-12T09:00:00+08:00", "2026-10-12"]
    assert all(type(value) is YStr for value in doc["a"])


def test_explicit_core_tags_work_and_misfits_say_so(loader):
    assert parse_yaml("a: [!!str 010, !!int '7', !!float 1, !!bool 'true', !!null '']\n", "r.yaml")["a"] == [
        "010", 7, 1.0, True, None,
    ]
    assert _error("a: !!int abc\n") == 'r.yaml:1:4: "abc" is not a whole number: remove the "!!int" tag or correct the value'
    assert _error("a: !!bool yes\n") == 'r.yaml:1:4: "yes" is not true or false: remove the "!!bool" tag or correct the value'
    assert _error("a: !!float x\n") == 'r.yaml:1:4: "x" is not a number: remove the "!!float" tag or correct the value'
    assert _error("a: !!null x\n") == 'r.yaml:1:4: "x" is not null: remove the "!!null" tag or correct the value'


def test_python_tags_are_not_constructed(loader):
    assert _error("a: !!python/object/apply:os.system ['echo hi']\n") == (
        'r.yaml:1:4: unknown tag "!!python/object/apply:os.system": remove it; clausewise files use no tags'
    )


def test_a_list_or_mapping_as_key_is_refused(loader):
    # "{{ x }}" is a template, which YAML reads as a mapping whose key is a mapping.
    assert _error("a: {{ x }}\n") == "r.yaml:1:5: a list or mapping cannot be a key: if this is text, put it in quotes"


def test_merge_keys_are_refused_as_yaml_1_1(loader):
    assert _error("b: &b {x: 1}\na:\n  <<: *b\n") == 'r.yaml:3:3: "<<" merge keys are YAML 1.1, not 1.2: write the keys out'
    assert parse_yaml("'<<': 1\n", "r.yaml") == {"<<": 1}


def test_alias_bomb_is_refused(loader):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for level in "bcdefgh":
        previous = chr(ord(level) - 1)
        bomb += f"{level}: &{level} [*{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}]\n"
    # h alone expands to 10**7 lists: far above MAX_NODES.
    assert _error(bomb) == "r.yaml:1:1: aliases expand to more than 100000 nodes; refusing to load"


def test_small_aliases_are_fine(loader):
    doc = parse_yaml("m: &m {en: hi}\nn: *m\n", "r.yaml")
    assert doc["n"] == {"en": "hi"}


def test_an_alias_of_itself_is_refused(loader):
    assert _error("a: &a [1, *a]\n") == "r.yaml:1:4: this list or mapping holds an alias of itself: remove that alias"


def test_nesting_is_bounded(loader):
    # The root mapping is level 1, so the k-th "[" is level k + 1, at column len("a: ") + k.
    # MAX_DEPTH - 1 = 63 brackets load; with 64, the 64th "[" is level 65, at column 3 + 64 = 67.
    fits = MAX_DEPTH - 1
    assert parse_yaml("a: " + "[" * fits + "]" * fits + "\n", "r.yaml") is not None
    deep = MAX_DEPTH + 6
    assert _error("a: " + "[" * deep + "]" * deep + "\n") == (
        "r.yaml:1:67: lists and mappings nest more than 64 levels deep here; refusing to load"
    )


def test_nesting_counts_what_aliases_bring_in(loader):
    # &a is 40 lists deep; b holds *a under 30 more lists, with the root 1 + 30 + 40 = 71 levels.
    inner = "[" * 40 + "]" * 40
    text = f"a: &a {inner}\nb: " + "[" * 30 + "*a" + "]" * 30 + "\n"
    # *a sits at level 32, inside the 30th "[" of b (level 31), and spans 40 levels:
    # 32 + 40 - 1 = 71 > 64. That "[" stands at column len("b: ") + 30 = 33.
    assert _error(text) == "r.yaml:2:33: lists and mappings nest more than 64 levels deep here; refusing to load"


def test_oversized_file_is_refused(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("a: " + "x" * MAX_BYTES, encoding="utf-8")
    with pytest.raises(PolicyError, match=f"the limit is {MAX_BYTES}"):
        load_yaml(big, "big.yaml")


def test_not_utf8_is_refused_at_its_place(tmp_path):
    path = tmp_path / "gbk.yaml"
    # GBK bytes for 中: 0xD6 0xD0. Line 2 column 4, after "b: ".
    path.write_bytes("a: 1\nb: 中文\n".encode("gbk"))
    with pytest.raises(PolicyError) as info:
        load_yaml(path, "gbk.yaml")
    assert str(info.value) == "gbk.yaml:2:4: not UTF-8 text (byte 0xD6): save the file as UTF-8"


@pytest.mark.parametrize(("data", "error"), [
    (b"a: 1\nb: x\x00y\n", "r.yaml:2:5: control character U+0000 (NUL) is not allowed in a YAML file: remove it"),
    (b"a: \x07\n", "r.yaml:1:4: control character U+0007 (bell) is not allowed in a YAML file: remove it"),
    (b"a: 1\r\nb: \x1b[0m\n", "r.yaml:2:4: control character U+001B (escape) is not allowed in a YAML file: remove it"),
    (b"a: 'x\x7f'\n", "r.yaml:1:6: control character U+007F (delete) is not allowed in a YAML file: remove it"),
    ("a: x\u0080\n".encode(), "r.yaml:1:5: control character U+0080 is not allowed in a YAML file: remove it"),
    ("# \ufffe\n".encode(), "r.yaml:1:3: character U+FFFE is not allowed in a YAML file: remove it"),
    ("a: 1\n\ufeffb: 2\n".encode(), "r.yaml:2:1: a byte order mark (U+FEFF) inside the file: remove it"),
])
def test_bytes_yaml_forbids_are_one_line_at_their_place(tmp_path, data, error):
    path = tmp_path / "r.yaml"
    path.write_bytes(data)
    with pytest.raises(PolicyError) as info:
        load_yaml(path, "r.yaml")
    assert str(info.value) == error


def test_a_leading_byte_order_mark_is_fine(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_bytes("\ufeffa: 1\n".encode())
    assert load_yaml(path, "r.yaml") == {"a": 1}


def test_unreadable_file_is_one_line(tmp_path, monkeypatch):
    path = tmp_path / "r.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    path.chmod(0)
    try:
        path.read_bytes()
    except PermissionError:
        pass
    else:  # root reads it anyway: make the read fail as it does for anyone else
        def refuse(self):
            raise PermissionError(13, "Permission denied", str(self))

        monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(PolicyError) as info:
        load_yaml(path, "r.yaml")
    assert str(info.value) == "r.yaml: cannot be read: permission denied"


def test_other_read_failures_are_one_line(tmp_path, monkeypatch):
    path = tmp_path / "r.yaml"
    path.write_text("a: 1\n", encoding="utf-8")

    def broken(self):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(Path, "read_bytes", broken)
    with pytest.raises(PolicyError) as info:
        load_yaml(path, "r.yaml")
    assert str(info.value) == "r.yaml: cannot be read: input/output error"


def test_cli_says_one_line_for_a_nul_byte(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("policy.yaml").write_bytes(b"policy:\n  id: x\x00\n")
    result = CliRunner().invoke(cli, ["validate", "--policy", "policy.yaml"])
    assert result.exit_code == 2
    assert result.output == "policy.yaml:2:8: control character U+0000 (NUL) is not allowed in a YAML file: remove it\n"


def test_cli_says_one_line_for_a_tab(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("policy.yaml").write_text("policy:\n\tid: x\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", "--policy", "policy.yaml"])
    assert result.exit_code == 2
    assert result.output == "policy.yaml:2:1: YAML is indented with spaces, not tabs: replace the tab with spaces\n"


SHIPPED = sorted(glob.glob(str(ROOT / "policies" / "*.yaml")) + glob.glob(str(ROOT / "rules" / "**" / "*.yaml"), recursive=True))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(Path(p).relative_to(ROOT)))
def test_shipped_files_are_valid_for_any_yaml_1_2_reader(path):
    """Plain yamlcore (no positions, no clausewise) reads each shipped file to a valid document."""
    text = Path(path).read_text(encoding="utf-8")
    plain = yaml.load(text, Loader=yamlcore.CCoreLoader if yaml.__with_libyaml__ else yamlcore.CoreLoader)
    validator = jsonschema.Draft202012Validator(
        clausewise.schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    assert [e.message for e in validator.iter_errors(plain)] == []
    assert parse_yaml(text, path) == plain


def test_a_rule_key_on_stays_the_word_on():
    text = (ROOT / "rules" / "example" / "followups.yaml").read_text(encoding="utf-8")
    plain = yaml.load(text, Loader=yamlcore.CoreLoader)
    assert [rule["on"] for rule in plain["rules"] if "on" in rule] == [{"inquiry_id": "inquiry_id"}]
    assert any(True in rule for rule in yaml.safe_load(text)["rules"])  # what YAML 1.1 made of it


def test_a_list_parameter_of_country_codes_reaches_the_policy_as_text(pack, export):
    datasets = """\
        shipments:
          key: shipment_id
          fields: {shipment_id: string, country: string}
        """
    rules = """\
        rules:
          - id: nordic-only
            clause: C-1
            dataset: shipments
            kind: allowed
            severity: high
            field: country
            values: $nordics
            title: {en: Nordic destinations only}
            message: {en: "{key} goes to {value}"}
        """
    policy = clausewise.load(pack(datasets, rules, "nordics: {type: list, value: [NO, SE, DK, FI]}\n"))
    assert policy.parameters["nordics"].value == ["NO", "SE", "DK", "FI"]
    folder = export({"shipments.csv": "shipment_id,country\nS1,NO\nS2,SE\nS3,US\n"})
    result = clausewise.audit(policy, folder, as_of=datetime(2026, 11, 1))
    # Only S3 (US) is outside the list; S1 (NO) is a Nordic country, not false.
    assert [(f.rule, f.key) for f in result.findings] == [("nordic-only", "S3")]


def test_the_c_parser_is_used_when_pyyaml_has_libyaml():
    if not yaml.__with_libyaml__:
        pytest.skip("about the C loader, on a PyYAML built with libyaml")
    assert yaml.cyaml.CParser in yamlfile.LOADERS["c"].__mro__


def test_without_libyaml_the_pure_parser_still_reads_yaml_1_2():
    script = textwrap.dedent("""\
        import sys
        sys.modules["yaml._yaml"] = None  # as if PyYAML were built without libyaml
        import yaml
        from clausewise.policy import yamlfile
        assert not yaml.__with_libyaml__ and not hasattr(yaml, "CBaseLoader")
        doc = yamlfile.parse_yaml("a: [NO, 010]\\nb: x\\n", "r.yaml")
        print(doc, yamlfile.LOADERS["c"] is yamlfile.LOADERS["pure"], doc["b"].locate(0))
        """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert run.stdout == "{'a': ['NO', 10], 'b': 'x'} True r.yaml:2:4\n"


def test_the_characters_yaml_forbids_are_those_of_yaml_1_2():
    """YAML 1.2 §5.1 allows tab, LF, CR, x20-x7E, NEL (x85), xA0-xD7FF, xE000-xFFFD (the byte order mark xFEFF
    only first) and x10000-x10FFFF; every other code point is forbidden, tested one by one."""
    from clausewise.policy.yamlerrors import _FORBIDDEN

    allowed = [(0x09, 0x0A), (0x0D, 0x0D), (0x20, 0x7E), (0x85, 0x85), (0xA0, 0xD7FF), (0xE000, 0xFEFE),
               (0xFF00, 0xFFFD), (0x10000, 0x10FFFF)]
    text = "".join(map(chr, range(0x110000)))
    forbidden = {match.start() for match in _FORBIDDEN.finditer(text)}
    expected = set(range(0x110000)) - {c for low, high in allowed for c in range(low, high + 1)}
    assert forbidden == expected
    # x00-08 (9), x0B-0C (2), x0E-1F (18), x7F-84 (6), x86-9F (26), the surrogates xD800-DFFF (2048), xFEFF (1),
    # xFFFE-FFFF (2): 9 + 2 + 18 + 6 + 26 + 2048 + 1 + 2 = 2112.
    assert len(forbidden) == 2112 and 0xFEFF in forbidden
