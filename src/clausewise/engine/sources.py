"""Where an exported dataset comes from when it is not a file in the export folder.

An export folder holds one file per dataset; a dataset may instead come from

- a table in memory, handed to the library (:class:`TableSource`): a pandas or
  Polars DataFrame, a pyarrow Table or RecordBatchReader, or a DuckDB relation
  (a table, view or query of the caller's own DuckDB connection);
- a table or query in a database (:class:`DatabaseSource`): PostgreSQL or
  SQLite, named in the export folder's ``export.yaml`` (``sources:``) or on the
  command line (``--source NAME=URL``), with credentials from the environment.

A source here is a description only, free of any engine: the DuckDB engine
reads it into the run's raw table for the dataset (``readers/memory.py``,
``readers/database.py``) before the run's connection is locked, and from
there on the run is the same as for a file: the same typing, the same invalid
values, the same lock. Another engine would read the same descriptions its
own way.

Credentials never come from a policy or rule file, nor from text written out
in ``export.yaml`` or on the command line: a URL may name environment
variables (``${PGPASSWORD}``), which are read when the run connects, and the
drivers' own variables (``PGPASSWORD``, ``PGPASSFILE``, ``PGUSER``…) work as
usual. A password written into a URL is refused. See docs/sources.md.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from ..errors import Collector, DataError, Location, UsageError, did_you_mean
from ..i18n import msg
from ..model import Dataset, Policy
from ..policy.yamlfile import load_yaml

MANIFEST = "export.yaml"
SCHEMES = {"postgresql": "postgresql", "postgres": "postgresql", "sqlite": "sqlite"}
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_MANIFEST_KEYS = ("url", "table", "query")


@dataclass(frozen=True)
class Source:
    """One dataset's data from somewhere other than a file in the export folder.

    ``shown`` names it in errors, in an invalid value's evidence (``file``) and
    in a report's data files; it never holds a password.
    """

    dataset: str

    @property
    def shown(self) -> str:
        raise NotImplementedError

    @property
    def format(self) -> str:
        """What the report's data files list as the dataset's format (``pandas``, ``postgresql``…)."""
        raise NotImplementedError

    def where(self) -> Location:
        return Location(self.shown)


# The table types the library reads, by the module their class comes from.
_TABLE_FORMATS = {"pandas": "pandas", "polars": "polars", "pyarrow": "arrow", "duckdb": "duckdb", "_duckdb": "duckdb"}


@dataclass(frozen=True)
class TableSource(Source):
    """A table in memory: pandas or Polars DataFrame, pyarrow Table or RecordBatchReader, or DuckDB relation.

    A record's row number is its position in the table, from 1 (a pandas
    index is not a column and not the row number: ``df.reset_index()`` keeps it).
    """

    table: Any = field(default=None, compare=False, repr=False)

    @property
    def format(self) -> str:
        return table_format(self.table) or "arrow"

    @property
    def shown(self) -> str:
        kinds = {"pandas": "pandas DataFrame", "polars": "Polars DataFrame", "arrow": "Arrow table",
                 "duckdb": "DuckDB relation"}
        return f'{kinds[self.format]} "{self.dataset}"'


def table_format(table: Any) -> str | None:
    """``pandas``, ``polars``, ``arrow`` or ``duckdb`` for a table the library reads, else None."""
    module = type(table).__module__.split(".")[0]
    if module in _TABLE_FORMATS:
        return _TABLE_FORMATS[module]
    return "arrow" if hasattr(table, "__arrow_c_stream__") else None


@dataclass(frozen=True)
class DatabaseUrl:
    """A database URL as written, with ``${NAME}`` references to environment variables kept unexpanded.

    ``postgresql://USER@HOST:PORT/DATABASE?sslmode=require`` (``postgres://``
    too) or ``sqlite:///relative/file.db`` / ``sqlite:////absolute/file.db``.
    The text is split first and each part expanded on its own when the run
    connects (:meth:`connect_args`), so a variable's value can never change
    which part of the URL it stands in.
    """

    text: str
    scheme: str
    base: Path | None = None  # the folder a relative SQLite path is relative to

    @classmethod
    def parse(cls, text: str, base: Path | None, where: Location | None) -> DatabaseUrl:
        """Check the URL's form (no connection is made); raises DataError at ``where``."""
        scheme = SCHEMES.get(text.split(":", 1)[0].lower()) if ":" in text else None
        if scheme is None:
            raise DataError(msg('"{redacted}" is not a database URL: write postgresql://USER@HOST/DATABASE or '
                                "sqlite:///FILE",
                                redacted=_redacted(text)), where)
        url = cls(text, scheme, base)
        if scheme == "sqlite":
            url.sqlite_path(where)
        else:
            parts = urlsplit(text)
            password = _netloc(parts.netloc)[1]
            if password is not None and not _only_variables(password):
                raise DataError(msg('"{redacted}" has a password written out: write it as ${{VARIABLE}} and set that '
                                    "variable, or use PGPASSWORD or ~/.pgpass",
                                    redacted=_redacted(text)), where)
            if not parts.path.strip("/"):
                raise DataError(msg('"{redacted}" names no database: write postgresql://USER@HOST/DATABASE',
                                    redacted=_redacted(text)), where)
        return url

    @property
    def shown(self) -> str:
        """The URL as written, without its password."""
        return _redacted(self.text)

    def sqlite_path(self, where: Location | None = None) -> Path:
        """The SQLite file: ``sqlite:///x.db`` is relative (to the export folder, or the current one), ``sqlite:////x.db`` absolute."""
        rest = self.text.split(":", 1)[1]
        if not rest.startswith("///") or len(rest) == 3:
            raise DataError(msg('"{text}" is not a SQLite URL: write sqlite:///relative/file.db or '
                                "sqlite:////absolute/file.db",
                                text=self.text), where)
        path = Path(expand(unquote(rest[3:]), where))
        return path if path.is_absolute() or self.base is None else self.base / path

    def connect_args(self, where: Location | None = None) -> dict[str, str]:
        """PostgreSQL connection keywords (host, port, dbname, user, password, and the URL's own parameters), expanded."""
        parts = urlsplit(self.text)
        user, password, host, port = _netloc(parts.netloc)
        args = {"host": host, "port": port, "dbname": parts.path.lstrip("/"), "user": user, "password": password}
        args.update(parse_qsl(parts.query))
        return {k: expand(unquote(v), where) for k, v in args.items() if v}


