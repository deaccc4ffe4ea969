"""Where a report goes: standard output, or a file written whole or not at all.

A report file is written to a temporary file beside it and renamed over it
when complete, so a run that fails halfway (a full disk, a file-size limit,
Ctrl-C) leaves the previous report as it was, never a truncated one. A
report may not overwrite what the run reads: an export file (or a file the
export folder would be read from next time), ``export.yaml``, the policy,
its rule and decision-table files. Writing to standard output that fails (a
full device, a pipe closed early) is one clear line, not a traceback.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from ..errors import UsageError
from ..i18n import msg
# The file names an export folder is read from (see docs/rules.md, "Exports").
_EXPORT_SUFFIXES = (".csv", ".jsonl", ".parquet", ".xlsx")
MANIFEST = "export.yaml"


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
    """A text stream for the report: standard output, or a file replaced only when the report is complete."""
    if output is None:
        try:
            yield sys.stdout
            sys.stdout.flush()
        except BrokenPipeError:
            _silence_stdout()
            raise UsageError(msg("standard output was closed before the report was complete")) from None
        except OSError as exc:
            _silence_stdout()
            raise UsageError(msg("cannot write the report to standard output: {strerror}", strerror=exc.strerror)) from None
        return
    target = Path(output)
    _refuse_inputs(target, inputs)
    if target.is_dir():
        raise UsageError(msg("--output {output} is a folder; give a file name", output=output))
    try:
        handle = tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", newline="", dir=target.parent if str(target.parent) else ".",
            prefix=f".{target.name}.", suffix=".part", delete=False,
        )
    except OSError as exc:
        raise UsageError(msg("cannot write {output}: {strerror}", output=output, strerror=exc.strerror)) from None
    try:
        os.chmod(handle.name, _mode(target))
        with handle:
            yield handle
        os.replace(handle.name, target)
    except OSError as exc:
        _discard(handle.name)
        raise UsageError(msg("cannot write {output}: {strerror}; the previous file, if any, is unchanged", output=output, strerror=exc.strerror)) from None
    except BaseException:
        _discard(handle.name)
        raise


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
    if output is not None:
        _refuse_inputs(Path(output), inputs)


def emit(text: str, output: str | None, inputs: Iterable[Path] = ()) -> None:
    """Print the report, or write it to ``output`` (see :func:`opened`)."""
    with opened(output, inputs) as out:
        out.write(text)


def _discard(name: str) -> None:
    try:
        os.unlink(name)
    except OSError:
        pass


def _silence_stdout() -> None:
    """After a failed write, point stdout at nowhere so the interpreter's final flush stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
