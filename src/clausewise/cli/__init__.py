"""The ``clausewise`` command: thin click commands over the library.

Every command parses options, calls the library, picks a writer and returns an
exit code. Library errors become one clear line each on stderr and exit code 2;
a traceback in front of a user is a bug.
"""

from __future__ import annotations

import sys

import click

from ..errors import ClauseWiseError, ErrorList
from ..i18n import N_, msg
from .audit import audit
from .clickwords import in_language
from .coverage import coverage
from .diff import diff
from .explain import explain
from .grades import grades
from .help import Group
from .history import history
from .options import chosen_lang, lang_in
from .output import stop_quietly
from .sample import sample
from .schema import schema
from .test import test_command
from .validate import validate
from .watch import watch


class _Group(Group):
    def main(self, args=None, prog_name=None, **extra):
        """click's main, with click's own words (a mistake in the command line) in the run's language."""
        with in_language(lang_in(list(sys.argv[1:] if args is None else args))):
            return super().main(args, prog_name, **extra)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ClauseWiseError as exc:
            _report(exc, chosen_lang(ctx))
            ctx.exit(2)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            _clear_progress()
            click.echo(msg("interrupted").render(chosen_lang(ctx)), err=True)
            ctx.exit(130)
        except BrokenPipeError:  # stdout's reader has gone (`clausewise validate … | head`): stop quietly
            stop_quietly()
        except Exception as exc:
            duckdb = sys.modules.get("duckdb")
            if duckdb is not None:
                from ..engine.connection import interrupted, out_of_memory

                if interrupted(exc):  # Ctrl-C while DuckDB ran a query
                    _clear_progress()
                    click.echo(msg("interrupted").render(chosen_lang(ctx)), err=True)
                    ctx.exit(130)
                if isinstance(exc, duckdb.OutOfMemoryException):  # a report past the memory limit
                    _report(out_of_memory(exc), chosen_lang(ctx))
                    ctx.exit(2)
            # Anything else is a bug: say so plainly, without a traceback.
            _clear_progress()
            line = msg("clausewise: internal error ({kind}: {error}); please report it", kind=type(exc).__name__, error=exc)
            click.echo(line.render(chosen_lang(ctx)), err=True)
            ctx.exit(2)


def _clear_progress() -> None:
    """Clear the progress line a terminal may show (``options.progress_display``), so an error starts its own line."""
    if sys.stderr.isatty():
        click.echo("\r\033[K", nl=False, err=True)


def _report(exc: ClauseWiseError, lang: str) -> None:
    """The error's line(s) in the run's language, then how many problems there were."""
    _clear_progress()
    click.echo(exc.render(lang), err=True)
    if isinstance(exc, ErrorList):
        click.echo(msg("{n} problems found", n=len(exc.errors)).render(lang), err=True)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]}, help=N_(
        "Check record exports against a regulation written as YAML rules.\n"
        "\n"
        "Start with `clausewise validate --policy FILE`, then\n"
        "`clausewise audit EXPORT_DIR --policy FILE`."
))
@click.version_option(package_name="clausewise")
def cli() -> None:
    """The command group; its help text is the ``help`` above, from the message catalogue."""


cli.add_command(audit)
cli.add_command(validate)
cli.add_command(grades)
cli.add_command(test_command)
cli.add_command(coverage)
cli.add_command(explain)
cli.add_command(schema)
cli.add_command(sample)
cli.add_command(history)
cli.add_command(diff)
cli.add_command(watch)


def main() -> None:
    cli(prog_name="clausewise")
