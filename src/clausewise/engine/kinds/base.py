"""What every rule kind is, what it compiles to, and the context it compiles in.

A kind is a subclass of :class:`Kind` in a module of its own, registered by
name in ``kinds/__init__.py``. The class says everything the rest of the
engine needs to know about it: its keys (``Spec``, a typed dataclass, and
``schema``, their JSON Schema), which of them are SQL conditions, which other
datasets its rules read, the columns of its clock (for ``explain``), whether
its findings belong to a group rather than a record — and how a rule of the
kind becomes SQL (:meth:`Kind.compile`, returning a :class:`Check`). Its
docstring is the kind's section of the rule reference (docs/rules.md), with an
example the tests run.

A :class:`Check` is a set of finding rows described as SQL pieces; the planner
turns it into one ``INSERT … SELECT`` over the dataset, so every kind is
set-based by construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from sqlglot import exp

from ...errors import Collector, Location, PolicyError, did_you_mean
from ...i18n import msg
from ...model import Dataset, Duration, Policy, Rule, Spec
from ...policy.durations import duration_problem, too_long
from .. import runvars
from ..calendar import CalendarSQL
from ..conditions import UNIT_END, UNIT_START, Scope, builtin_params, compile_condition, literal
from ..sqltext import ident

EVIDENCE = {"type": "object", "additionalProperties": {"type": "string"},
            "description": "Extra values to show with each finding: name → SQL expression."}


class Kind:
    """A rule kind. Subclasses set the class attributes and implement :meth:`compile`."""

    name: ClassVar[str]
    Spec: ClassVar[type[Spec]] = Spec
    schema: ClassVar[dict[str, Any]] = {}
    # Keys holding SQL conditions over the rule's own record (true or false), and keys holding
    # SQL values over it (a clock's start), in the order ``explain`` shows them step by step.
    conditions: ClassVar[tuple[str, ...]] = ("when",)
    expressions: ClassVar[tuple[str, ...]] = ()
    # Columns of the compiled source that ``explain`` shows as the rule's clock.
    timeline: ClassVar[tuple[str, ...]] = ()
    # True when findings belong to a group of records (aggregate) rather than to one record.
    grouped: ClassVar[bool] = False
    # True when a rule of the kind may be judged once per period of the audit period (``per: month``).
    per_period: ClassVar[bool] = False

    def reads(self, spec: Spec) -> tuple[str, ...]:
        """Datasets a rule reads besides its own (a reference's target)."""
        return ()

    def compile(self, ctx: CompileContext) -> Check | None:
        """The rule as SQL, or None after reporting its problems to ``ctx``."""
        raise NotImplementedError



def span_text(start_sql: str, end_sql: str, minus_seconds: str = "0") -> str:
    """SQL text of the real time elapsed from one instant to another, as people read it: ``1 day 01:01:00``.

    Computed from the instants' microseconds, so a day on which the clocks
    change counts its 23 or 25 hours (``minus_seconds``: paused seconds to leave out).
    """
    us = f"(epoch_us({end_sql}) - epoch_us({start_sql}) - CAST(({minus_seconds}) * 1000000 AS BIGINT))"
    return f"CAST(to_days(CAST({us} // 86400000000 AS INTEGER)) + to_microseconds({us} % 86400000000) AS VARCHAR)"


def sql(node: exp.Expression | str) -> str:
    """DuckDB SQL text of a checked tree (strings are already generated SQL)."""
    return node if isinstance(node, str) else node.sql(dialect="duckdb")


@dataclass
class Check:
    """A rule as SQL: which records it examines and which of them are findings.

    ``source`` is the FROM clause (default: the dataset's table); ``examined_sql``
    is a condition over the dataset's table counting what the rule looked at;
    ``where`` selects the finding rows from ``source``; ``evidence`` names the
    values that decided each finding; ``names`` adds values that message
    templates may use besides the evidence and the record's fields;
    ``messages`` gives, per language, SQL of a message of the kind's own that
    replaces the rule's where it is not NULL (a record the kind cannot judge,
    see ``unknown_due``); ``finding_columns`` are columns computed for the
    finding rows only (after ``where``), once each, that the evidence and the
    messages may name as often as they like (a deadline's elapsed working
    time, a calendar lookup per finding), reading the lookups of
    ``finding_calendar`` when they use a calendar layer (``CalendarSQL.layer``).
    """

    where: str
    examined_sql: str = "TRUE"
    source: str | None = None
    evidence: dict[str, str] = field(default_factory=dict)
    status: str = "'violation'"
    due_at: str = "NULL"
    key: str | None = None
    row: str = '"__row"'
    group: str = "NULL"
    names: dict[str, str] = field(default_factory=dict)
    messages: dict[str, str] = field(default_factory=dict)
    finding_columns: dict[str, str] = field(default_factory=dict)
    finding_calendar: CalendarSQL | None = None
    related: Related | None = None


@dataclass(frozen=True)
class Related:
    """For ``explain``: the records of another dataset that a rule looks for (a reference's target).

    ``dataset`` is the other dataset, aliased ``__target`` in the SQL pieces;
    ``on`` is the condition pairing a record of the rule's dataset (named by
    its table) with the other's records; ``tests`` are the further conditions
    a paired record must meet to count, by the key that writes them
    (``target_when``, ``window``), each true, false or NULL; ``shown`` are the
    other record's values to show, field → SQL (as people read them);
    ``closed`` is true when the record can be judged at the as-of time (a
    window that is still open is not).
    """

    dataset: str
    on: str
    tests: dict[str, str] = field(default_factory=dict)
    shown: dict[str, str] = field(default_factory=dict)
    closed: str = "TRUE"


@dataclass
class CompileContext:
    """Everything a kind needs to compile one rule, and where to report problems."""

    policy: Policy
    rule: Rule
    errors: Collector
    calendar: CalendarSQL | None = None
    # Fields of the rule's own dataset that its SQL reads, as compiled (see ``plan.unread_fields``).
    reads: set[str] = field(default_factory=set)
    # True once the rule counts working time (a goal in working hours or working days): it needs a calendar that has some.
    working: bool = False

    @property
    def as_of_sql(self) -> str:
        """SQL for the audit's as-of time, read at run time (the rule is compiled once)."""
        return runvars.sql(runvars.AS_OF)

    @property
    def dataset(self) -> Dataset:
        return self.policy.datasets[self.rule.dataset]

    @property
    def spec(self) -> Spec:
        return self.rule.spec

    def scope(self, dataset: Dataset | None = None, aggregates: bool = False) -> Scope:
        dataset = dataset or self.dataset
        columns = {name: f.type for name, f in dataset.fields.items()}
        values = {name: f.values for name, f in dataset.fields.items() if f.type == "enum" and f.values}
        return Scope(columns, self.policy.parameters, dataset.name, aggregates, builtin_params(self.spec.per is not None),
                     values)

    def location_of(self, key: str) -> Location:
        return self.spec.location_of(key) or self.rule.location

    def error(self, message: str, key: str | None = None) -> None:
        location = self.location_of(key) if key else self.rule.location
        self.errors.add(PolicyError(msg('rule "{id}": {message}', id=self.rule.id, message=message), location))

    def value_error(self, message: str, key: str, written: Any, entry: Any = None) -> None:
        """What is wrong with the value written at ``key``, said where the value is written.

        ``written`` is what the rule writes at ``key``: a literal, reported
        at ``key`` (:meth:`error`), or ``$name``, whose parameter's value is
        then at fault: reported at that value in the policy, naming the rule
        that uses it (``entry``: the key of the map entry at fault, reported
        at that entry's value).
        """
        param = self.policy.parameters.get(written[1:]) if isinstance(written, str) and written[:1] == "$" else None
        if param is None or param.value_location is None:
            self.error(message, key)
            return
        if entry is None:
            said = msg('parameter "{name}": {message} (used by rule "{id}")', name=param.name, message=message,
                       id=self.rule.id)
            where = param.value_location
        else:
            said = msg('parameter "{name}" › {entry}: {message} (used by rule "{id}")', name=param.name,
                       entry=entry, message=message, id=self.rule.id)
            where = param.value.value_at(entry) if hasattr(param.value, "value_at") else param.value_location
        self.errors.add(PolicyError(said, where))

    def condition(self, key: str, default: str | None = None, dataset: Dataset | None = None,
                  aggregates: bool = False, boolean: bool = True, qualifier: str | None = None) -> str | None:
        """Compile the condition written at ``key``; ``default`` SQL when absent.

        ``qualifier`` prefixes every column with a table alias, for conditions
        that run inside a join.
        """
        text = self.spec.get(key)
        if text is None:
            return default
        scope = self.scope(dataset, aggregates)
        tree = compile_condition(text, scope, msg('rule "{id}" {key}', id=self.rule.id, key=key), self.errors, boolean)
        if tree is None:
            return None
        self.note_reads(tree, dataset)
        if qualifier:
            # Every field is the qualifier's; the period judged (``per``) stays the record's own.
            tree = tree.transform(
                lambda n: exp.column(n.name, table=qualifier, quoted=True)
                if isinstance(n, exp.Column) and n.name not in (UNIT_START, UNIT_END) else n
            )
        return sql(tree)

    def scope_sql(self) -> str | None:
        """The rule's ``when`` as SQL (TRUE when absent), NULL treated as out of scope; None when it is wrong."""
        when = self.condition("when", default="TRUE")
        return None if when is None else f"({when}) IS TRUE"

    def field(self, name: Any, key: str, dataset: Dataset | None = None, types: tuple[str, ...] = ()) -> str | None:
        """The quoted column for a field name written at ``key``, checked."""
        dataset = dataset or self.dataset
        if name not in dataset.fields:
            hint = did_you_mean(str(name), dataset.fields)
            self.error(msg('unknown field "{name}" in dataset "{name2}"{hint}',
                           name=name, name2=dataset.name, hint=hint), key)
            return None
        ftype = dataset.fields[name].type
        if types and ftype not in types:
            self.error(msg('field "{name}" is a {ftype}; expected {types}',
                           name=name, ftype=ftype, types=" or ".join(types)), key)
            return None
        if dataset is self.dataset:
            self.reads.add(name)
        return ident(name)

    def note_reads(self, tree: exp.Expression, dataset: Dataset | None = None) -> None:
        """Record the fields of the rule's own dataset that a compiled condition reads."""
        if dataset is None or dataset is self.dataset:
            self.reads.update(c.name for c in tree.find_all(exp.Column) if c.name in self.dataset.fields)

    def fields(self, key: str, dataset: Dataset | None = None, types: tuple[str, ...] = ()) -> list[str] | None:
        """The quoted columns for the field names written at ``key``; None when any is wrong."""
        names = self.spec.get(key) or []
        names = [names] if isinstance(names, str) else names
        cols = [self.field(n, key, dataset, types) for n in names]
        return None if None in cols else cols

    def param_value(self, value: Any, key: str, types: tuple[str, ...]) -> Any:
        """A literal value, or ``$name`` resolved to the parameter's value; None after a problem.

        A parameter whose own value is wrong gives None without a second
        report: the loader has said what is wrong with it, at its place.
        """
        if isinstance(value, str) and value.startswith("$"):
            name = value[1:]
            param = self.policy.parameters.get(name)
            if param is None:
                self.error(msg('unknown parameter "{value}"{hint}',
                               value=value, hint=did_you_mean(name, self.policy.parameters)), key)
                return None
            if param.value is None:  # its value is wrong, and reported where it is written
                return None
            if types and param.type not in types:
                self.error(msg('parameter "{value}" is a {type}; expected {types}',
                               value=value, type=param.type, types=" or ".join(types)), key)
                return None
            return param.value
        if "duration" in types and isinstance(value, str):
            parsed = Duration.parse(value)
            problem = duration_problem(value) if parsed is None else too_long(parsed)
            if problem is not None:
                self.error(problem, key)
                return None
            return parsed
        if isinstance(value, str) and {"number", "integer"} & set(types) and "string" not in types:
            self.error(msg('"{value}" is not a number; write a number such as 0.8, or a $parameter', value=value), key)
            return None
        return value

    def literal(self, value: Any) -> str:
        return sql(literal(value))

    def key_sql(self) -> str:
        return ident(self.dataset.key)
