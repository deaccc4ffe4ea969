"""YAML syntax errors in plain words: input text → the exact one line a user sees.

Each case runs on libyaml's C parser and on PyYAML's pure parser, which word
the same problem differently ("mapping values are not allowed in this context"
and "... here"); both must give the same sentence at the same place.
"""

from __future__ import annotations

import pytest

from clausewise.errors import PolicyError
from clausewise.policy import yamlfile
from clausewise.policy.yamlerrors import syntax_error
from clausewise.policy.yamlfile import parse_yaml

INDENT = "this line is indented differently from the lines around it: line it up with the keys or list items it belongs with"
NO_COLON = 'this line has no ": "; in a mapping each entry is written "key: value", with a space after the colon'
COLON = 'this value contains ": ", which YAML reads as a key: put the value in quotes'
TAB = "YAML is indented with spaces, not tabs: replace the tab with spaces"
AFTER_QUOTE = "text after the closing quote: put the whole value in quotes (inside single quotes, write '' for ')"
ESCAPE = 'a backslash in double quotes starts an escape: write "\\\\" for a backslash, or use single quotes'
BLOCK = 'after "|" or ">" the text starts on the next line; only "-", "+" or a digit 1-9 may follow them'
LIST = 'the list opened with "[" at line 1, column 4 is not closed here: add the missing "]", or a "," between its items'
MAPPING = 'the mapping opened with "{" at line 1, column 4 is not closed here: add the missing "}", or a "," between its entries'
DIRECTIVE = 'a line that starts with "%" is a YAML directive, which clausewise files do not use: remove it'

# (id, text, expected); columns are 1-based and counted by hand in the text.
CASES = [
    ("tab-indent", "a:\n\tb: 1\n", f"2:1: {TAB}"),
    ("tab-after-value", "a: 1\n\tb: 2\n", f"2:1: {TAB}"),
    ("tab-in-block-text", "a: |\n  x\n\ty\n", f"3:1: {TAB}"),
    ("colon-in-value", "title: Note: this\n", f"1:12: {COLON}"),                    # "title: Note" is 11 long
    ("colon-in-run-on-value", "description: one line\n  and more: here\n", f"2:11: {COLON}"),  # "  and more" is 10 long
    ("indented-under-a-value", "a: b\n  c: d\n", f"2:3: {INDENT}"),
    ("indented-less-than-siblings", "a:\n    b: 1\n  c: 2\n", f"3:3: {INDENT}"),
    ("rule-key-off-by-one", "rules:\n  - id: x\n   clause: y\n", f"3:4: {INDENT}"),
    ("root-indented", "  a: 1\nb: 2\n", f"2:1: {INDENT}"),
    ("list-item-for-key", "a: 1\n- b\n", '2:1: a list item ("- ") where a key was expected: indent the list under its key'),
    ("text-after-double-quote", 'a: "x" y\n', f"1:8: {AFTER_QUOTE}"),
    ("apostrophe-in-single-quotes", "b: 'it's'\n", f"1:8: {AFTER_QUOTE}"),         # "b: 'it'" is 7 long
    ("line-without-colon", "a: 1\nfoo\nc: 2\n", f"2:1: {NO_COLON}"),
    ("no-space-after-colon", "a:b\nc: 1\n", f"1:1: {NO_COLON}"),
    ("unclosed-double-quote", 'a: "abc\nb: 1\n', '1:4: this quoted value is never closed: add the closing "'),
    ("unclosed-single-quote", "a: 'abc\n", "1:4: this quoted value is never closed: add the closing '"),
    ("unclosed-bracket", "a: [1, 2\nb: 3\n", f"2:2: {LIST}"),
    ("missing-comma", 'a: ["x" y]\n', f"1:9: {LIST}"),                               # 'a: ["x" ' is 8 long
    ("unclosed-brace", "a: {x: 1\nb: 3\n", f"2:2: {MAPPING}"),
    ("empty-item", "a: [1, , 2]\n", '1:8: an empty item between commas: remove the extra ","'),
    ("closing-bracket-first", "a: ]\n", '1:4: a value cannot start with "]": put the value in quotes'),
    ("at-sign", "a: @x\n", '1:4: a value cannot start with "@": put the value in quotes'),
    ("backtick", "a: `x`\n", '1:4: a value cannot start with "`": put the value in quotes'),
    ("percent", "a: %x\n", '1:4: a value cannot start with "%": put the value in quotes'),
    ("question-mark", "a: ? b\n", '1:4: a value cannot start with "? ": put the value in quotes'),
    ("inline-list-item", "a: - b\n",
     '1:4: a list item ("- ") cannot follow a key on its line: put the items on the next lines, indented, or put the value in quotes'),
    ("star-pattern", "pattern: *.csv\n", '1:10: a value that starts with "*" is read as an alias: put the value in quotes'),
    ("ampersand", "a: & x\n", '1:4: a value that starts with "&" is read as an anchor: put the value in quotes'),
    ("bang", "a: !x!y b\n", '1:4: a value that starts with "!" is read as a tag: put the value in quotes'),
    ("undefined-alias", "a: *nope\n",
     '1:4: "*nope" refers to no anchor "&nope" defined above it: define the anchor first, or put the value in quotes'),
    ("anchor-twice", "a: &x 1\nb: &x 2\n", '2:4: anchor "&x" is defined a second time (first at line 1): give it another name'),
    ("second-document", "a: 1\n---\nb: 2\n",
     '2:1: a second YAML document starts here: one file holds one document, so remove this "---" line'),
    ("document-end-marker", "a: 1\n...\nc: 3\n", '2:1: the line above ("...") ends the document: remove it'),
    ("unknown-tag", "a: !foo x\n", '1:4: unknown tag "!foo": remove it; clausewise files use no tags'),
    ("tag-does-not-fit", "a: !!str {b: 1}\n", "1:4: the tag on this value does not fit a mapping: remove the tag"),
    ("windows-path", 'path: "C:\\Users\\x"\n', f"1:10: {ESCAPE}"),                  # 'path: "C:' is 9 long
    ("regex-escape", 'a: "\\d+"\n', f"1:5: {ESCAPE}"),
    ("block-header-text", "a: |x\n  t\n", f"1:5: {BLOCK}"),
    ("block-indent-zero", "a: |0\n  t\n", f"1:5: {BLOCK}"),
    ("yaml-version", "%YAML 2.0\n---\na: 1\n", f"1:1: {DIRECTIVE}"),
    ("directive-twice", "%YAML 1.2\n%YAML 1.2\n---\na: 1\n", f"2:1: {DIRECTIVE}"),
]


