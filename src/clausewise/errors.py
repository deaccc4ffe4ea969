"""Exceptions that tell a person where the problem is and what was expected.

Every error clausewise raises is a :class:`ClauseWiseError` carrying a
:class:`Location`: a rule or policy file with line and column, or an export file
with row and column. ``str(error)`` is the one line a user sees, for example::

    rules/ops/inquiries.yaml:14:11: unknown field "replyed_at" in dataset "inquiries" — did you mean "replied_at"?

Loading and validation collect every problem before stopping, so an officer fixes
a file in one pass; :class:`ErrorList` carries them and prints at most
``ErrorList.shown`` of them, then "… and N more".

A message is English text; one made with :func:`clausewise.i18n.msg` also
keeps its template and values, and ``error.render("zh")`` writes the line in
Chinese from the message catalogue (the English line is ``str(error)``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from .i18n import NC_, msg, render


@dataclass(frozen=True)
class Location:
    """Where a problem is: file plus line/column (1-based), or export row/column."""

    file: str
    line: int | None = None
    column: int | None = None
    row: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        if self.row is not None or self.field is not None:
            parts = [self.file]
            if self.row is not None:
                parts.append(f"row {self.row}")
            if self.field is not None:
                parts.append(f'column "{self.field}"')
            return ", ".join(parts)
        if self.line is None:
            return self.file
        if self.column is None:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.column}"

    def render(self, lang: str) -> str:
        """The place in ``lang``: a file's line and column as they are, an export's row and column in words."""
        if lang == "en" or (self.row is None and self.field is None):
            return str(self)
        parts = [self.file]
        if self.row is not None:
            parts.append(msg("row {row}", row=self.row).render(lang))
        if self.field is not None:
            parts.append(msg('column "{field}"', field=self.field).render(lang))
        return NC_("list", ", ").render(lang).join(parts)


class ClauseWiseError(Exception):
    """Root of every error clausewise reports to a user."""

    def __init__(self, message: str, location: Location | None = None):
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message

    def render(self, lang: str) -> str:
        """The one line in ``lang`` (``str(error)`` in English); a message made with ``msg`` is translated."""
        if lang == "en":
            return str(self)
        if self.location is None:
            return render(self.message, lang)
        return msg("{location}: {message}", location=self.location.render(lang),
                   message=render(self.message, lang)).render(lang)

    def sort_key(self) -> tuple:
        loc = self.location
        if loc is None:
            return ("", 0, 0, self.message)
        return (loc.file, loc.line or loc.row or 0, loc.column or 0, self.message)


class PolicyError(ClauseWiseError):
    """A policy or rule file is malformed or means something impossible."""


class DataError(ClauseWiseError):
    """An export cannot be read: missing file or column, unreadable encoding, broken CSV."""


class UsageError(ClauseWiseError):
    """The caller asked for something that does not exist (a rule id, a format)."""


class MissingExtra(UsageError, ImportError):
    """An optional package a call needs is not installed; the message names the extra that installs it.

    An ImportError too, so ``except ImportError`` catches it as it would the
    package's own.
    """


class ErrorList(ClauseWiseError):
    """Several problems found in one pass, reported together."""

    shown = 20

    def __init__(self, errors: Iterable[ClauseWiseError]):
        self.errors = sorted(errors, key=ClauseWiseError.sort_key)
        super().__init__(self._render())

    def _render(self, lang: str = "en") -> str:
        lines = [e.render(lang) for e in self.errors[: self.shown]]
        hidden = len(self.errors) - self.shown
        if hidden > 0:
            lines.append(msg("… and {hidden} more", hidden=hidden).render(lang))
        return "\n".join(lines)

    def render(self, lang: str) -> str:
        return self._render(lang)

    def __str__(self) -> str:
        return self.message


class Collector:
    """Gathers errors during a pass; ``raise_if_any`` stops once the pass is done.

    A problem is kept once: the same message at the same place, found again
    (a map parameter read by two rules), is not repeated.
    """

    def __init__(self) -> None:
        self.errors: list[ClauseWiseError] = []
        self._seen: set[str] = set()

    def add(self, error: ClauseWiseError) -> None:
        for one in error.errors if isinstance(error, ErrorList) else [error]:
            if str(one) not in self._seen:
                self._seen.add(str(one))
                self.errors.append(one)

    def error(self, message: str, location: Location | None = None) -> None:
        self.add(PolicyError(message, location))

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise ErrorList(self.errors)


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """A ' — did you mean "x"?' suffix for a misspelt name (a Message, so it is translated inside one), or ''."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return msg(' — did you mean "{name}"?', name=close[0]) if close else ""
