"""Every word table of the reports has the same words in Chinese and English."""

from __future__ import annotations

from importlib import import_module

import pytest

from clausewise.report import words

MODULES = ["table", "markdown", "junit", "github", "cycle", "explain", "grades", "coverage", "html"]


def _shape(table):
    return {k: _shape(v) if isinstance(v, dict) else None for k, v in table.items()}


@pytest.mark.parametrize("name", MODULES)
def test_each_writer_says_everything_in_both_languages(name):
    table = import_module(f"clausewise.report.{name}")._WORDS
    assert _shape(table["en"]) == _shape(table["zh"])


@pytest.mark.parametrize("table", [words.SEVERITY, words.STATUS, words.FAIL_ON, words.STATE])
def test_shared_words_in_both_languages(table):
    assert table["en"].keys() == table["zh"].keys()
    assert all(table["zh"].values()) and all(table["en"].values())
