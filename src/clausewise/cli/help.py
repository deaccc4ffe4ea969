"""``--help`` in the run's language: command and option help from the message catalogue.

Help texts are marked English (``help=N_("...")``); with ``--lang zh`` given
before ``--help`` (``--lang`` is eager) or ``CLAUSEWISE_LANG=zh`` the help is
written in Chinese. click's own words (``Usage:``, ``Options``, ``[default:
…]``) come from the catalogue too, with the context ``click``: click looks
them up through the :mod:`gettext` function each of its modules imported as
``_``, which is pointed at the catalogue while the help is written and put
back after.

click joins the lines of a paragraph with a space and wraps at spaces,
counting characters; Chinese has no spaces between words and each of its
characters takes two columns. So while a help page is written in Chinese,
click's ``wrap_text`` is replaced by :func:`wrap_cjk`, which joins two lines
without a space where both sides of the break are Chinese, may break a line
between any two Chinese characters (not before a closing mark such as ，or
）, not after an opening one), and measures the width a terminal shows.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import click
import click.core
import click.formatting

from ..i18n import Message, gettext
from .clickwords import HELP_TEXTS, active, words
from .options import chosen_lang

_CLICK = {str(text) for text in HELP_TEXTS}


def _translate(text, lang: str):
    if text is None or lang == "en":
        return text
    if isinstance(text, Message):
        return text.render(lang)
    return gettext(text, lang, "click" if text in _CLICK else None)


@contextmanager
def _in_language(command: click.Command, ctx: click.Context, lang: str) -> Iterator[None]:
    """The command's help texts, its options' and its subcommands' in ``lang`` while the help is written."""
    commands = [command, *getattr(command, "commands", {}).values()]
    saved = [(c, c.help, c.short_help) for c in commands]
    params = [(p, p.help) for p in command.get_params(ctx) if hasattr(p, "help")]
    said = (click.core._, click.formatting._)
    wrap = click.formatting.wrap_text
    try:
        for c in commands:
            c.help, c.short_help = _translate(c.help, lang), _translate(c.short_help, lang)
        for p, help_text in params:
            p.help = _translate(help_text, lang)
        click.core._ = click.formatting._ = words(lang)
        click.formatting.wrap_text = wrap_cjk
        yield
    finally:
        for c, help_text, short in saved:
            c.help, c.short_help = help_text, short
        for p, help_text in params:
            p.help = help_text
        click.core._, click.formatting._ = said
        click.formatting.wrap_text = wrap


_CJK = "\u2e80-\u9fff\u3000-\u303f\uff00-\uffef\u201c\u201d"


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(The pieces of a line, one Chinese character or mark.) A piece is a short parenthesis (（必填）,
    （默认：en）), kept on one line; one Chinese character or mark; a run of other characters up to a space or a
    Chinese character; or spaces. Compiled when a help page is first written in Chinese: their character
    classes take milliseconds to compile, which every command would otherwise pay at start."""
    return re.compile(f"（[^（）\\s]{{1,8}}）|[{_CJK}]|[^\\s{_CJK}]+|\\s+"), re.compile(f"[{_CJK}]")


_NO_BREAK_BEFORE = set("，。、；：！？）》」』”,.;:!?)")
_NO_BREAK_AFTER = set("（《「『“(")


def _width(text: str) -> int:
    """Columns a terminal gives ``text``: two for a wide (Chinese) character, one for the others."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _joined(lines: list[str]) -> str:
    """The lines of a paragraph as one: joined with a space, or with nothing between two Chinese characters."""
    out = lines[0]
    for line in lines[1:]:
        cjk = _patterns()[1]
        glue = "" if cjk.match(out[-1:]) and cjk.match(line[:1]) else " "
        out += glue + line
    return out


def _units(text: str) -> list[tuple[bool, str]]:
    """``text`` as the pieces a line may not break inside, each with whether a space comes before it.

    A Chinese character is a piece of its own; a run of other characters is
    one; a closing mark stays with what comes before it, an opening mark
    with what follows it.
    """
    units: list[tuple[bool, str]] = []
    space = False
    for token in _patterns()[0].findall(text):
        if token.isspace():
            space = bool(units)
            continue
        glued = units and not space and (token[0] in _NO_BREAK_BEFORE or units[-1][1][-1] in _NO_BREAK_AFTER)
        if glued:
            units[-1] = (units[-1][0], units[-1][1] + token)
        else:
            units.append((space, token))
        space = False
    return units


