"""Where a bad cell is in its export file: the line and column of a CSV field or a JSON Lines value, the sheet cell of an XLSX record.

An invalid-value finding names its record (``row``, 1 = the first record) and
its column (``evidence["column"]``, the header as the export writes it). A
code-scanning tool wants the place in the file, so the export is read again
here, forward only, as the engine read it:

- CSV: a record ends at a line break outside a quoted field (one may hold
  line breaks, so a record may span lines); a field is quoted when it starts
  with ``"``, doubled inside it, and a quote anywhere else is a character like
  any other (``5"10`` is read as written, as DuckDB reads it); blank lines are
  skipped, as DuckDB skips them. The cell is the
  n-th field of its record, n being its column's place in the header; its
  region runs from the field's first character (the opening quote of a quoted
  field) to just after its last.
- JSON Lines: one record a non-blank line, and a record's ``row`` is its
  line in the file (blank lines counted, see engine/readers/jsonl.py); the
  cell is the value of the record's top-level key of that name.
- XLSX: the first sheet, header on row 1, so record ``r`` is sheet row
  ``r + 1`` and the n-th header column is the n-th column letter (the reader
  keeps the sheet's empty leading rows and columns, see engine/readers/xlsx.py).

Columns are counted as SARIF counts them by default, in UTF-16 code units from
1 (a character outside the Basic Multilingual Plane counts two), in the
decoded text: a Chinese character is one column, whatever the file's encoding.

A reader moves forward through its file; asking for an earlier record starts
it again from the top. Writers ask in the findings' order, in which the
invalid values of one dataset come by row, so one pass over each file serves a
report. Nothing is kept but the current record, so memory does not grow with
the file.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from ..errors import ClauseWiseError, DataError
from ..model import DataFile, Finding, RunResult
from ..workbook import check_workbook

_DECODE = json.JSONDecoder()
# DuckDB refuses a CSV record past about 2 MB (its max_line_size), so no record the engine read is that long in
# characters; one twice as long means the file changed since the audit, and it is not followed into memory.
MAX_RECORD = 4_000_000


@dataclass(frozen=True)
class Cell:
    """A cell's place: its text span (lines from 1, columns in UTF-16 units from 1, end exclusive), or its sheet cell.

    ``line`` is None for a file without lines (XLSX), which has ``sheet`` and
    ``address`` (``C16``) instead when the sheet could be read.
    """

    column: str
    line: int | None = None
    start_column: int | None = None
    end_line: int | None = None
    end_column: int | None = None
    sheet: str | None = None
    address: str | None = None


class Cells:
    """The places of the bad cells of one run's findings; one reader per export file, opened when first asked."""

    def __init__(self, result: RunResult) -> None:
        self._result = result
        self._readers: dict[str, _Reader | None] = {}

    def of(self, finding: Finding) -> Cell | None:
        """Where the finding's cell is, or None: not a bad cell, no such file, or the file no longer holds it."""
        column = finding.evidence.get("column") if finding.status == "invalid" else None
        if not isinstance(column, str) or finding.row is None:
            return None
        reader = self._reader(finding.dataset)
        if reader is None:
            return None
        try:
            return reader.cell(finding.row, column)
        except (OSError, UnicodeDecodeError, csv.Error, ValueError, ClauseWiseError):
            # The file changed or went away since the audit: say less rather than something wrong, from now on.
            reader.close()
            self._readers[finding.dataset] = None
            return None

    def sheet(self, dataset: str) -> str | None:
        """The name of the sheet an XLSX dataset was read from (its first), or None."""
        reader = self._reader(dataset)
        if not isinstance(reader, _SheetReader):
            return None
        try:
            return reader.sheet()
        except (OSError, ValueError, ClauseWiseError):
            return None

    def close(self) -> None:
        for reader in self._readers.values():
            if reader is not None:
                reader.close()

    def _reader(self, dataset: str) -> _Reader | None:
        if dataset not in self._readers:
            data_file = next((d for d in self._result.data_files if d.dataset == dataset and d.path), None)
            self._readers[dataset] = _open(data_file, self._result) if data_file else None
        return self._readers[dataset]


def _open(data_file: DataFile, result: RunResult) -> _Reader | None:
    declared = result.policy.datasets.get(data_file.dataset)
    delimiter = declared.delimiter if declared is not None else ","
    if data_file.format == "csv":
        return _CsvReader(Path(data_file.path), data_file.encoding or "utf-8", delimiter)
    if data_file.format == "jsonl":
        return _JsonLinesReader(Path(data_file.path))
    if data_file.format == "xlsx":
        return _SheetReader(Path(data_file.path))
    return None


class _Reader:
    def cell(self, row: int, column: str) -> Cell | None:
        raise NotImplementedError

    def close(self) -> None:
        pass


class _TextReader(_Reader):
    """Records of a text file, read forward: ``(first line, text)`` of record ``row``."""

    def __init__(self, path: Path, encoding: str) -> None:
        self._path, self._encoding = path, encoding
        self._handle: TextIO | None = None

    def _start(self) -> None:
        self.close()
        # utf-8-sig: a byte-order mark is not part of the first line's text.
        self._handle = self._path.open("r", encoding="utf-8-sig" if self._encoding == "utf-8" else self._encoding,
                                       newline="")
        self._line, self._row = 0, 0

    def record(self, row: int) -> tuple[int, str] | None:
        if self._handle is None or row <= self._row:
            self._start()
            self._header()
        while self._row < row:
            found = self._next()
            if found is None:
                return None
            self._row += 1
            if self._row == row:
                return found
        return None

    def _next(self) -> tuple[int, str] | None:
        """The next record that is not blank: (its first line, its text), or None at the end of the file."""
        while True:
            text = self._handle.readline()
            if not text:
                return None
            self._line += 1
            first = self._line
            text = self._more(text)
            if text.strip("\r\n"):
                return first, text

    def _more(self, text: str) -> str:
        return text

    def _header(self) -> None:
        pass

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


