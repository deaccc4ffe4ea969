"""Why a text is not a duration, in words an officer can act on.

:meth:`clausewise.model.Duration.parse` reads a duration or gives None; this
module says what was wrong with one it could not read — a misspelt unit (with
the unit it most likely meant), a negative amount, an ISO 8601 duration such as
``P1D``, working months, a part of a day counted in days, a qualifier other than
``elapsed`` after days (``5 working days by the clock``) — so a duration
parameter, a goal and a goal's map say the same thing about the same mistake.
"""

from __future__ import annotations

import re

from ..errors import did_you_mean

EXAMPLES = "write e.g. 24h, 30m, 7 days, 3 working days, 4 working hours or 24小时, 3个工作日"
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


def duration_problem(text: object) -> str:
    """What is wrong with ``text``, which ``Duration.parse`` refused: one sentence, starting with the text quoted."""
    written = str(text)
    iso = _ISO.match(written.strip())
    if iso:
        unit = _ISO_WORDS[iso["dunit"].upper()] if iso["dunit"] else _ISO_TIME_WORDS[iso["tunit"].upper()]
        amount = iso["date"] or iso["time"]
        unit = unit[:-1] if amount == "1" else unit
        return f'"{written}" is an ISO 8601 duration, which clausewise does not read: write "{amount} {unit}"'
    if re.match(r"^P[\dT]", written.strip(), re.IGNORECASE):
        return f'"{written}" is an ISO 8601 duration, which clausewise does not read; {EXAMPLES}'
    parts = _AMOUNT_UNIT.match(written)
    if parts is None:
        return f'"{written}" is not a duration; {EXAMPLES}'
    if parts["sign"] == "-":
        return f'"{written}" is not a duration: the time allowed cannot be negative'
    unit, working = parts["unit"].lower(), bool(parts["working"])
    head, _, tail = unit.partition(" ")
    if head in _DAY_UNITS and tail:
        # "5 working days by the clock", "7 days elapsd": the hour reading is written "elapsed".
        meant = f'{parts["n"]} {"working " if working else ""}{head} {ELAPSED}'
        return (f'"{written}" is not a duration — did you mean "{meant}"? Days are counted as days '
                f'(the start\'s day not counted); "{ELAPSED}" counts them as hours')
    if head in _DAY_UNITS and not float(parts["n"]).is_integer():
        hours = f'{float(parts["n"]) * (7 if head in ("w", "week", "weeks", "周", "星期", "个星期") else 1) * 24:g}'
        if "工作" in head:
            instead = 'working hours, e.g. "4个工作小时"'
        elif not head.isascii():
            instead = f'hours, e.g. "{hours}小时"'
        elif working:
            instead = f'working hours, or "{parts["n"]} working {head} {ELAPSED}"'
        else:
            instead = f'hours ("{hours}h"), or "{parts["n"]} {head} {ELAPSED}"'
        return f'"{written}" is not a duration: days are counted whole; for a part of a day write {instead}'
    if not unit:
        return f'"{written}" is not a duration: give a unit, e.g. {parts["n"]}h or {parts["n"]} days'
    if working and unit in _LONG:
        return f'"{written}" is not a duration: working time is counted in working days, hours or minutes'
    if unit in _LONG:
        return f'"{written}" is not a duration: months and years are counted whole (write e.g. 1 month or 30 days)'
    hint = "" if any(c.isdigit() for c in unit) else did_you_mean(unit, UNITS)
    if not hint:
        return f'"{written}" is not a duration; {EXAMPLES}'
    meant = ("working " if working else "") + hint.split('"')[1]
    if meant.isascii():
        meant = " " + (meant[:-1] if parts["n"] == "1" else meant)
    return f'"{written}" is not a duration — did you mean "{parts["n"]}{meant}"?'
