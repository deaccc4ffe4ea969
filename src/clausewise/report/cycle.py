"""What every report says about the monthly cycle: waivers, the baseline run, new and resolved findings.

The sentences live here, in both languages, so that the table, Markdown,
HTML, JUnit, SARIF and GitHub reports say the same thing: how many findings
were waived and by which waivers, which waivers have expired or matched
nothing, and what changed since the recorded run the audit was compared with.
"""

from __future__ import annotations

from ..i18n import N_, Words
from ..model import Finding, RunResult, WaiverUse
from .words import count

_WORDS = Words({
    "waived": N_("{findings} waived: {by}"),
    "none_waived": N_("no finding waived"),
    "by": N_("{id} ({n})"), "sep": N_(", "),
    "expired": N_("expired waiver {id} (last day {expires}, approved by {approved_by}): it waives nothing now; "
               "it matches {findings}"),
    "unused": N_("unused waiver {id} (approved by {approved_by}): it matches no finding; remove or correct it"),
    "compared": N_("compared with run {run} (as of {as_of}): {new} new, {persisting} persisting, {resolved} resolved"),
    "first": N_("no earlier run of this policy recorded: {findings}, all new"),
    "fail_on_new": N_("only new findings fail the run (--fail-on-new)"),
    "recorded": N_("recorded as run {run}"),
    "waived_by": N_("waived by {id}: {reason} ({approved_by}{reference}, until {expires})"),
    "states": {"new": N_("new"), "persisting": N_("persisting"), "resolved": N_("resolved")},
})


def words(result: RunResult) -> dict:
    return _WORDS[result.lang]


def waived_line(result: RunResult) -> str | None:
    """``5 findings waived: W-1 (3), W-2 (2)``; None when the run had no waivers."""
    if not result.waivers:
        return None
    w = words(result)
    used = [use for use in result.waivers if use.waived]
    if not used:
        return w["none_waived"]
    by = w["sep"].join(w["by"].format(id=use.waiver.id, n=use.waived) for use in used)
    n = sum(use.waived for use in used)
    return w["waived"].format(n=n, findings=count(n, "finding", result.lang), by=by)


def notice(result: RunResult, use: WaiverUse) -> str:
    """The sentence about an expired or unused waiver."""
    w = words(result)
    waiver = use.waiver
    return w[use.state].format(id=waiver.id, expires=waiver.expires.isoformat(), approved_by=waiver.approved_by,
                               n=use.matched, findings=count(use.matched, "finding", result.lang))


def notices(result: RunResult) -> list[str]:
    """One sentence for each expired or unused waiver, in file order."""
    return [notice(result, use) for use in result.waiver_notices()]


def baseline_line(result: RunResult) -> str | None:
    """What changed since the baseline run; None when the audit was not compared with one."""
    base = result.baseline
    if base is None:
        return None
    w = words(result)
    totals = base.totals()
    if base.run_id is None:
        text = w["first"].format(findings=count(totals["new"], "finding", result.lang), **totals)
    else:
        text = w["compared"].format(run=base.run_id, as_of=base.as_of.isoformat(sep=" "), **totals)
    return text + ("; " + w["fail_on_new"] if result.fail_on_new else "")


def recorded_line(result: RunResult) -> str | None:
    return None if result.recorded_as is None else words(result)["recorded"].format(run=result.recorded_as)


def lines(result: RunResult) -> list[str]:
    """Every sentence about the cycle that applies to this run, in reading order."""
    return [line for line in (baseline_line(result), waived_line(result), *notices(result), recorded_line(result))
            if line]


def waiver_note(result: RunResult, f: Finding) -> str | None:
    """``waived by W-1: reason (approver, reference, until 2026-12-31)`` for a waived finding, else None."""
    waiver = f.waiver
    if waiver is None:
        return None
    reference = f", {waiver['reference']}" if waiver.get("reference") else ""
    return words(result)["waived_by"].format(id=waiver["id"], reason=waiver["reason"],
                                            approved_by=waiver["approved_by"], reference=reference,
                                            expires=waiver["expires"])


def state_word(result: RunResult, state: str | None) -> str:
    return words(result)["states"].get(state, "") if state else ""