class _CsvReader(_TextReader):
    def __init__(self, path: Path, encoding: str, delimiter: str) -> None:
        super().__init__(path, encoding)
        self._delimiter = delimiter
        self._columns: list[str] = []

    def _header(self) -> None:
        found = self._next()
        self._columns = next(csv.reader([found[1]], delimiter=self._delimiter), []) if found else []

    def _more(self, text: str) -> str:
        """The whole record: lines are added while a quoted field is open at the end of the text so far."""
        while '"' in text and _open_quote(text, self._delimiter):
            if len(text) > MAX_RECORD:
                raise ValueError("a record longer than any the engine reads: the file is not what was audited")
            more = self._handle.readline()
            if not more:
                break
            self._line += 1
            text += more
        return text

    def cell(self, row: int, column: str) -> Cell | None:
        found = self.record(row)
        if found is None or column not in self._columns:
            return None
        first_line, text = found
        span = field_span(text, self._columns.index(column), self._delimiter)
        return _text_cell(column, first_line, text, span) if span else None


class _JsonLinesReader(_TextReader):
    def __init__(self, path: Path) -> None:
        super().__init__(path, "utf-8")

    def record(self, row: int) -> tuple[int, str] | None:
        """The record on line ``row`` (a JSON Lines record's row is its line): ``(row, text)``, or None."""
        if self._handle is None or row <= self._line:
            self._start()
        while self._line < row:
            text = self._handle.readline()
            if not text:
                return None
            self._line += 1
        return (row, text) if text.strip("\r\n") else None

    def cell(self, row: int, column: str) -> Cell | None:
        found = self.record(row)
        if found is None:
            return None
        first_line, text = found
        span = value_span(text, column)
        return _text_cell(column, first_line, text, span) if span else None


class _SheetReader(_Reader):
    def __init__(self, path: Path) -> None:
        self._path = path
        self._sheet: tuple[str, list[str]] | None = None

    def sheet(self) -> str:
        return self._read()[0]

    def cell(self, row: int, column: str) -> Cell | None:
        name, header = self._read()
        if column not in header:
            return Cell(column, sheet=name)
        return Cell(column, sheet=name, address=f"{column_letters(header.index(column))}{row + 1}")

    def _read(self) -> tuple[str, list[str]]:
        """The first sheet's name and header row, read once."""
        if self._sheet is None:
            from python_calamine import CalamineWorkbook

            check_workbook(self._path, str(self._path), DataError)
            book = CalamineWorkbook.from_path(str(self._path))
            rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False, nrows=1)
            self._sheet = (book.sheet_names[0], [_header_text(v) for v in (rows[0] if rows else [])])
        return self._sheet


def _header_text(value) -> str:
    """A header cell as the reader writes it: text as it is, a whole number without ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _open_quote(text: str, delimiter: str) -> bool:
    """Whether ``text`` (the start of a CSV record) ends inside a quoted field."""
    position = 0
    while True:
        if text.startswith('"', position):
            position += 1
            while True:
                quote = text.find('"', position)
                if quote < 0:
                    return True
                position = quote + 1
                if not text.startswith('"', position):
                    break
                position += 1  # a doubled quote inside the field
        position = text.find(delimiter, position)
        if position < 0:
            return False
        position += len(delimiter)


def field_span(text: str, index: int, delimiter: str) -> tuple[int, int] | None:
    """Start and end offsets in ``text`` (one CSV record) of its ``index``-th field (from 0), quotes included; None if fewer."""
    position, field = 0, 0
    while True:
        start = position
        if text.startswith('"', position):
            position += 1
            while True:
                quote = text.find('"', position)
                if quote < 0:
                    position = len(text)
                    break
                position = quote + 1
                if not text.startswith('"', position):
                    break
                position += 1  # a doubled quote inside the field
        while position < len(text) and text[position] not in (delimiter, "\r", "\n"):
            position += 1
        if field == index:
            return start, position
        if not text.startswith(delimiter, position):
            return None
        position += len(delimiter)
        field += 1


def value_span(text: str, key: str) -> tuple[int, int] | None:
    """Start and end offsets in ``text`` (one JSON object) of the value of its top-level ``key``; None if absent."""
    position = _skip(text, 0)
    if not text.startswith("{", position):
        return None
    position = _skip(text, position + 1)
    while text.startswith('"', position):
        name, position = json.decoder.scanstring(text, position + 1)
        position = _skip(text, position)
        if not text.startswith(":", position):
            return None
        start = _skip(text, position + 1)
        _, end = _DECODE.raw_decode(text, start)
        if name == key:
            return start, end
        position = _skip(text, end)
        if not text.startswith(",", position):
            return None
        position = _skip(text, position + 1)
    return None


def _skip(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _text_cell(column: str, first_line: int, text: str, span: tuple[int, int]) -> Cell:
    start_line, start_column = _line_column(first_line, text, span[0])
    end_line, end_column = _line_column(first_line, text, span[1])
    return Cell(column, start_line, start_column, end_line, end_column)


def _line_column(first_line: int, text: str, offset: int) -> tuple[int, int]:
    """(line, UTF-16 column from 1) of ``offset`` in a record that starts on ``first_line``."""
    line_start = max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1
    line = first_line + text.count("\n", 0, offset) + text.count("\r", 0, offset) - text.count("\r\n", 0, offset)
    return line, len(text[line_start:offset].encode("utf-16-le")) // 2 + 1


def column_letters(index: int) -> str:
    """A spreadsheet's column name of the ``index``-th column from 0: A … Z, AA, AB …"""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
