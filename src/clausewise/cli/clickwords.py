"""click's own words in the run's language: a help page's headings and a usage error's sentence.

click writes some texts itself: ``Usage:``, ``Options``, ``[default: en]`` on
a help page, and on a mistake in the command line ``Error: Missing option
'--policy' / '-p'.`` or ``Error: No such option '--fromat'. Did you mean
'--format'?``. It marks them for gettext (``_`` and ``ngettext`` in each of its
modules); the catalogue has their Chinese, under the context ``click`` (the
plural ones without a context: they are click's alone). While a command runs
in Chinese, :func:`in_language` puts translators in the place of click's
``_`` and ``ngettext``, so what click writes is the catalogue's Chinese.

The language is known before click reads the command line
(:func:`clausewise.cli.options.lang_in`): a mistake in it is found while it
is read, before ``--lang`` is.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ..i18n import NC_, NP_, catalogue, gettext

# The texts of click's that a help page shows.
HELP_TEXTS = [
    NC_("click", "Usage:"), NC_("click", "Options"), NC_("click", "Commands"), NC_("click", "Arguments"),
    NC_("click", "Show this message and exit."), NC_("click", "Show the version and exit."),
    NC_("click", "default: {default}"), NC_("click", "env var: {var}"), NC_("click", "required"),
]
# The texts of click's that a mistake in the command line shows (click's exceptions.py, types.py, parser.py, core.py).
ERROR_TEXTS = [
    NC_("click", "Error: {message}"), NC_("click", "Try '{command} {option}' for help."),
    NC_("click", "Missing argument"), NC_("click", "Missing option"), NC_("click", "Missing parameter"),
    NC_("click", "Missing {param_type}"), NC_("click", "Missing parameter: {param_name}"),
    NC_("click", "Missing command."),
    NC_("click", "No such option {name!r}."), NC_("click", "No such command {name!r}."),
    NC_("click", "Invalid value for {param_hint}: {message}"), NC_("click", "Invalid value: {message}"),
    NC_("click", "Option {name!r} does not take a value."),
    NC_("click", "{name} {filename!r} does not exist."), NC_("click", "{name} {filename!r} is a file."),
    NC_("click", "{name} {filename!r} is a directory."), NC_("click", "{name} {filename!r} is not readable."),
    NC_("click", "{name} {filename!r} is not writable."),
    NC_("click", "{value!r} is not a valid {number_type}."), NC_("click", "{value} is not in the range {range}."),
    NC_("click", "{value!r} is not a valid boolean. Recognized values: {states}"),
    NC_("click", "Could not open file {filename!r}: {message}"), NC_("click", "Aborted!"),
]
PLURAL_TEXTS = [
    NP_("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"),
    NP_("{value!r} is not {choice}.", "{value!r} is not one of {choices}."),
    NP_("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."),
    NP_("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"),
    NP_("{value!r} does not match the format {format}.", "{value!r} does not match the formats {formats}."),
]
_HELP = frozenset(str(text) for text in HELP_TEXTS)
# What a mistake shows: the error's texts and the usage line above it. (Not the help option's "Show this message
# and exit.": click makes that option once per command and keeps it, so its text stays click's English and the
# help page translates it, ``help.py``.)
_ERRORS = frozenset([*(str(text) for text in ERROR_TEXTS), "Usage:"])
_PLURALS = {text.singular for text in PLURAL_TEXTS}
# What a path option is called in click's "{name} {filename!r} does not exist." (click names it when the option is
# declared, in English, and capitalises it): the catalogue's word for it.
_PATH_KINDS = {"File": NC_("click", "file"), "Directory": NC_("click", "directory"), "Path": NC_("click", "path")}
_PATH_TEXTS = {text for text in _ERRORS if text.startswith("{name} {filename!r}")}
# click's modules that write texts a user reads.
_MODULES = ("click.core", "click.exceptions", "click.types", "click.parser", "click.formatting", "click.decorators")
_active = ["en"]  # the language of the innermost in_language block


def active() -> str:
    """The language click's words are in now (``in_language``): what the usage line above an error is written in."""
    return _active[-1]


class _PathText(str):
    """A translated "{name} {filename!r} …" text whose ``{name}`` (click's English "File") is written in the language."""

    lang: str

    def format(self, *args, **kwargs) -> str:
        name = kwargs.get("name")
        if name in _PATH_KINDS:
            kwargs["name"] = _PATH_KINDS[name].render(self.lang)
        return super().format(*args, **kwargs)


def words(lang: str, texts: frozenset[str] = _HELP) -> Callable[[str], str]:
    """click's ``_`` in ``lang``: the catalogue's text for one of ``texts`` (click's texts of a help page, or
    :data:`_ERRORS`), any other text unchanged."""
    def translated(text: str) -> str:
        if text not in texts:
            return text
        said = gettext(text, lang, "click")
        if text in _PATH_TEXTS:
            said = _PathText(said)
            said.lang = lang
        return said
    return translated


def plural_words(lang: str) -> Callable[[str, str, int], str]:
    """click's ``ngettext`` in ``lang``: the catalogue's form for ``n`` of one of click's counted texts."""
    def translated(singular: str, plural: str, n: int) -> str:
        if singular in _PLURALS:
            return catalogue(lang).ngettext(singular, plural, n)
        return singular if n == 1 else plural
    return translated


@contextmanager
def in_language(lang: str) -> Iterator[None]:
    """click's words in ``lang`` inside the block (English: click's own); put back afterwards."""
    if lang == "en":
        yield
        return
    _active.append(lang)
    modules = [importlib.import_module(name) for name in _MODULES]
    saved = [(module, module.__dict__.get("_"), module.__dict__.get("ngettext")) for module in modules]
    try:
        for module, said, counted in saved:
            if said is not None:
                module._ = words(lang, _ERRORS)
            if counted is not None:
                module.ngettext = plural_words(lang)
        yield
    finally:
        _active.pop()
        for module, said, counted in saved:
            if said is not None:
                module._ = said
            if counted is not None:
                module.ngettext = counted