@pytest.fixture(params=["c", "pure"])
def loader(request, monkeypatch):
    monkeypatch.setattr(yamlfile, "_Loader", yamlfile.LOADERS[request.param])
    return request.param


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_plain_words_for_syntax_errors(loader, text, expected):
    with pytest.raises(PolicyError) as info:
        parse_yaml(text, "r.yaml")
    assert str(info.value) == f"r.yaml:{expected}"


def test_no_parser_words_reach_the_user():
    """None of the sentences above speaks the parsers' language."""
    jargon = ("token", "<block", "scalar", "node", "found character", "in this context", "expected ':'")
    assert [c[0] for c in CASES if any(word in c[2] for word in jargon)] == []


def test_an_unknown_problem_keeps_the_parser_words_on_one_line():
    error = syntax_error("some new problem", "while doing\nsomething", (2, 4), None, "a: 1\n", "r.yaml")
    assert str(error) == "r.yaml:3:5: invalid YAML: some new problem"


def test_an_unknown_problem_names_characters_without_python_quoting():
    # PyYAML writes characters with repr(): '\t', '\x07'.
    error = syntax_error("expected ' ', but found '\\t' or '\\x07'", None, (0, 0), None, "a\n", "r.yaml")
    assert str(error) == "r.yaml:1:1: invalid YAML: expected ' ', but found a tab or U+0007"


def test_an_unknown_problem_without_one_uses_the_context():
    error = syntax_error(None, "while scanning something", None, (0, 2), "a\n", "r.yaml")
    assert str(error) == "r.yaml:1:3: invalid YAML: while scanning something"
