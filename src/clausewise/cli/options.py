"""Options shared by several commands, as decorators."""

from __future__ import annotations

import os
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import click

from ..errors import UsageError
from ..i18n import N_, msg
from ..model import LANGS, SEVERITIES

policy_option = click.option(
    "--policy", "-p", "policy_path", required=True, type=click.Path(dir_okay=False),
    help=N_("The policy file (policies/NAME.yaml); its rule files are found from it."),
)
# Where the chosen language is kept for the error line and --help (ctx.meta is shared by a command and its group).
LANG_KEY = "clausewise.lang"


def _remember_lang(ctx: click.Context, _param, value: str) -> str:
    ctx.meta[LANG_KEY] = value
    return value


def chosen_lang(ctx: click.Context | None) -> str:
    """The run's language: ``--lang`` once read, else ``CLAUSEWISE_LANG``, else English."""
    if ctx is not None and ctx.meta.get(LANG_KEY) in LANGS:
        return ctx.meta[LANG_KEY]
    from_env = os.environ.get("CLAUSEWISE_LANG", "")
    return from_env if from_env in LANGS else "en"



def lang_in(args: list[str]) -> str:
    """The language a command line asks for, before click reads it: the last ``--lang X`` or ``--lang=X`` (before
    a ``--``) naming a known language, else ``CLAUSEWISE_LANG``, else English. click's own words for a mistake
    in the command line are written in it (``clickwords.py``): such a mistake is found before ``--lang`` is read."""
    found = None
    for i, arg in enumerate(args):
        if arg == "--":
            break
        value = args[i + 1] if arg == "--lang" and i + 1 < len(args) else arg.partition("=")[2] if arg.startswith("--lang=") else None
        if value in LANGS:
            found = value
    return found or chosen_lang(None)

# Eager, so that `--lang zh --help` shows the help in Chinese (eager options are read in the order given).
lang_option = click.option(
    "--lang", type=click.Choice(LANGS), default="en", envvar="CLAUSEWISE_LANG", show_default=True,
    callback=_remember_lang, is_eager=True,
    help=N_("Language of messages and reports (or set CLAUSEWISE_LANG)."),
)
output_option = click.option(
    "--output", "-o", type=click.Path(dir_okay=False, writable=True, allow_dash=True), default=None,
    help=N_("Write the report to this file instead of standard output (- is standard output)."),
)
fail_on_option = click.option(
    "--fail-on", type=click.Choice([*SEVERITIES, "never"]), default="high", show_default=True,
    help=N_("Exit 1 when a violation or invalid value has at least this severity."),
)


waivers_option = click.option(
    "--waivers", "waivers_path", type=click.Path(dir_okay=False), default=None,
    help=N_("A waivers file: accepted deviations, reported but failing nothing (docs/waivers.md)."),
)
# Where the run history is (docs/history.md): for a command given an export folder, in the folder that
# holds it, so that the months of one export tree share one history; for the others, in the current folder.
HISTORY_FILE = ".clausewise/history.duckdb"


def history_option(beside_export: bool):
    where = _HISTORY_BESIDE_EXPORT if beside_export else _HISTORY_HERE
    return click.option(
        "--history", "history_path", type=click.Path(dir_okay=False), default=None, envvar="CLAUSEWISE_HISTORY",
        help=where,
    )


_HISTORY_BESIDE_EXPORT = N_("The run history file (or set CLAUSEWISE_HISTORY). Default: .clausewise/history.duckdb "
                            "in the folder that holds the export folder.")
_HISTORY_HERE = N_("The run history file (or set CLAUSEWISE_HISTORY). Default: .clausewise/history.duckdb in the "
                   "current folder.")


source_option = click.option(
    "--source", "source_texts", multiple=True, metavar="DATASET=URL[#TABLE]",
    help=N_("Read DATASET from a database table instead of a file: postgresql://USER@HOST/DB or sqlite:///FILE "
         "(table: the dataset's file name, or #TABLE). The password comes from the environment "
         "(PGPASSWORD, or ${VAR} in the URL). Repeat for more (docs/sources.md)."),
)


