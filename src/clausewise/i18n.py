"""One message catalogue for every text a user reads, in English and Chinese.

Texts are written in English where they are used; the English text is the
gettext msgid. Their Chinese is in ``locale/zh/LC_MESSAGES/clausewise.po``
(GNU gettext, edited by people and by Babel's ``pybabel extract`` and
``update``), compiled to ``clausewise.mo`` beside it and read at run time with
the standard library's :mod:`gettext`, so a command starts without parsing
the catalogue. ``tests/test_i18n.py`` fails when a marked text has no Chinese,
when a Chinese text's placeholders differ from its English one's, or when
the compiled file is older than the PO file (docs/extending.md, "Messages").

Texts are marked in one of three ways, which ``pybabel extract`` finds by
name:

- ``N_("Findings: {counts}")``: a template, written out later with
  ``.format`` (a writer's word table, a ``--help`` text);
  ``NC_("watch", "stopped")`` when one English text needs two Chinese ones;
- ``NP_("{n} violation", "{n} violations")``: a text with a plural (Chinese
  has one form);
- ``msg('unknown key "{key}"', key=key)``: a text with its values, as an
  error carries its message. It is a :class:`Message`, a ``str`` holding
  the English text (so an English line is the same bytes as before), that
  also keeps its template and values and writes itself in another language
  with :meth:`Message.render`. A value that is itself a Message (a "did you
  mean" hint) is written in the same language.

A table of marked texts wrapped in :class:`Words` gives ``words["zh"]``, the
same table in Chinese. This module sits below every other (it imports only
the standard library): errors, the engine and the reports all use it.
"""

from __future__ import annotations

import errno
import gettext as _gettext
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

LOCALE = Path(__file__).resolve().parent / "locale"
DOMAIN = "clausewise"
# The languages of every text: English is the msgid itself, Chinese comes from the catalogue.
LANGUAGES = ("zh", "en")
# gettext's separator between a msgctxt and its msgid in a compiled catalogue.
_CONTEXT_GLUE = "\x04"


@cache
def catalogue(lang: str) -> _gettext.NullTranslations:
    """The compiled catalogue of ``lang`` (English: none, each text is its own msgid)."""
    if lang == "en":
        return _gettext.NullTranslations()
    path = LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
    with path.open("rb") as file:
        return _gettext.GNUTranslations(file)


def gettext(msgid: str, lang: str, context: str | None = None) -> str:
    """``msgid`` (English) in ``lang``; the English itself when the catalogue lacks it."""
    if lang == "en":
        return msgid
    if context is None:
        return catalogue(lang).gettext(msgid)
    return catalogue(lang).pgettext(context, msgid)


def ngettext(singular: str, plural: str, n: int, lang: str) -> str:
    """The form of a counted text for ``n`` in ``lang`` (English: singular for 1, else plural)."""
    return catalogue(lang).ngettext(singular, plural, n)


class Message(str):
    """An English text that can be written in another language: a template, its values, and its context.

    ``str(message)`` is the English text, with the values put in when there
    are any (``msg``), or the template as written (``N_``), which a writer
    fills in later with ``.format``.
    """

    template: str
    params: Mapping[str, Any] | None
    context: str | None

    def __new__(cls, template: str, params: Mapping[str, Any] | None = None, context: str | None = None) -> Message:
        text = template if params is None else template.format(**params)
        self = super().__new__(cls, text)
        self.template, self.params, self.context = template, params, context
        return self

    def render(self, lang: str) -> str:
        """The text in ``lang``: the template from the catalogue, each value written in ``lang`` too."""
        if lang == "en":
            return str.__str__(self)
        template = gettext(self.template, lang, self.context)
        if self.params is None:
            return template
        return template.format(**{name: render(value, lang) for name, value in self.params.items()})

    def __reduce__(self):
        return (Message, (self.template, self.params, self.context))