def _netloc(netloc: str) -> tuple[str, str | None, str, str]:
    """(user, password or None, host, port) as written; urlsplit's own would lower-case a ``${Host}`` reference."""
    userinfo, at, hostport = netloc.rpartition("@")
    user, colon, password = userinfo.partition(":")
    if hostport.startswith("["):  # [::1]:5432
        host, _, rest = hostport[1:].partition("]")
        port = rest[1:]
    else:
        host, _, port = hostport.partition(":")
    return user, password if colon else None, host, port


def _only_variables(text: str) -> bool:
    return bool(text) and _VARIABLE.sub("", unquote(text)) == ""


def _redacted(text: str) -> str:
    """``text`` with the password part of a URL (written out or a reference) left out."""
    return re.sub(r"^([A-Za-z]+://[^/@:]*):[^/@]*@", r"\1@", text)


def expand(text: str, where: Location | None = None) -> str:
    """``text`` with each ``${NAME}`` replaced by environment variable NAME; an unset one is a DataError."""
    def value(match: re.Match) -> str:
        name = match[1]
        if name not in os.environ:
            raise DataError(msg("environment variable {name} is not set", name=name), where)
        return os.environ[name]

    return _VARIABLE.sub(value, text)


@dataclass(frozen=True)
class DatabaseSource(Source):
    """A table or a query in a PostgreSQL or SQLite database.

    ``table`` (``inquiries``, or ``schema.inquiries`` in PostgreSQL) is read
    whole, names exactly as written; ``query`` is one SELECT whose rows are the
    dataset's records, in the order it gives (write ORDER BY for a fixed row
    numbering). Without either, the table named like the dataset's export file.
    """

    url: DatabaseUrl | None = None
    table: str | None = None
    query: str | None = None

    @property
    def format(self) -> str:
        return self.url.scheme

    @property
    def shown(self) -> str:
        return f"{self.url.shown} ({'query' if self.query else 'table ' + self.table})"


# ---- from the command line and the export manifest ------------------------------

