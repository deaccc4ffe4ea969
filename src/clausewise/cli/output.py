"""Where a report goes: standard output, or a file written whole or not at all.

``--output -`` (or no ``--output``) is standard output. A report file is written to a temporary file beside it and renamed over it
when complete, so a run that fails halfway (a full disk, a file-size limit,
Ctrl-C) leaves the previous report as it was, never a truncated one. A
symbolic link is followed (the file it leads to is replaced, the link
stays); a pipe or device (``/dev/stderr``, a named pipe) is written to
directly. A
report may not overwrite what the run reads: an export file (or a file the
export folder would be read from next time), ``export.yaml``, the policy,
its rule and decision-table files. Writing to standard output that fails (a
full device, a pipe closed early) is one clear line, not a traceback.

One audit may write several reports (:func:`write_reports`): each file is
still written whole, and none replaces its target unless every report was
written; at most one goes to standard output, and no two to the same file.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import NoReturn, TextIO

import click

from ..errors import UsageError
from ..i18n import msg, os_reason
from ..report import report_path

# The file names an export folder is read from (see docs/rules.md, "Exports").
_EXPORT_SUFFIXES = (".csv", ".jsonl", ".parquet", ".xlsx")
MANIFEST = "export.yaml"
# ``--output -``: standard output, as most command-line tools read a lone dash.
STDOUT = "-"


def to_stdout(output: str | None) -> bool:
    """Whether ``--output`` means standard output: not given, or ``-``."""
    return output is None or output == STDOUT


def run_inputs(policy=None, export_dir: str | Path | None = None) -> list[Path]:
    """What a run reads: the pack's files and the export's (existing or not yet written)."""
    paths = [Path(p) for p in (policy.files if policy is not None else ())]
    paths += [Path(p) for p in (policy.tests if policy is not None else ())]
    if export_dir is not None and policy is not None:
        folder = Path(export_dir)
        paths.append(folder / MANIFEST)
        for dataset in policy.datasets.values():
            paths += [folder / (dataset.file + suffix) for suffix in _EXPORT_SUFFIXES]
    return paths


def _refuse_inputs(target: Path, inputs: Iterable[Path]) -> None:
    resolved = target.resolve()
    for path in inputs:
        if path.resolve() == resolved:
            raise UsageError(msg("--output {target} is an input of this run; write the report somewhere else", target=target))


@contextmanager
def opened(output: str | None, inputs: Iterable[Path] = ()) -> Iterator[TextIO]:
    """A text stream for the report: standard output, or a file replaced only when the report is complete.

    A write that fails becomes a :class:`UsageError` here, in the stream's own
    context, so that when several are open (:func:`write_reports`) the message
    names the one that failed.
    """
    if to_stdout(output):
        try:
            yield sys.stdout
            sys.stdout.flush()
        except BrokenPipeError:
            stop_quietly()
        except OSError as exc:
            _silence_stdout()
            raise UsageError(msg("cannot write the report to standard output: {strerror}", strerror=os_reason(exc))) from None
        return
    target = Path(output)
    _refuse_inputs(target, inputs)
    if target.is_dir():
        raise UsageError(msg("--output {output} is a folder; give a file name", output=output))
    target, directly = report_path(target)
    if directly:  # a pipe or a device: written into as it is, never replaced
        yield from _written_through(target, output)
        return
    try:
        handle = tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", newline="", dir=target.parent if str(target.parent) else ".",
            prefix=f".{target.name}.", suffix=".part", delete=False,
        )
    except OSError as exc:
        raise UsageError(msg("cannot write {output}: {strerror}", output=output, strerror=os_reason(exc))) from None
    try:
        mode = _mode(target)
        os.chmod(handle.name, mode)
        handle.take_file = _taker(handle, mode)
        with handle:
            yield handle
        os.replace(handle.name, target)
    except OSError as exc:
        _discard(handle.name)
        raise UsageError(msg("cannot write {output}: {strerror}; the previous file, if any, is unchanged", output=output, strerror=os_reason(exc))) from None
    except BaseException:
        _discard(handle.name)
        raise


def _written_through(target: Path, output: str) -> Iterator[TextIO]:
    """The report written straight into a pipe or device (``--output /dev/stderr``, a named pipe): nothing to
    stage it beside, and replacing such a path would put a plain file in its place."""
    try:
        with target.open("w", encoding="utf-8", newline="") as handle:
            yield handle
    except OSError as exc:
        raise UsageError(msg("cannot write {output}: {strerror}", output=output, strerror=os_reason(exc))) from None


def _taker(handle, mode: int) -> Callable[[Path], bool]:
    """``handle.take_file(path)``: make the finished file at ``path`` the report staged in ``handle``, by
    moving it there, instead of copying it through the stream (a JSON Lines report DuckDB wrote: 200 MB at
    1,000,000 findings). True when done; False, and nothing changed, when something was written to the
    stream already or the file lies on another file system: the caller then copies it."""
    def take_file(path: Path) -> bool:
        handle.flush()
        if handle.tell() != 0:
            return False
        try:
            os.replace(path, handle.name)
        except OSError:  # another file system
            return False
        os.chmod(handle.name, mode)
        return True

    return take_file


def _mode(target: Path) -> int:
    """The mode the report gets: the old file's, or what a new file gets under the umask."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def check_output(output: str | None, inputs: Iterable[Path]) -> None:
    """Refuse, before any work, an ``--output`` that would overwrite an input of the run."""
    if not to_stdout(output):
        _refuse_inputs(Path(output), inputs)