class Listed(Message):
    """Items written as a list: ``a, b, c`` in English, joined the way ``lang`` joins a list (``a、b、c``)."""

    def __new__(cls, items) -> Listed:
        items = tuple(items)
        self = Message.__new__(cls, ", ".join(str(i) for i in items))
        self.items = items
        return self

    def render(self, lang: str) -> str:
        """The items, each rendered in ``lang``, joined with ``lang``'s list separator."""
        if lang == "en":
            return str.__str__(self)
        return NC_("enumeration", ", ").render(lang).join(str(render(item, lang)) for item in self.items)

    def __reduce__(self):
        return (Listed, (self.items,))


class Plural:
    """A counted text: English singular and plural (marked with ``NP_``)."""

    def __init__(self, singular: str, plural: str):
        self.singular, self.plural = singular, plural

    def render(self, n: int, lang: str) -> str:
        """The form for ``n`` in ``lang``, ``{n}`` filled in."""
        return ngettext(self.singular, self.plural, n, lang).format(n=n)


def N_(msgid: str) -> Message:
    """Mark ``msgid`` for the catalogue: a template, translated where it is shown."""
    return Message(msgid)


def NC_(context: str, msgid: str) -> Message:
    """Mark ``msgid`` with a context: the same English needs another Chinese here."""
    return Message(msgid, None, context)


def NP_(singular: str, plural: str) -> Plural:
    """Mark a counted text (``{n}`` in both forms)."""
    return Plural(singular, plural)


def msg(template: str, /, **params: Any) -> Message:
    """A text with its values: English now, another language with ``render``."""
    return Message(template, params)


def listed(items) -> Listed:
    """``items`` as a list in a message: ``a, b`` in English, ``a、b`` in Chinese."""
    return Listed(items)


def render(value: Any, lang: str) -> Any:
    """``value`` in ``lang``: a Message (or an exception raised with one) rendered, a mapping, list or tuple of them
    rendered item by item."""
    if isinstance(value, Message):
        return value.render(lang)
    if isinstance(value, BaseException) and len(value.args) == 1 and isinstance(value.args[0], Message):
        return value.args[0].render(lang)  # an exception raised with a Message says it in the language
    if isinstance(value, Mapping):
        return {key: render(item, lang) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(render(item, lang) for item in value)
    return value


class Words:
    """A word table of marked texts; ``words[lang]`` is the table in ``lang`` (computed once a language)."""

    def __init__(self, table: Mapping[str, Any]):
        self.table = table
        self._by_lang: dict[str, Any] = {}

    def __getitem__(self, lang: str) -> Any:
        if lang not in LANGUAGES:
            raise KeyError(lang)
        if lang not in self._by_lang:
            self._by_lang[lang] = render(self.table, lang)
        return self._by_lang[lang]


# What an operating-system error means, in the catalogue's words (the system's own words are English only).
_OS_REASONS = {
    errno.ENOENT: N_("no such file or folder"),
    errno.EACCES: N_("permission denied"),
    errno.EPERM: N_("not permitted"),
    errno.EISDIR: N_("it is a folder"),
    errno.ENOTDIR: N_("a part of the path is not a folder"),
    errno.ENOSPC: N_("no space left on the disk"),
    errno.EDQUOT: N_("disk quota exceeded"),
    errno.EROFS: N_("the file system is read-only"),
    errno.EEXIST: N_("it exists already"),
    errno.ENAMETOOLONG: N_("the name is too long"),
    errno.ELOOP: N_("too many symbolic links in the path"),
    errno.EBUSY: N_("the file is busy"),
    errno.EIO: N_("input/output error"),
    errno.EMFILE: N_("too many open files"),
}


def os_reason(exc: OSError) -> Message | str:
    """Why ``exc`` happened, to be shown in a message: the catalogue's words for the usual errors (ENOENT,
    EACCES, ENOSPC, …), so that ``--lang zh`` says them in Chinese; the system's own words, lower-cased,
    for a rare one; the exception's name when it carries no error number."""
    said = _OS_REASONS.get(exc.errno) if exc.errno is not None else None
    if said is not None:
        return said
    return (exc.strerror or str(exc) or type(exc).__name__).lower()


# How Babel finds the marked texts (``pybabel extract --no-default-keywords -k N_ -k NC_:1c,2 -k NP_:1,2 -k msg``).
KEYWORDS = {"N_": None, "NC_": ((1, "c"), 2), "NP_": (1, 2), "msg": None}