def parse_option(text: str, policy: Policy, said: str = "--source") -> DatabaseSource:
    """``--source NAME=URL`` or ``NAME=URL#TABLE``: a dataset read from a database table.

    Without ``#TABLE`` the table is named like the dataset's export file. A
    relative SQLite path is relative to the current folder. Raises UsageError
    (its message starting with ``said``).
    """
    name, sep, rest = text.partition("=")
    if not sep or not name or not rest:
        raise UsageError(msg('{said} "{redacted}": write NAME=URL, e.g. inquiries=postgresql://auditor@db/ops',
                             said=said, redacted=_redacted(text)))
    dataset = exported_dataset(policy, name.strip(), said, UsageError)
    url_text, _, table = rest.partition("#")
    try:
        url = DatabaseUrl.parse(url_text, None, None)
    except DataError as exc:
        raise UsageError(msg("{said} {name}: {message}", said=said, name=name, message=exc.message)) from None
    return DatabaseSource(dataset.name, url, table or dataset.file)


def exported_dataset(policy: Policy, name: str, said: str, error=UsageError, where: Location | None = None) -> Dataset:
    """The exported dataset ``name``; an unknown or computed one is ``error`` naming ``said``."""
    dataset = policy.datasets.get(name)
    if dataset is None:
        exported = [d.name for d in policy.datasets.values() if d.exported]
        raise error(msg('{said}: the policy has no dataset "{name}"{hint}',
                        said=said, name=name, hint=did_you_mean(name, exported)), where)
    if not dataset.exported:
        raise error(msg('{said}: dataset "{name}" is computed from "{source}"; give that one instead',
                        said=said, name=name, source=dataset.source), where)
    return dataset


def from_manifest(export_dir: Path, policy: Policy, trust_servers: bool = False,
                  overridden: frozenset[str] = frozenset()) -> dict[str, DatabaseSource]:
    """The database sources ``export.yaml`` names under ``sources:`` (none without the file or the key).

    A relative SQLite path is relative to the export folder and, like every
    file of an export, may not lead outside it. A PostgreSQL server is used
    only when ``trust_servers`` (``--trust-export-sources``): connecting to a
    server an export names would send it the reader's credentials and the
    environment variables its URL names, and an export is untrusted input;
    nor is one whose dataset is ``overridden`` (given otherwise) refused.
    Every problem is raised together, each at its place in the file (DataError).
    """
    from .exports import inside_export  # exports reads the sources this module describes

    path = export_dir / MANIFEST
    if not path.is_file():
        return {}
    doc = load_yaml(inside_export(path, export_dir))
    if not isinstance(doc, dict) or doc.get("sources") is None:
        return {}
    where = doc.value_at("sources") if hasattr(doc, "value_at") else Location(str(path))
    entries = doc["sources"]
    if not isinstance(entries, dict):
        raise DataError(msg("sources: expected a mapping of dataset name to {{url, table or query}}"), where)
    errors, out = Collector(), {}
    for name, entry in entries.items():
        try:
            out[str(name)] = source = _manifest_entry(str(name), entry, _key_at(entries, name, where), export_dir, policy)
            if source.url.scheme != "sqlite" and not trust_servers and str(name) not in overridden:
                raise DataError(
                    msg('sources: "{name}" connects to a PostgreSQL server the export names ({shown}), which would be '
                        "sent your credentials (PGPASSWORD, ~/.pgpass, the ${{VAR}}s in its URL); if you trust this "
                        "export, pass --trust-export-sources, or name the server yourself with --source",
                        name=name, shown=source.url.shown),
                    _at(entry, "url", _key_at(entries, name, where)))
        except DataError as exc:
            errors.add(exc)
    errors.raise_if_any()
    return out


def from_mapping(name: str, entry: Mapping[str, str], policy: Policy) -> DatabaseSource:
    """A database source written as ``{"url": …, "table": …}`` or ``{"url": …, "query": …}`` (the library's form).

    A relative SQLite path is relative to the current folder. Raises DataError.
    """
    return _manifest_entry(name, entry, None, None, policy)


