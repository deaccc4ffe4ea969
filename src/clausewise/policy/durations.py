"""Why a text is not a duration, in words an officer can act on.

:meth:`clausewise.model.Duration.parse` reads a duration or gives None; this
module says what was wrong with one it could not read — a misspelt unit (with
the unit it most likely meant), a negative amount, an ISO 8601 duration such as
``P1D``, working months, a part of a day counted in days, a qualifier other than
``elapsed`` after days (``5 working days by the clock``) — so a duration
parameter, a goal and a goal's map say the same thing about the same mistake;
and why one it could read is too long (:func:`too_long`).
"""

from __future__ import annotations

import re

from ..errors import did_you_mean
from ..i18n import N_, Message, msg
from ..model import Duration
from ..wording import duration_words

EXAMPLES = N_("write e.g. 24h, 30m, 7 days, 3 working days, 4 working hours or 24小时, 3个工作日")
ELAPSED = "elapsed"
# The units a misspelt one is matched against (the short forms are too short to guess from).
UNITS = ("seconds", "minutes", "hours", "days", "weeks", "months", "years", "working days", "working hours",
         "working minutes",
         "秒", "分钟", "小时", "天", "日", "周", "个月", "年", "个工作日", "工作日", "工作小时", "工作分钟")
_AMOUNT_UNIT = re.compile(r"^\s*(?P<sign>[-+]?)\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<working>working\s+)?(?P<unit>.*?)\s*$",
                          re.IGNORECASE)
_ISO = re.compile(r"^P(?:(?P<date>\d+)(?P<dunit>[YMWD])|T(?P<time>\d+)(?P<tunit>[HMS]))$", re.IGNORECASE)
_ISO_WORDS = {"Y": "years", "M": "months", "W": "weeks", "D": "days"}
_ISO_TIME_WORDS = {"H": "hours", "M": "minutes", "S": "seconds"}
# Units counted in days (whole days unless "elapsed"), English and Chinese.
_DAY_UNITS = {"d", "day", "days", "w", "week", "weeks", "天", "日", "自然日", "个自然日", "周", "星期", "个星期",
              "工作日", "个工作日"}
# Units that only count whole amounts, and never working time.
_LONG = {"w", "week", "weeks", "month", "months", "y", "year", "years", "个月", "月", "年", "周"}


# The longest duration clausewise accepts: 100 years of its unit, far past any deadline or interval a regulation
# sets. By basis (``Duration.basis``): the most ``Duration.amount`` may be, and how the policy grammar writes it.
# The engine's arithmetic overflows well beyond (days as 32-bit integers, 10^12 seconds in a DECIMAL(18,6),
# microseconds in 64 bits, timestamps after the year 294246); 100 years is 3.2e15 microseconds, under 2^53, so
# a whole number of them is exact even in a DOUBLE.
LONGEST_YEARS = 100
_DAYS = 365 * LONGEST_YEARS
_SECONDS = 86_400 * _DAYS
LONGEST = {
    "months": (12 * LONGEST_YEARS, f"{12 * LONGEST_YEARS} months"),
    "days": (_DAYS, f"{_DAYS} days"),
    "working_days": (_DAYS, f"{_DAYS} working days"),
    "working_days_elapsed": (_DAYS, f"{_DAYS} working days elapsed"),
    "calendar": (_SECONDS, f"{_SECONDS // 3600} hours"),
    "working_hours": (_SECONDS, f"{_SECONDS // 3600} working hours"),
}


def too_long(duration: Duration) -> Message | None:
    """Why ``duration`` is too long to count with, or None: it is longer than :data:`LONGEST` of its unit.

    One sentence naming the longest accepted in the duration's own unit
    (``36500 days``, ``876000 working hours``, ``1200 months``), a catalogue
    message (``clausewise.i18n``) whose duration Chinese writes in words.
    """
    most, written = LONGEST[duration.basis]
    if duration.amount <= most:
        return None
    return msg('"{written}" is too long: the longest duration clausewise counts is {years} years ({longest})',
               written=duration.text, years=LONGEST_YEARS, longest=_DurationText(written))