def _fill(text: str, width: int, first: str, rest: str) -> str:
    """``text`` wrapped greedily to ``width`` columns, the first line starting with ``first``, the others ``rest``."""
    lines, line, used = [], first, _width(first)
    for space, unit in _units(text):
        need = _width(unit) + (1 if space else 0)
        if line.strip() and used + need > width:
            lines.append(line)
            line, used, space, need = rest, _width(rest), False, _width(unit)
        line += (" " if space else "") + unit
        used += need
    lines.append(line)
    return "\n".join(lines)


def wrap_cjk(text: str, width: int = 78, initial_indent: str = "", subsequent_indent: str = "",
             preserve_paragraphs: bool = False) -> str:
    """click's ``wrap_text`` for text with Chinese in it (same arguments, same paragraphs and ``\\b`` blocks)."""
    text = text.expandtabs()
    if not preserve_paragraphs:
        return _fill(_joined(text.splitlines() or [""]), width, initial_indent, subsequent_indent)
    paragraphs, block, indent = [], [], None

    def flush() -> None:
        if block:
            raw = block[0].strip() == "\b"
            paragraphs.append((indent or 0, raw, block[1:] if raw else block[:]))
            block.clear()

    for line in text.splitlines():
        if not line:
            flush()
            indent = None
        else:
            if indent is None:
                indent = len(line) - len(line.lstrip())
                line = line.lstrip()
            block.append(line)
    flush()
    out = []
    for extra, raw, lines in paragraphs:
        first, rest = initial_indent + " " * extra, subsequent_indent + " " * extra
        if raw:
            out.append("\n".join((first if i == 0 else rest) + line for i, line in enumerate(lines)))
        else:
            out.append(_fill(_joined(lines), width, first, rest))
    return "\n\n".join(out)


# click appends an option's default, environment variable and "required" to its help as "  [a; b]".
_EXTRAS = re.compile(r"  \[([^\[\]]*)\]$")


class ChineseHelpFormatter(click.HelpFormatter):
    """click's help layout with Chinese punctuation where the words are Chinese: ``用法：``, ``选项：``, and an
    option's default or "required" as ``（默认：en）``, ``（必填）`` right after its help, as Chinese text puts a
    parenthesis, instead of click's ``: `` and ``  [default: en]``."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        if prefix is None:
            prefix = click.formatting._("Usage:")  # (the catalogue's 用法：, no space after a full-width colon)
        super().write_usage(prog, args, prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        super().write_dl([(term, _EXTRAS.sub(lambda m: "（" + m[1].replace("; ", "；") + "）", text))
                          for term, text in rows], col_max, col_spacing)


@contextmanager
def _chinese_layout(ctx: click.Context) -> Iterator[None]:
    """``ctx`` writes with :class:`ChineseHelpFormatter` inside the block."""
    saved = ctx.formatter_class
    ctx.formatter_class = ChineseHelpFormatter
    try:
        yield
    finally:
        ctx.formatter_class = saved


class HelpInLanguage:
    """A click command whose help page is in the run's language."""

    def get_help(self, ctx: click.Context) -> str:
        lang = chosen_lang(ctx)
        if lang == "en":
            return super().get_help(ctx)
        with _in_language(self, ctx, lang), _chinese_layout(ctx):
            return super().get_help(ctx)

    def get_usage(self, ctx: click.Context) -> str:
        """The usage line above a mistake in the command line, in the language click's words are in (用法：)."""
        if active() == "en":
            return super().get_usage(ctx)
        with _chinese_layout(ctx):
            return super().get_usage(ctx)


class Command(HelpInLanguage, click.Command):
    """A clausewise command (``@click.command(cls=Command)``)."""


class Group(HelpInLanguage, click.Group):
    """The clausewise group: its help lists the commands in the run's language."""
