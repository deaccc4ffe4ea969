"""``--help`` in the run's language: command and option help from the message catalogue.

Help texts are marked English (``help=N_("...")``); with ``--lang zh`` given
before ``--help`` (``--lang`` is eager) or ``CLAUSEWISE_LANG=zh`` the help is
written in Chinese. click's own words (``Usage:``, ``Options``, ``[default:
…]``) come from the catalogue too, with the context ``click``: click looks
them up through the :mod:`gettext` function each of its modules imported as
``_``, which is pointed at the catalogue while the help is written and put
back after.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
import click.core
import click.formatting

from ..i18n import NC_, Message, gettext
from .options import chosen_lang

# The texts of click's that a help page shows (click marks them for gettext; the catalogue has their Chinese).
CLICK_TEXTS = [
    NC_("click", "Usage:"), NC_("click", "Options"), NC_("click", "Commands"), NC_("click", "Arguments"),
    NC_("click", "Show this message and exit."), NC_("click", "Show the version and exit."),
    NC_("click", "default: {default}"), NC_("click", "env var: {var}"), NC_("click", "required"),
]
_CLICK = {str(text) for text in CLICK_TEXTS}


def _translate(text, lang: str):
    if text is None or lang == "en":
        return text
    if isinstance(text, Message):
        return text.render(lang)
    return gettext(text, lang, "click" if text in _CLICK else None)


def _click_words(lang: str):
    def translated(text: str) -> str:
        return gettext(text, lang, "click") if text in _CLICK else text
    return translated


@contextmanager
def _in_language(command: click.Command, ctx: click.Context, lang: str) -> Iterator[None]:
    """The command's help texts, its options' and its subcommands' in ``lang`` while the help is written."""
    commands = [command, *getattr(command, "commands", {}).values()]
    saved = [(c, c.help, c.short_help) for c in commands]
    params = [(p, p.help) for p in command.get_params(ctx) if hasattr(p, "help")]
    words = (click.core._, click.formatting._)
    try:
        for c in commands:
            c.help, c.short_help = _translate(c.help, lang), _translate(c.short_help, lang)
        for p, help_text in params:
            p.help = _translate(help_text, lang)
        click.core._ = click.formatting._ = _click_words(lang)
        yield
    finally:
        for c, help_text, short in saved:
            c.help, c.short_help = help_text, short
        for p, help_text in params:
            p.help = help_text
        click.core._, click.formatting._ = words


class HelpInLanguage:
    """A click command whose help page is in the run's language."""

    def get_help(self, ctx: click.Context) -> str:
        lang = chosen_lang(ctx)
        if lang == "en":
            return super().get_help(ctx)
        with _in_language(self, ctx, lang):
            return super().get_help(ctx)


class Command(HelpInLanguage, click.Command):
    """A clausewise command (``@click.command(cls=Command)``)."""


class Group(HelpInLanguage, click.Group):
    """The clausewise group: its help lists the commands in the run's language."""
