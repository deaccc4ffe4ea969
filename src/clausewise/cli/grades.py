"""``clausewise grades``: only the computed values, why each is what it is, and the scorecard."""

from __future__ import annotations

import click

from ..errors import UsageError, did_you_mean
from ..i18n import N_, msg
from ..report.grades import FORMATS, Selection
from .help import Command
from .options import (
    given_sources,
    lang_option,
    memory_option,
    output_option,
    parse_as_of,
    parse_period,
    policy_option,
    source_files,
    source_option,
    trust_sources_option,
)
from .output import opened, run_inputs


@click.command(cls=Command, help=N_(
        "Print every computed value (scores, grades, priorities) with why it is what it is.\n"
        "\n"
        "Each line shows the record, the value, and its reason: the weighted inputs\n"
        "of a score, the band and its bounds for a grade, the deciding row of a\n"
        "decision table, and what was missing when a value is empty. The JSON and\n"
        "CSV formats add reason codes and the breakdown's numbers; JSON adds the\n"
        "scorecard. Exit code 0, or 2 on errors."
))
@click.argument("export_dir", type=click.Path(file_okay=False), required=False)
@policy_option
@source_option
@trust_sources_option
@click.option("--as-of", "as_of", metavar="TIMESTAMP", help=N_("As for audit."))
@click.option("--period", "period", metavar="PERIOD", help=N_("As for audit."))
@click.option("--format", "-f", "fmt", type=click.Choice(sorted(FORMATS)), default="table", show_default=True)
@click.option("--dataset", "datasets", multiple=True, metavar="NAME",
              help=N_("Only this dataset's computed values (repeat for more)."))
@click.option("--key", metavar="KEY", help=N_("Only the record with this key."))
@click.option("--grade", metavar="[COLUMN=]VALUE",
              help=N_("Only records with a computed value equal to VALUE (in COLUMN, when given), e.g. unqualified."))
@click.option("--limit", type=click.IntRange(min=0), metavar="N",
              help=N_("At most N records. Default: 100 for the table, all for json and csv."))
@output_option
@lang_option
@memory_option
def grades(export_dir, policy_path, source_texts, trust_export_sources, as_of, period, fmt, datasets, key, grade, limit, output, lang,
           memory_limit) -> None:
    from ..engine import audit as run_audit
    from ..engine import load

    policy = load(policy_path)
    sources = given_sources(source_texts, policy)
    if export_dir is None and not sources:
        raise UsageError(msg("give EXPORT_DIR, or every dataset with --source"))
    _check_datasets(policy, datasets)
    selection = Selection(tuple(datasets) or None, key, grade, limit)
    with run_audit(policy, export_dir, parse_as_of(as_of, policy.timezone), lang, sources=sources,
                   period=parse_period(period), trust_export_sources=trust_export_sources,
                   memory_limit=memory_limit) as result:
        with opened(output, run_inputs(policy, export_dir) + source_files(sources)) as out:
            FORMATS[fmt](result, "high", out, selection)


def _check_datasets(policy, datasets: tuple[str, ...]) -> None:
    computed = [d.name for d in policy.datasets.values() if d.derived_fields()]
    for name in datasets:
        if name not in computed:
            raise UsageError(msg('--dataset "{name}" has no computed values; datasets that have: {value3}{hint}', name=name, value3=", ".join(computed) or "none", hint=did_you_mean(name, computed)))