class _DurationText(Message):
    """A duration in the policy grammar (``36500 days``), written in words in another language (``36500 天``)."""

    def render(self, lang: str) -> str:
        return duration_words(str.__str__(self), lang)

    def __reduce__(self):
        return (_DurationText, (str.__str__(self),))


def duration_problem(text: object) -> Message:
    """What is wrong with ``text``, which ``Duration.parse`` refused: one sentence, starting with the text quoted.

    A catalogue message (``clausewise.i18n``): English as a ``str``, Chinese with ``render("zh")``.
    """
    written = str(text)
    iso = _ISO.match(written.strip())
    if iso:
        unit = _ISO_WORDS[iso["dunit"].upper()] if iso["dunit"] else _ISO_TIME_WORDS[iso["tunit"].upper()]
        amount = iso["date"] or iso["time"]
        unit = unit[:-1] if amount == "1" else unit
        return msg('"{written}" is an ISO 8601 duration, which clausewise does not read: write "{meant}"',
                   written=written, meant=f"{amount} {unit}")
    if re.match(r"^P[\dT]", written.strip(), re.IGNORECASE):
        return msg('"{written}" is an ISO 8601 duration, which clausewise does not read; {examples}', written=written,
                   examples=EXAMPLES)
    parts = _AMOUNT_UNIT.match(written)
    if parts is None:
        return msg('"{written}" is not a duration; {examples}', written=written, examples=EXAMPLES)
    if parts["sign"] == "-":
        return msg('"{written}" is not a duration: the time allowed cannot be negative', written=written)
    unit, working = parts["unit"].lower(), bool(parts["working"])
    head, _, tail = unit.partition(" ")
    if head in _DAY_UNITS and tail:
        # "5 working days by the clock", "7 days elapsd": the hour reading is written "elapsed".
        meant = f'{parts["n"]} {"working " if working else ""}{head} {ELAPSED}'
        return msg('"{written}" is not a duration — did you mean "{meant}"? Days are counted as days '
                   '(the start\'s day not counted); "{elapsed}" counts them as hours', written=written, meant=meant,
                   elapsed=ELAPSED)
    if head in _DAY_UNITS and not float(parts["n"]).is_integer():
        return msg('"{written}" is not a duration: days are counted whole; for a part of a day write {instead}',
                   written=written, instead=_part_of_a_day(parts["n"], head, working))
    if not unit:
        return msg('"{written}" is not a duration: give a unit, e.g. {n}h or {n} days', written=written, n=parts["n"])
    if working and unit in _LONG:
        return msg('"{written}" is not a duration: working time is counted in working days, hours or minutes',
                   written=written)
    if unit in _LONG:
        return msg('"{written}" is not a duration: months and years are counted whole (write e.g. 1 month or '
                   '30 days)', written=written)
    hint = "" if any(c.isdigit() for c in unit) else did_you_mean(unit, UNITS)
    if not hint:
        return msg('"{written}" is not a duration; {examples}', written=written, examples=EXAMPLES)
    meant = ("working " if working else "") + hint.split('"')[1]
    if meant.isascii():
        meant = " " + (meant[:-1] if parts["n"] == "1" else meant)
    return msg('"{written}" is not a duration — did you mean "{meant}"?', written=written, meant=f'{parts["n"]}{meant}')


def _part_of_a_day(n: str, head: str, working: bool) -> Message:
    """How to write ``n`` (not whole) days of unit ``head`` instead: in hours, or with "elapsed"."""
    hours = f'{float(n) * (7 if head in ("w", "week", "weeks", "周", "星期", "个星期") else 1) * 24:g}'
    if "工作" in head:
        return msg('working hours, e.g. "{example}"', example="4个工作小时")
    if not head.isascii():
        return msg('hours, e.g. "{example}"', example=f"{hours}小时")
    if working:
        return msg('working hours, or "{example}"', example=f"{n} working {head} {ELAPSED}")
    return msg('hours ("{hours}h"), or "{example}"', hours=hours, example=f"{n} {head} {ELAPSED}")