def _manifest_entry(name: str, entry: Any, where: Location | None, export_dir: Path | None,
                    policy: Policy) -> DatabaseSource:
    dataset = exported_dataset(policy, name, f'sources: "{name}"', DataError, where)
    if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
        raise DataError(msg('sources: "{name}" needs url: (and table: or query:)', name=name), where)
    unknown = [k for k in entry if k not in _MANIFEST_KEYS]
    if unknown:
        raise DataError(msg('sources: "{name}" has unknown key "{unknown}"{hint}',
                            name=name, unknown=unknown[0], hint=did_you_mean(str(unknown[0]), _MANIFEST_KEYS)),
                        _key_at(entry, unknown[0], where))
    if "table" in entry and "query" in entry:
        raise DataError(msg('sources: "{name}" has both table: and query:; keep one', name=name), where)
    for key in ("table", "query"):
        if key in entry and not (isinstance(entry[key], str) and entry[key].strip()):
            raise DataError(msg('sources: "{name}": {key} must be text', name=name, key=key), _at(entry, key, where))
    url = DatabaseUrl.parse(entry["url"], export_dir, _at(entry, "url", where))
    if url.scheme == "sqlite" and export_dir is not None:
        _inside(url.sqlite_path(), export_dir, _at(entry, "url", where))
    query = entry.get("query")
    return DatabaseSource(dataset.name, url, None if query else entry.get("table", dataset.file), query)


def _inside(path: Path, export_dir: Path, where: Location) -> None:
    """A SQLite file named by an export's manifest lies in the export folder, as its files do."""
    if not path.resolve().is_relative_to(export_dir.resolve()):
        raise DataError(msg("{path} is outside the export folder; an export's own manifest may name only a database "
                            "file inside it (name one elsewhere with --source)",
                            path=path), where)


def _at(mapping: Any, key: Any, default: Location | None) -> Location | None:
    where = getattr(mapping, "value_at", None)
    return (where(key) if where else None) or default


def _key_at(mapping: Any, key: Any, default: Location | None) -> Location | None:
    where = getattr(mapping, "key_at", None)
    return (where(key) if where else None) or default


# ---- tables handed to the library -----------------------------------------------

def from_tables(tables: Mapping[str, Any], policy: Policy) -> dict[str, TableSource]:
    """Dataset name → its table, checked: every name a dataset the export holds, every value a table.

    Raises UsageError for an unknown or computed dataset name and for a value
    that is not a table clausewise can read.
    """
    out = {}
    for name, table in tables.items():
        dataset = exported_dataset(policy, str(name), "tables")
        if table_format(table) is None:
            raise UsageError(msg('tables: "{name}" is a {name2}, not a table; give a pandas or Polars DataFrame, a '
                                 "pyarrow Table or RecordBatchReader, or a DuckDB relation",
                                 name=name, name2=type(table).__name__))
        out[dataset.name] = TableSource(dataset.name, table)
    return out


def from_duckdb(con: Any, policy: Policy) -> dict[str, TableSource]:
    """Each exported dataset's table or view in the caller's DuckDB connection, named like its export file.

    A dataset with no such table is left out (the run then reports it missing,
    unless it is optional). The relations are read when the run loads its
    data, on the caller's connection; the run's own connection stays its own.
    """
    import duckdb

    names = {row[0] for row in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
        "AND table_catalog = current_database()").fetchall()}
    out = {}
    for dataset in policy.datasets.values():
        if dataset.exported and dataset.file in names:
            try:
                out[dataset.name] = TableSource(dataset.name, con.table(dataset.file))
            except duckdb.Error as exc:
                raise UsageError(msg('dataset "{name}": cannot read table "{file}" of the DuckDB connection: {exc}',
                                     name=dataset.name, file=dataset.file, exc=exc)) from None
    return out


def check_columns(raw_columns: list[str], dataset: Dataset, source: Source) -> None:
    """Every declared column that is not optional is among the source's columns; else one DataError each."""
    have = set(raw_columns)
    errors = Collector()
    for f in dataset.file_fields():
        if f.column not in have and not f.optional:
            errors.add(DataError(msg('dataset "{name}": missing column "{column}" (field "{name2}")',
                                     name=dataset.name, column=f.column, name2=f.name),
                                 source.where()))
    errors.raise_if_any()


__all__ = ["DatabaseSource", "DatabaseUrl", "Source", "TableSource", "check_columns", "expand", "from_duckdb",
           "from_manifest", "from_mapping", "from_tables", "parse_option", "table_format"]