def check_outputs(outputs: list[str | None], inputs: Iterable[Path]) -> None:
    """Refuse, before any work, outputs that would overwrite an input, two reports in one file, or two on stdout."""
    inputs = list(inputs)
    seen: dict[Path, str] = {}
    for output in outputs:
        check_output(output, inputs)
        if to_stdout(output):
            continue
        resolved = Path(output).resolve()
        if resolved in seen:
            raise UsageError(msg("--output {output} is given for two reports; give each report a file of its own",
                                 output=output))
        seen[resolved] = output
    if sum(to_stdout(o) for o in outputs) > 1:
        raise UsageError(msg("two reports would go to standard output; give all but one an --output file"))


def write_reports(reports: list[tuple[str | None, Callable[[TextIO], None]]], inputs: Iterable[Path] = ()) -> None:
    """Write each report with its function to its output; the files are replaced only when all are complete.

    ``reports`` pairs an output (a file, or None or ``-`` for standard output)
    with a function that writes one report to a text stream. Every file is
    staged beside its target; should any report fail, no target changes (a
    report already printed to standard output stays printed).
    """
    inputs = list(inputs)
    check_outputs([output for output, _ in reports], inputs)
    with ExitStack() as stack:
        for output, write in reports:
            write(stack.enter_context(opened(output, inputs)))


def emit(text: str, output: str | None, inputs: Iterable[Path] = ()) -> None:
    """Print the report, or write it to ``output`` (see :func:`opened`)."""
    with opened(output, inputs) as out:
        out.write(text)


def append(text: str, path: Path, name: str, lang: str = "en") -> None:
    """Append ``text`` to ``path`` in one write; a failure is a warning on stderr (in ``lang``), not the run's failure.

    Used for a CI job summary (``name`` says which variable named the file),
    which collects what each step appends: the audit's verdict and reports
    stand even when the summary cannot be written.
    """
    try:
        with path.open("a", encoding="utf-8", newline="") as handle:
            handle.write(text)
    except OSError as exc:
        said = msg("clausewise: cannot append the summary to {name} ({path}): {reason}", name=name, path=path,
                   reason=os_reason(exc))
        print(said.render(lang), file=sys.stderr)


def _discard(name: str) -> None:
    try:
        os.unlink(name)
    except OSError:
        pass


# The exit code of a command whose reader closed its standard output before it was done (``clausewise audit …
# | head``): 128 + SIGPIPE (13), what a shell reports for a program that signal stopped, as `cat big | head` does.
# Distinct from 1 (findings), which the report cut short can no longer be said to hold or not.
CLOSED_PIPE = 141


def stop_quietly() -> NoReturn:
    """Stop as Unix tools do when their reader has gone: nothing more written, no message, exit :data:`CLOSED_PIPE`."""
    _silence_stdout()
    raise click.exceptions.Exit(CLOSED_PIPE)


def _silence_stdout() -> None:
    """After a failed write, point stdout at nowhere so the interpreter's final flush stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