trust_sources_option = click.option(
    "--trust-export-sources", "trust_export_sources", is_flag=True,
    help=N_("Connect to the PostgreSQL servers the export's export.yaml names. Off by default: an export is untrusted, "
         "and the connection would carry your credentials to the server it names."),
)


def given_sources(texts: tuple[str, ...], policy) -> dict:
    """``--source`` options: dataset name → its database source."""
    from ..engine.sources import parse_option

    return {source.dataset: source for source in (parse_option(text, policy) for text in texts)}


def source_files(sources: dict) -> list:
    """The database files ``--source`` names, which a report may not overwrite."""
    return [s.url.sqlite_path() for s in sources.values() if s.url.scheme == "sqlite"]


AS_OF_HELP = N_("Judge the audit as of this time (policy timezone): a date (its midnight), a timestamp, or now. "
                 "Default: as_of in export.yaml, else the end of the audit period when it is given or stated "
                 "there, else the latest timestamp in the export.")
as_of_option = click.option("--as-of", "as_of", metavar="TIMESTAMP", help=AS_OF_HELP)
period_option = click.option(
    "--period", "period", metavar="PERIOD",
    help=N_("The audit period: a month (2026-10), quarter (2026-Q4) or year (2026). Default: period in export.yaml, "
         "else the month holding most timestamps in the export."))


def parse_period(text: str | None):
    """``--period``: a month, quarter or year (an AuditPeriod), or None."""
    if text is None:
        return None
    from ..engine.asof import parse_period as parse

    return parse(text, "given")


def _check_memory(_ctx, _param, value: str | None) -> str | None:
    """``--memory-limit``: refused here, before the pack is read, when it is not a size, a share or auto."""
    if value is not None:
        from ..engine.connection import memory_limit

        memory_limit(value)
    return value


memory_option = click.option(
    "--memory-limit", "memory_limit", metavar="SIZE", default=None, callback=_check_memory,
    help=N_("How much memory DuckDB may use before it spills to the run's temporary folder: a size (4GB, 1500MB), "
            "a share of the machine's memory (50%), or auto (or set CLAUSEWISE_MEMORY_LIMIT). Default: auto, a "
            "sixteenth of the machine's memory, at least 1 GiB (docs/cli.md)."),
)


quiet_option = click.option(
    "--quiet", "-q", is_flag=True, help=N_("No progress display (it is shown only when standard error is a terminal).")
)


def progress_display(quiet: bool):
    """A progress callback drawing one line on a terminal's standard error, else nothing."""
    if quiet or not sys.stderr.isatty():
        return lambda stage, done, total: None

    def show(stage: str, done: int, total: int) -> None:
        if stage == "rules":  # all rules ran: clear the line for the report
            click.echo("\r\033[K", nl=False, err=True)
            return
        line = f"clausewise: {stage} ({done + 1}/{total})" if total > 1 else f"clausewise: {stage}"
        click.echo(f"\r\033[K{line[:100]}", nl=False, err=True)

    return show


def parse_as_of(text: str | None, timezone: str) -> datetime | None:
    """``--as-of``: ISO date or timestamp in the policy's timezone, or ``now``."""
    if text is None:
        return None
    zone = ZoneInfo(timezone)
    if text == "now":
        return datetime.now(zone).replace(tzinfo=None, microsecond=0)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(msg('--as-of "{text}" is not a date or timestamp; write e.g. 2026-10-31 or "2026-10-31 18:00"',
                             text=text)) from None
    from ..engine.asof import wall_clock  # here, not with the module: --help does not load the engine

    value = wall_clock(value, timezone)
    if value is None:
        raise UsageError(msg('--as-of "{text}" is outside the years 1900 to 2199 that clausewise judges', text=text))
    return value
