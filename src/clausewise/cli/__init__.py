"""The ``clausewise`` command: thin click commands over the library.

Every command parses options, calls the library, picks a writer and returns an
exit code. Library errors become one clear line each on stderr and exit code 2;
a traceback in front of a user is a bug.
"""

from __future__ import annotations

import click

from ..errors import ClauseWiseError, ErrorList
from .audit import audit
from .coverage import coverage
from .diff import diff
from .explain import explain
from .grades import grades
from .history import history
from .sample import sample
from .schema import schema
from .test import test_command
from .validate import validate
from .watch import watch


class _Group(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ClauseWiseError as exc:
            _report(exc)
            ctx.exit(2)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except Exception as exc:  # a bug: say so plainly, without a traceback
            click.echo(f"clausewise: internal error ({type(exc).__name__}: {exc}); please report it", err=True)
            ctx.exit(2)


def _report(exc: ClauseWiseError) -> None:
    click.echo(str(exc), err=True)
    if isinstance(exc, ErrorList):
        click.echo(f"{len(exc.errors)} problems found", err=True)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="clausewise")
def cli() -> None:
    """Check record exports against a regulation written as YAML rules.

    Start with `clausewise validate --policy FILE`, then
    `clausewise audit EXPORT_DIR --policy FILE`.
    """


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
