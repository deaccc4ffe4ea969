"""Compile a policy's rules into SQL statements, checking everything on the way.

Each rule becomes one ``INSERT INTO __findings SELECT …`` over its dataset's
table, built from the :class:`~.kinds.base.Check` its kind returns, plus a
boolean "examined" expression counted per dataset in one pass. Message
templates compile to SQL string concatenation, so findings arrive from DuckDB
with their message already written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from ..errors import Collector, PolicyError, did_you_mean
from ..i18n import N_, NC_, Words, listed, msg
from ..model import LANGS, Dataset, Policy, Rule
from ..wording import DURATION_NAMES, parameter_words
from . import periods
from .calendar import CalendarSQL
from .conditions import compile_value
from .convert import shown
from .durations import duration_words_sql
from .kinds import KINDS
from .kinds.base import Check, CompileContext, sql
from .sqltext import filled, ident, string, strings

FINDINGS_TABLE = "__findings"
FINDINGS_DDL = (
    f"CREATE TABLE {FINDINGS_TABLE} (rule VARCHAR, row BIGINT, key VARCHAR, grp VARCHAR, "
    "status VARCHAR, evidence VARCHAR, due_at TIMESTAMP, message VARCHAR)"
)
RESERVED_RULE = "data-quality"


@dataclass(frozen=True)
class CompiledRule:
    """One rule as SQL, compiled once for every audit.

    ``columns`` is the finding rows without their message (SQL up to the
    message column) and ``source`` their FROM … WHERE; ``messages`` the
    message expression per language; ``scope_sql`` a condition over the
    rule's table (:attr:`table_sql`) counting the records the rule looked at.
    ``unread`` names the fields whose unreadable value leaves a record
    unjudged, ``when_unread`` those of them its ``when`` reads (an unreadable
    one leaves the record's scope undecided); ``per`` the period the rule is
    judged once for (``month``).
    """

    rule: Rule
    check: Check
    columns: str
    source: str
    messages: dict[str, str]
    scope_sql: str
    unread: tuple[str, ...] = ()
    when_sql: str = "TRUE"
    per: str | None = None
    when_unread: tuple[str, ...] = ()

    @property
    def table_sql(self) -> str:
        """The rule's dataset as the rule sees it: each record once, or once per period judged (``per``)."""
        table = ident(self.rule.dataset)
        if self.per is None:
            return table
        return f"(SELECT __d.*, __u.* FROM {table} AS __d CROSS JOIN ({periods.units_sql(self.per)}) AS __u) AS {table}"

    @property
    def judged_sql(self) -> str:
        """A record of the dataset can be judged: none of the fields this rule needs is unreadable."""
        if not self.unread:
            return "TRUE"
        return f"(__unread IS NULL OR NOT list_has_any(__unread, [{strings(self.unread)}]))"

    @property
    def examined_sql(self) -> str:
        """The records the rule looked at: in its scope, and judged."""
        return self.scope_sql if not self.unread else f"({self.scope_sql}) AND {self.judged_sql}"

    @property
    def unjudged_sql(self) -> str:
        """The records the rule could not judge, a value it needs being unreadable: those in its scope (its
        ``when``), and those whose scope is undecided because a field the ``when`` reads is unreadable."""
        if not self.unread:
            return "FALSE"
        scope = self.when_sql
        if self.when_unread:
            scope = f"({scope} OR list_has_any(__unread, [{strings(self.when_unread)}]))"
        return f"{scope} AND NOT {self.judged_sql}"

    @property
    def judged_table_sql(self) -> str:
        """The records of the rule's table (:attr:`table_sql`) the rule can judge, as a subquery."""
        return f"(SELECT * FROM {self.table_sql} WHERE {self.judged_sql})"

    def over_judged(self, select: str) -> str:
        """``select`` with the rule's dataset name standing for the records the rule can judge only.

        The audit reads its findings this way (:meth:`select_sql`); anything
        that recomputes a rule's figures (``explain``) must too, or it counts
        records the audit left out as unjudged.
        """
        if not self.unread and self.per is None:
            return select
        return f"WITH {ident(self.rule.dataset)} AS {self.judged_table_sql} {select}"

    def select_sql(self, lang: str) -> str:
        """``SELECT`` of this rule's findings with messages in ``lang``.

        When the rule needs fields that may be unreadable, its dataset's name
        stands, inside the statement, for the records it can judge only.
        """
        return self.over_judged(f"SELECT {self.columns}, {self.messages[lang]} {self.source}")

    def insert_sql(self, lang: str) -> str:
        return f"INSERT INTO {FINDINGS_TABLE} {self.select_sql(lang)}"

    @property
    def period_unit(self) -> str | None:
        """The calendar unit the rule is judged per (``per: month``, an aggregate's ``period``), else None."""
        spec = self.rule.spec  # a kind's typed Spec (mapping-like) or, for a rule that failed to compile, a dict
        return self.per or ((spec.get("period") or {}).get("unit") if hasattr(spec, "get") else None)

    def not_evaluated_sql(self, lang: str) -> str:
        """``INSERT … RETURNING rule`` of the rule's "not evaluated" finding (:meth:`not_evaluated_select`)."""
        return f"INSERT INTO {FINDINGS_TABLE} {self.not_evaluated_select(lang)} RETURNING rule"

    def not_evaluated_select(self, lang: str) -> str:
        """``SELECT`` of the rule's "not evaluated" finding, when it judged no record and could not judge some.

        A rule whose every record in scope has an unreadable value it needs
        examined nothing, though there was something to examine: a run that
        passed it would pass on data it never read. It gets one ``invalid``
        finding (no key, no row) at its own severity, so that the exit code,
        the verdict and the scorecard count it as they count a failing
        finding; its evidence holds ``not_evaluated: true``, the number of
        records left ``unjudged`` and the ``unreadable`` fields. A rule judged
        per period none of whose periods has been judged yet (all not ended
        at the as-of time) is not judged yet, not "not evaluated": it gets
        nothing. One aggregate over the rule's table (:attr:`table_sql`).
        """
        fields = f"list_sort(list_distinct(flatten(list(list_intersect(__unread, [{strings(self.unread)}])) " \
                 f"FILTER (WHERE {self.unjudged_sql}))))"
        evidence = "CAST(json_object('not_evaluated', TRUE, 'unjudged', u, 'unreadable', f) AS VARCHAR)"
        counts = (f"SELECT count(*) FILTER (WHERE {self.examined_sql}) AS e, count(DISTINCT __row) FILTER "
                  f"(WHERE {self.unjudged_sql}) AS u, {fields} AS f FROM {self.table_sql}")
        unit = self.period_unit
        judged = f" AND array_length({periods.judged_sql(unit)}) > 0" if unit else ""  # (Spark: size, not length)
        return (f"SELECT {string(self.rule.id)} AS rule, NULL, NULL, NULL, 'invalid', {evidence}, "
                f"NULL, {_not_evaluated(lang)} FROM ({counts}) WHERE e = 0 AND u > 0{judged}")


def not_evaluated_warning(rule_ids: list[str], lang: str) -> str | None:
    """The run's warning naming the rules not evaluated (``CompiledRule.not_evaluated_sql``), in ``lang``; or None."""
    if not rule_ids:
        return None
    words = _NOT_EVALUATED_WARNING[0 if len(rule_ids) == 1 else 1]
    return words.render(lang).format(rules=listed(rule_ids).render(lang))


_NOT_EVALUATED_WARNING = (
    N_("not evaluated: {rules} — every record in scope had an unreadable value it needs (see the data-quality "
       "findings); each counts as an invalid finding at its rule's severity"),
    N_("not evaluated: {rules} — every record in scope had an unreadable value they need (see the data-quality "
       "findings); each counts as an invalid finding at its rule's severity"),
)


# The "not evaluated" finding's message, over ``u`` (records left unjudged) and ``f`` (the unreadable fields).
_NOT_EVALUATED = Words({
    "message": N_("not evaluated: {records} an unreadable value in {fields} (see the data-quality findings)"),
    "one": N_("the one record in the rule's scope has"),
    "all": N_("all {n} records in the rule's scope have"),
})


def _not_evaluated(lang: str) -> str:
    """SQL of the "not evaluated" finding's message in ``lang``."""
    w = _NOT_EVALUATED[lang]
    records = f"CASE WHEN u = 1 THEN {filled(w['one'], {})} ELSE {filled(w['all'], {'n': 'CAST(u AS VARCHAR)'})} END"
    separator = NC_("enumeration", ", ").render(lang)
    fields = f"array_to_string(f, {string(separator)})"
    return filled(w["message"], {"records": records, "fields": fields})


def compile_policy(
    policy: Policy,
    errors: Collector | None = None,
    calendar: CalendarSQL | None = None,
    refers: dict[str, dict[str, set[str]]] | None = None,
    compiled: Callable[[CompiledRule], None] | None = None,
    working: list[Rule] | None = None,
) -> list[CompiledRule]:
    """Every rule of the policy as SQL, with messages in every language.

    ``refers`` is what each computed column is computed from (``DerivePlan.refers``).
    Problems go to ``errors`` when given; otherwise they are raised together.
    ``compiled`` is called with each rule as soon as it has compiled (the
    load's check binds it meanwhile). ``working`` collects the rules that
    count working time, those with other problems too (so that a calendar
    without working time is reported with them, every mistake at once).
    """
    raise_here = errors is None
    errors = Collector() if raise_here else errors
    out = []
    for rule in policy.rules:
        if rule.id == RESERVED_RULE:
            errors.error(msg('"{reserved_rule}" is reserved for data-quality findings; choose another id',
                             reserved_rule=RESERVED_RULE), rule.location)
            continue
        problems = Collector()  # this rule's problems: a rule with any is not compiled
        ctx = CompileContext(policy, rule, problems, calendar)
        item = compile_rule(ctx, refers)
        if ctx.working and working is not None:
            working.append(rule)
        for error in problems.errors:
            errors.add(error)
        if item is not None:
            out.append(item)
            if compiled is not None:
                compiled(item)
    if raise_here:
        errors.raise_if_any()
    return out


def compile_rule(ctx: CompileContext, refers: dict[str, dict[str, set[str]]] | None = None) -> CompiledRule | None:
    """The rule's SQL, or None when it has problems (``ctx.errors`` holds this rule's problems only).

    The message is compiled only once the rule itself compiled, so a wrong
    goal does not also make its placeholders (``{due_at}``) look unknown.
    """
    per = ctx.spec.per
    if per is not None and not _per_allowed(ctx):
        return None
    check = KINDS[ctx.rule.kind].compile(ctx)
    if check is None or ctx.errors:
        return None
    if per is not None:
        check = replace(check, group=f"CAST(to_json(struct_pack(period := __unit)) AS VARCHAR)",
                        names={**check.names, "period": "__unit"})
    refers = refers or {}
    evidence = {**check.evidence, **_user_evidence(ctx)}
    messages = _messages(ctx, check, evidence)
    if ctx.errors:
        return None
    columns, source = _select(ctx, check, evidence)
    unread = unread_fields(ctx.dataset, ctx.reads, refers)
    when, when_unread = _when(ctx, refers) if unread else ("TRUE", ())
    return CompiledRule(ctx.rule, check, columns, source, messages, check.examined_sql, unread, when, per, when_unread)


def _when(ctx: CompileContext, refers: dict[str, dict[str, set[str]]]) -> tuple[str, tuple[str, ...]]:
    """The rule's ``when`` as SQL (its scope before any value is read), and the fields it reads that may be
    unreadable (compiled apart, so that only the ``when``'s own fields are named)."""
    alone = CompileContext(ctx.policy, ctx.rule, Collector(), ctx.calendar)
    when = alone.scope_sql() or "TRUE"
    return when, unread_fields(ctx.dataset, alone.reads, refers)


def _per_allowed(ctx: CompileContext) -> bool:
    """``per:`` only on kinds that judge one record at a time, and not on a reference to its own dataset."""
    kind = KINDS[ctx.rule.kind]
    if not kind.per_period:
        allowed = ", ".join(sorted(name for name, k in KINDS.items() if k.per_period))
        ctx.error(msg('"per" is for rules of kind {allowed}; a {name} rule judges time its own way',
                      allowed=allowed, name=kind.name), "per")
        return False
    if ctx.spec.get("target") == ctx.rule.dataset:
        ctx.error('"per" cannot judge a reference from a dataset to itself', "per")
        return False
    return True


def unread_fields(dataset: Dataset, reads: set[str], refers: dict[str, dict[str, set[str]]]) -> tuple[str, ...]:
    """The export fields whose unreadable value leaves a record unjudged by a rule reading ``reads``.

    A computed column reads what it is computed from (``refers``: dataset →
    column → the fields it refers to), so a rule reading a score computed from
    an unreadable date cannot judge that record either. Text is never
    unreadable; computed datasets are judged on what their records hold.
    """
    if not dataset.exported:
        return ()
    own = refers.get(dataset.name, {})
    seen, todo = set(), list(reads)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += own.get(name, ())
    typed = {f.name for f in dataset.file_fields() if f.type != "string"}
    return tuple(sorted(seen & typed))


def _messages(ctx: CompileContext, check: Check, evidence: dict[str, str]) -> dict[str, str]:
    """The message template of each language as SQL; one template shared by two languages compiles once."""
    by_template: dict[tuple[str, str], str | None] = {}
    out = {}
    for lang in LANGS:
        template = ctx.rule.message.get(lang)
        # Durations are put in the words of the language the template is written in.
        written = lang if getattr(ctx.rule.message, lang) is not None else next(o for o in LANGS if o != lang)
        if (template, written) not in by_template:
            by_template[template, written] = _message(ctx, template, check, evidence, written)
        out[lang] = by_template[template, written]
        own = check.messages.get(lang)
        if own is not None and out[lang] is not None:  # the kind's own message where it has one
            out[lang] = f"coalesce({own}, {out[lang]})"
    return out


def _user_evidence(ctx: CompileContext) -> dict[str, str]:
    """The rule's own ``evidence:`` expressions, checked like conditions."""
    out = {}
    for name, text in (ctx.spec.get("evidence") or {}).items():
        what = msg('rule "{id}" evidence "{name}"', id=ctx.rule.id, name=name)
        tree, kind = compile_value(text, ctx.scope(), what, ctx.errors)
        if tree is not None:
            ctx.note_reads(tree)
            out[str(name)] = shown(sql(tree), kind)
    return out


def _select(ctx: CompileContext, check: Check, evidence: dict[str, str]) -> tuple[str, str]:
    """(the finding columns before the message, the FROM … WHERE … that follows it)."""
    key = check.key or ctx.key_sql()
    pairs = ", ".join(f"{string(name)}, {expr}" for name, expr in evidence.items())
    evidence_json = f"CAST(json_object({pairs}) AS VARCHAR)" if pairs else "NULL"
    source, where = check.source or ident(ctx.dataset.name), check.where
    if check.finding_columns:
        computed = ", ".join(f"{sql} AS {ident(name)}" for name, sql in check.finding_columns.items())
        rows = f"SELECT * FROM {source} WHERE {where}"
        if check.finding_calendar is not None:
            rows = check.finding_calendar.over(rows)
        source, where = f"(SELECT *, {computed} FROM ({rows})) AS {ident(ctx.dataset.name)}", "TRUE"
    columns = (f"{string(ctx.rule.id)}, {check.row}, CAST({key} AS VARCHAR), {check.group}, {check.status}, "
               f"{evidence_json}, CAST({check.due_at} AS TIMESTAMP)")
    return columns, f"FROM {source} WHERE {where}"


_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


def _message(ctx: CompileContext, template: str, check: Check, evidence: dict[str, str], lang: str) -> str | None:
    """The message template as a SQL string expression.

    ``{name}`` inserts an evidence value or a field of the record (``{key}``
    the record key, ``{due_at}`` the deadline); ``{$param}`` a parameter as
    written in the policy; ``{{`` and ``}}`` are literal braces. Durations
    (duration parameters, and the evidence ``elapsed`` and ``allowed``) are
    written as ``lang`` writes them (``clausewise.wording``).
    """
    names = _template_names(ctx, check, evidence)
    parts, pos, ok = [], 0, True
    for match in _PLACEHOLDER.finditer(template):
        parts.append(string(template[pos:match.start()]))
        pos = match.end()
        token = match.group(0)
        if token in ("{{", "}}"):
            parts.append(string(token[0]))
            continue
        name = match.group(1).strip()
        expr = _placeholder(ctx, name, names, template, match.start(), lang)
        ok = ok and expr is not None
        if expr is not None and name in DURATION_NAMES and name in evidence:
            expr = duration_words_sql(expr, lang)
        shown_sql = f"coalesce(CAST({expr} AS VARCHAR), '—')"
        if expr is not None and name in _unreadable_fields(ctx, check, evidence):
            # An unreadable value is not an empty one: a finding that shows it says so, not "—".
            shown_sql = f"CASE WHEN list_contains(__unread, {string(name)}) THEN {string(_UNREADABLE.render(lang))} ELSE {shown_sql} END"
        parts.append(shown_sql)
    parts.append(string(template[pos:]))
    return " || ".join(parts) if ok else None


_UNREADABLE = N_("(unreadable)")


def _unreadable_fields(ctx: CompileContext, check: Check, evidence: dict[str, str]) -> set[str]:
    """The record's fields a message may show that can be unreadable: typed fields of an exported dataset's file,
    in a kind's findings on one record each, unless evidence of the same name takes their place."""
    if check.key == "NULL" or not ctx.dataset.exported:
        return set()
    return {f.name for f in ctx.dataset.file_fields() if f.type != "string"} - set(evidence) - set(check.names)


def _template_names(ctx: CompileContext, check: Check, evidence: dict[str, str]) -> dict[str, str]:
    names = {}
    if check.key != "NULL":
        names.update({n: shown(ident(n), f.type) for n, f in ctx.dataset.fields.items()})
        names["key"] = check.key or ctx.key_sql()
    if check.due_at != "NULL":
        names["due_at"] = shown(check.due_at, "timestamp")
    names.update(check.names)
    names.update(evidence)
    return names


def _placeholder(ctx: CompileContext, name: str, names: dict[str, str], template: str, offset: int,
                 lang: str) -> str | None:
    if name.startswith("$"):
        param = ctx.policy.parameters.get(name[1:])
        if param is not None:
            return string(parameter_words(param.value, lang))
        known = [f"${p}" for p in ctx.policy.parameters]
        _template_error(ctx, template, offset, f'unknown parameter "{name}"{did_you_mean(name, known)}')
        return None
    if name in names:
        return names[name]
    _template_error(ctx, template, offset, f'message uses "{{{name}}}", which is not a field or evidence of this rule{did_you_mean(name, names)}')
    return None


def _template_error(ctx: CompileContext, template: str, offset: int, message: str) -> None:
    where = template.locate(offset) if hasattr(template, "locate") else ctx.rule.location
    ctx.errors.add(PolicyError(msg('rule "{id}": {message}', id=ctx.rule.id, message=message), where))
