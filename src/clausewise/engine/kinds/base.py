"""What every rule kind compiles to, and the context it compiles in.

A kind is a module with ``SCHEMA`` (the JSON Schema of its own keys) and
``compile(ctx) -> Check``. A :class:`Check` is a set of finding rows described
as SQL pieces; the planner turns it into one ``INSERT … SELECT`` over the
dataset, so every kind is set-based by construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from ...errors import Collector, Location, PolicyError, did_you_mean
from ...model import Dataset, Duration, Policy, Rule
from .. import runvars
from ..calendar import CalendarSQL
from ..conditions import Scope, builtin_params, compile_condition, literal
from ..sqltext import ident


def sql(node: exp.Expression | str) -> str:
    """DuckDB SQL text of a checked tree (strings are already generated SQL)."""
    return node if isinstance(node, str) else node.sql(dialect="duckdb")


@dataclass
class Check:
    """A rule as SQL: which records it examines and which of them are findings.

    ``source`` is the FROM clause (default: the dataset's table); ``examined``
    is a condition over the dataset's table counting what the rule looked at;
    ``where`` selects the finding rows from ``source``; ``evidence`` names the
    values that decided each finding; ``names`` adds values that message
    templates may use besides the evidence and the record's fields.
    """

    where: str
    examined: str = "TRUE"
    source: str | None = None
    evidence: dict[str, str] = field(default_factory=dict)
    status: str = "'violation'"
    due_at: str = "NULL"
    key: str | None = None
    row: str = '"__row"'
    group: str = "NULL"
    names: dict[str, str] = field(default_factory=dict)


@dataclass
class CompileContext:
    """Everything a kind needs to compile one rule, and where to report problems."""

    policy: Policy
    rule: Rule
    errors: Collector
    calendar: CalendarSQL | None = None

    @property
    def as_of_sql(self) -> str:
        """SQL for the audit's as-of time, read at run time (the rule is compiled once)."""
        return runvars.sql(runvars.AS_OF)

    @property
    def dataset(self) -> Dataset:
        return self.policy.datasets[self.rule.dataset]

    @property
    def body(self) -> dict[str, Any]:
        return self.rule.body

    def scope(self, dataset: Dataset | None = None, aggregates: bool = False) -> Scope:
        dataset = dataset or self.dataset
        columns = {name: f.type for name, f in dataset.fields.items()}
        return Scope(columns, self.policy.parameters, dataset.name, aggregates, builtin_params())

    def where(self, key: str) -> Location:
        at = getattr(self.body, "value_at", None)
        return at(key) if at else self.rule.location

    def error(self, message: str, key: str | None = None) -> None:
        location = self.where(key) if key else self.rule.location
        self.errors.add(PolicyError(f'rule "{self.rule.id}": {message}', location))

    def condition(self, key: str, default: str | None = None, dataset: Dataset | None = None,
                  aggregates: bool = False, boolean: bool = True, qualifier: str | None = None) -> str | None:
        """Compile the condition at ``body[key]``; ``default`` SQL when absent.

        ``qualifier`` prefixes every column with a table alias, for conditions
        that run inside a join.
        """
        text = self.body.get(key)
        if text is None:
            return default
        scope = self.scope(dataset, aggregates)
        tree = compile_condition(text, scope, f'rule "{self.rule.id}" {key}', self.errors, boolean)
        if tree is None:
            return None
        if qualifier:
            tree = tree.transform(
                lambda n: exp.column(n.name, table=qualifier, quoted=True) if isinstance(n, exp.Column) else n
            )
        return sql(tree)

    def scope_sql(self) -> str:
        """The rule's ``when`` as SQL (TRUE when absent), NULL treated as out of scope."""
        when = self.condition("when", default="TRUE")
        return f"({when or 'TRUE'}) IS TRUE"

    def field(self, name: Any, key: str, dataset: Dataset | None = None, types: tuple[str, ...] = ()) -> str | None:
        """The quoted column for a field name written at ``body[key]``, checked."""
        dataset = dataset or self.dataset
        if name not in dataset.fields:
            hint = did_you_mean(str(name), dataset.fields)
            self.error(f'unknown field "{name}" in dataset "{dataset.name}"{hint}', key)
            return None
        ftype = dataset.fields[name].type
        if types and ftype not in types:
            self.error(f'field "{name}" is a {ftype}; expected {" or ".join(types)}', key)
            return None
        return ident(name)

    def fields(self, key: str, dataset: Dataset | None = None, types: tuple[str, ...] = ()) -> list[str]:
        names = self.body.get(key) or []
        names = [names] if isinstance(names, str) else names
        cols = [self.field(n, key, dataset, types) for n in names]
        return [c for c in cols if c is not None]

    def param_value(self, value: Any, key: str, types: tuple[str, ...]) -> Any:
        """A literal value, or ``$name`` resolved to the parameter's value."""
        if isinstance(value, str) and value.startswith("$"):
            name = value[1:]
            param = self.policy.parameters.get(name)
            if param is None:
                self.error(f'unknown parameter "{value}"{did_you_mean(name, self.policy.parameters)}', key)
                return None
            if types and param.type not in types:
                self.error(f'parameter "{value}" is a {param.type}; expected {" or ".join(types)}', key)
                return None
            return param.value
        if "duration" in types and isinstance(value, str):
            parsed = Duration.parse(value)
            if parsed is None:
                self.error(f'"{value}" is not a duration; write e.g. 24h, 7 days, 3 working days', key)
            return parsed
        return value

    def literal(self, value: Any) -> str:
        return sql(literal(value))

    def key_sql(self) -> str:
        return ident(self.dataset.key)
