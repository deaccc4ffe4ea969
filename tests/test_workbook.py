"""The workbook check: hostile XLSX files are one-line errors, real ones pass and stay readable.

Every hostile file is built here, small: a zip bomb's sheet is one deflate block
of repeated rows, written again and again (each block is flushed whole, so the
copies chain into one valid stream), and never unpacked by the test.
"""

from __future__ import annotations

import re
import shutil
import struct
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook
from support import ROOT

from clausewise import workbook
from clausewise.cli import cli
from clausewise.errors import Collector, DataError, PolicyError
from clausewise.policy.decision import parse_tables
from clausewise.policy.yamlfile import parse_yaml
from clausewise.workbook import check_workbook

SAMPLE = ROOT / "samples" / "ops-support" / "2026-10"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = {
    "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                           '<Default Extension="xml" ContentType="application/xml"/></Types>',
    "_rels/.rels": f'<?xml version="1.0"?><Relationships xmlns="{RELATIONSHIPS}"><Relationship Id="rId1" '
                   f'Type="{OFFICE}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": f'<?xml version="1.0"?><workbook xmlns="{MAIN}" xmlns:r="{OFFICE}"><sheets>'
                       '<sheet name="data" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": f'<?xml version="1.0"?><Relationships xmlns="{RELATIONSHIPS}"><Relationship Id="rId1" '
                                  f'Type="{OFFICE}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
}
SHEET = "xl/worksheets/sheet1.xml"
SHEET_HEAD = f'<?xml version="1.0"?><worksheet xmlns="{MAIN}" xmlns:x="{MAIN}"><dimension ref="A1"/><sheetData>'
SHEET_TAIL = "</sheetData></worksheet>"
FAR_CELL = '<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'


def _workbook(path: Path, rows: str, **parts: str) -> Path:
    """A minimal workbook whose first sheet holds ``rows``; ``parts`` adds or replaces parts by name."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in {**PACKAGE, SHEET: SHEET_HEAD + rows + SHEET_TAIL, **parts}.items():
            archive.writestr(name, text)
    return path


def _raw_zip(path: Path, parts: dict[str, tuple[bytes, int, int]]) -> Path:
    """A zip written by hand: name → (deflate stream, CRC-32, the size its headers declare)."""
    local, central = b"", b""
    for name, (packed, crc, size) in parts.items():
        encoded = name.encode()
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc, len(packed), size,
                               len(encoded), 0, 0, 0, 0, 0, len(local)) + encoded
        local += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(packed), size, len(encoded), 0)
        local += encoded + packed
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(parts), len(parts), len(central), len(local), 0)
    path.write_bytes(local + central + end)
    return path


def _packed(text: str) -> tuple[bytes, int, int]:
    data = text.encode()
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
    return squeeze.compress(data) + squeeze.flush(), zlib.crc32(data), len(data)


def _repeated_sheet(copies: int) -> tuple[bytes, int, int, int]:
    """A sheet of ``copies`` MB-blocks of one repeated row: (deflate stream, CRC-32, size, block size)."""
    block = b'<row><c t="inlineStr"><is><t>zip bomb</t></is></c></row>' * 18_724  # 56 bytes × 18,724 = 1,048,544
    head, tail = SHEET_HEAD.encode(), SHEET_TAIL.encode()
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed_head = squeeze.compress(head) + squeeze.flush(zlib.Z_FULL_FLUSH)
    packed_block = squeeze.compress(block) + squeeze.flush(zlib.Z_FULL_FLUSH)
    assert squeeze.compress(block) + squeeze.flush(zlib.Z_FULL_FLUSH) == packed_block  # the same bytes every time
    packed = packed_head + packed_block * copies + squeeze.compress(tail) + squeeze.flush()
    crc = zlib.crc32(head)
    for _ in range(copies):
        crc = zlib.crc32(block, crc)
    return packed, zlib.crc32(tail, crc), len(head) + copies * len(block) + len(tail), len(block)


def _refusal(path: Path, error: type = DataError) -> str:
    with pytest.raises(error) as caught:
        check_workbook(path, path.name, error)
    return str(caught.value)


def _grid(path: Path) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)


# ---- real workbooks pass, and calamine still reads them ---------------------------------
def test_bundled_sample_passes_and_reads():
    check_workbook(SAMPLE / "staff.xlsx", "staff.xlsx", DataError)
    grid = _grid(SAMPLE / "staff.xlsx")
    sheet = openpyxl.load_workbook(SAMPLE / "staff.xlsx", read_only=True).worksheets[0]
    assert len(grid) == sheet.max_row and len(grid[0]) == sheet.max_column  # two readers agree on the used range
    assert grid[0][0] == "employee_id"


def test_openpyxl_workbook_passes_at_exactly_its_used_range(tmp_path, monkeypatch):
    book = openpyxl.Workbook()
    book.active.append(["id", "score"])
    book.active.append(["S-1", 3])
    book.active.append(["S-2", 4.5])
    book.save(tmp_path / "t.xlsx")
    monkeypatch.setattr(workbook, "MAX_CELLS", 6)  # A1:B3 is 3 rows × 2 columns = 6 cells
    check_workbook(tmp_path / "t.xlsx", "t.xlsx", DataError)
    assert _grid(tmp_path / "t.xlsx") == [["id", "score"], ["S-1", 3.0], ["S-2", 4.5]]
    monkeypatch.setattr(workbook, "MAX_CELLS", 5)
    assert _refusal(tmp_path / "t.xlsx") == "t.xlsx: the first sheet's used range A1:B3 holds 6 cells; the limit is 5"


def test_empty_styled_cells_do_not_count(tmp_path, monkeypatch):
    # calamine keeps only cells with a value: <c r="Z99" s="1"/> (formatting, no value) leaves the range at A1:A1
    path = _workbook(tmp_path / "t.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row><row r="99"><c r="Z99" s="1"/></row>')
    monkeypatch.setattr(workbook, "MAX_CELLS", 1)
    check_workbook(path, "t.xlsx", DataError)
    assert _grid(path) == [[1.0]]


# ---- the used range ---------------------------------------------------------------------
def test_far_cell_behind_a_small_dimension_is_refused(tmp_path):
    path = _workbook(tmp_path / "far.xlsx", FAR_CELL)  # <dimension ref="A1"/> says one cell
    assert path.stat().st_size < 3000
    # 1,048,576 rows × 16,384 columns = 17,179,869,184 cells
    assert _refusal(path) == "far.xlsx: the first sheet's used range A1:XFD1048576 holds 17,179,869,184 cells; the limit is 20,000,000"


def test_a_second_r_attribute_is_not_trusted(tmp_path):
    # calamine takes the later r; the check refuses the tag (XML allows each attribute once)
    path = _workbook(tmp_path / "t.xlsx", '<row r="1"><c r="A1" r="XFD1048576" s="1"><v>1</v></c></row>')
    assert _refusal(path).startswith("t.xlsx: the first sheet is not well-formed XML")


def test_a_quoted_greater_than_does_not_hide_the_reference(tmp_path):
    path = _workbook(tmp_path / "t.xlsx", '<row r="1"><c x="&gt;>" r="XFD1048576"><v>1</v></c></row>')
    assert _refusal(path).endswith("used range A1:XFD1048576 holds 17,179,869,184 cells; the limit is 20,000,000")


def test_cells_without_references_are_placed_as_calamine_places_them(tmp_path, monkeypatch):
    # row 2: A2, B2, then E2 by reference, F2 after it; the next row (3) starts again at A3 → A1:F3, 3 × 6 = 18 cells
    rows = ('<x:row r="2"><x:c><x:v>1</x:v></x:c><c><v>2</v></c><c r="E2"><v>3</v></c><c><v>4</v></c></x:row>'
            "<row><c><v>5</v></c></row>")
    path = _workbook(tmp_path / "t.xlsx", rows)
    monkeypatch.setattr(workbook, "MAX_CELLS", 18)
    check_workbook(path, "t.xlsx", DataError)
    assert CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).end == (2, 5)  # F3, counted from 0
    monkeypatch.setattr(workbook, "MAX_CELLS", 17)
    assert _refusal(path) == "t.xlsx: the first sheet's used range A1:F3 holds 18 cells; the limit is 17"


def test_cells_past_excel_columns_are_refused(tmp_path):
    # 16,385 cells without a reference in one row: the last is one column right of XFD
    path = _workbook(tmp_path / "t.xlsx", "<row>" + "<c><v>1</v></c>" * 16_385 + "</row>")
    assert _refusal(path) == "t.xlsx: the first sheet has a cell right of column XFD (16,384), where Excel's sheets end"


def test_cells_past_excel_rows_are_refused(tmp_path):
    path = _workbook(tmp_path / "t.xlsx", '<row r="1048577"><c r="A1048577"><v>1</v></c></row>')
    assert _refusal(path) == "t.xlsx: the first sheet has a cell below row 1,048,576, where Excel's sheets end"


def test_the_first_sheet_is_found_through_the_workbook_and_its_rels(tmp_path):
    # workbook.xml lists "far" first, through rId7 → sheets/far.xml; the part named sheet1.xml is not it
    path = _workbook(
        tmp_path / "t.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row>',
        **{"xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="{OFFICE}"><sheets><sheet name="far" sheetId="2" r:id="rId7"/>'
                              '<sheet name="data" sheetId="1" r:id="rId1"/></sheets></workbook>',
           "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{RELATIONSHIPS}">'
                                         f'<Relationship Id="rId1" Type="{OFFICE}/worksheet" Target="worksheets/sheet1.xml"/>'
                                         f'<Relationship Id="rId7" Type="{OFFICE}/worksheet" Target="/xl/Sheets/FAR.xml"/>'
                                         "</Relationships>",
           "xl/sheets/far.xml": SHEET_HEAD + FAR_CELL + SHEET_TAIL})
    assert "A1:XFD1048576" in _refusal(path)


def test_shared_strings_claiming_too_many_are_refused(tmp_path):
    sst = f'<?xml version="1.0"?><sst xmlns="{MAIN}" count="1" uniqueCount="99999999999"><si><t>a</t></si></sst>'
    path = _workbook(tmp_path / "t.xlsx", '<row r="1"><c r="A1" t="s"><v>0</v></c></row>', **{"xl/sharedStrings.xml": sst})
    assert _refusal(path) == "t.xlsx: its shared strings table claims 99,999,999,999 strings; the limit is 20,000,000"


# ---- zip bombs --------------------------------------------------------------------------
def test_zip_bomb_is_refused_from_its_directory_alone(tmp_path, monkeypatch):
    packed, crc, size, block = _repeated_sheet(513)
    path = _raw_zip(tmp_path / "bomb.xlsx", {**{n: _packed(t) for n, t in PACKAGE.items()}, SHEET: (packed, crc, size)})
    assert path.stat().st_size < 2_000_000

    def never(*_args, **_kwargs):
        raise AssertionError("a part was opened")

    monkeypatch.setattr(zipfile.ZipFile, "open", never)
    # 513 blocks × 1,048,544 bytes = 537,903,072 bytes of rows alone, past 512 MiB = 536,870,912
    total = sum(len(t.encode()) for t in PACKAGE.values()) + size
    assert size == len(SHEET_HEAD) + 513 * block + len(SHEET_TAIL)
    assert _refusal(path) == f"bomb.xlsx: its parts unpack to {total:,} bytes; the limit is 536,870,912 (a zip bomb?)"


def test_part_packed_past_the_ratio_is_refused(tmp_path):
    packed, crc, size, _ = _repeated_sheet(20)  # about 20 MB of rows: under the total limit
    path = _raw_zip(tmp_path / "bomb.xlsx", {**{n: _packed(t) for n, t in PACKAGE.items()}, SHEET: (packed, crc, size)})
    ratio = size // len(packed)
    assert ratio > 100
    assert _refusal(path) == f'bomb.xlsx: part "{SHEET}" unpacks to {ratio:,} times its packed size; the limit is 100 (a zip bomb?)'


def test_a_header_that_understates_a_part_is_caught_while_unpacking(tmp_path):
    packed, crc, _, _ = _repeated_sheet(2)  # about 2 MB declared as 1,000 bytes: ratio and total look harmless
    path = _raw_zip(tmp_path / "lie.xlsx", {**{n: _packed(t) for n, t in PACKAGE.items()}, SHEET: (packed, crc, 1000)})
    assert _refusal(path) == f'lie.xlsx: part "{SHEET}" unpacks to more than the 1,000 bytes its zip header declares (a zip bomb?)'


def test_total_limit_counts_every_part(tmp_path, monkeypatch):
    path = _workbook(tmp_path / "t.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row>', **{"docProps/big.xml": "x" * 2000})
    with zipfile.ZipFile(path) as archive:
        total = sum(info.file_size for info in archive.infolist())
    assert total > 2000
    monkeypatch.setattr(workbook, "MAX_UNPACKED", total - 1)
    assert _refusal(path) == f"t.xlsx: its parts unpack to {total:,} bytes; the limit is {total - 1:,} (a zip bomb?)"


# ---- not a workbook ---------------------------------------------------------------------
def test_a_file_that_is_not_a_zip(tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"id,score\nS-1,3\n")
    assert _refusal(path) == "t.xlsx: not an XLSX workbook: the file is not a zip archive"


def test_a_zip_without_a_workbook(tmp_path):
    with zipfile.ZipFile(tmp_path / "t.xlsx", "w") as archive:
        archive.writestr("notes.txt", "hello")
    assert _refusal(tmp_path / "t.xlsx") == "t.xlsx: not an XLSX workbook: it has no _rels/.rels part"
    with zipfile.ZipFile(tmp_path / "u.xlsx", "w") as archive:
        archive.writestr("_rels/.rels", PACKAGE["_rels/.rels"])
    assert _refusal(tmp_path / "u.xlsx") == "u.xlsx: not an XLSX workbook: it has no workbook part (xl/workbook.xml)"


def test_parts_whose_names_differ_only_in_case_are_refused(tmp_path):
    # calamine finds parts ignoring case, so which of the two it reads is unclear
    path = _workbook(tmp_path / "t.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row>',
                     **{"xl/worksheets/Sheet1.xml": SHEET_HEAD + FAR_CELL + SHEET_TAIL})
    assert _refusal(path) == 't.xlsx: two parts of the zip are named "xl/worksheets/Sheet1.xml": which one is read is unclear'


# Three times the profile's examples (60 quick, 3,000 thorough).
@settings(max_examples=3 * settings().max_examples, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(min_value=0), st.sampled_from(b'<>"=/: rc9\x00\xff')), min_size=1, max_size=4))
def test_a_damaged_workbook_is_a_one_line_error_or_passes(tmp_path, damage):
    # stored, not deflated, so that a flipped byte lands in the zip's headers or in the XML itself
    with zipfile.ZipFile(tmp_path / "t.xlsx", "w", zipfile.ZIP_STORED) as archive:
        for name, text in {**PACKAGE, SHEET: SHEET_HEAD + '<row r="1"><c r="A1"><v>1</v></c></row>' + SHEET_TAIL}.items():
            archive.writestr(name, text)
    data = bytearray((tmp_path / "t.xlsx").read_bytes())
    for at, byte in damage:
        data[at % len(data)] = byte
    (tmp_path / "t.xlsx").write_bytes(bytes(data))
    try:
        check_workbook(tmp_path / "t.xlsx", "t.xlsx", DataError)
    except DataError as error:
        assert "\n" not in str(error) and str(error).startswith("t.xlsx: ")


def test_a_name_from_the_file_cannot_break_the_line(tmp_path):
    with zipfile.ZipFile(tmp_path / "t.xlsx", "w") as archive:
        archive.writestr("notes\nfake.txt", "a")
        archive.writestr("NOTES\nfake.txt", "b")
    assert _refusal(tmp_path / "t.xlsx") == 't.xlsx: two parts of the zip are named "NOTES\\nfake.txt": which one is read is unclear'


# ---- through the readers ----------------------------------------------------------------
def test_decision_table_workbook_is_a_policy_error(tmp_path):
    _workbook(tmp_path / "t.xlsx", FAR_CELL)
    errors = Collector()
    spec = parse_yaml("decision_tables:\n  t:\n    inputs: [a]\n    output: b\n    file: t.xlsx\n", "policy.yaml")
    parse_tables(spec["decision_tables"], tmp_path, errors)
    assert [type(e) for e in errors.errors] == [PolicyError]
    assert str(errors.errors[0]) == "t.xlsx: the first sheet's used range A1:XFD1048576 holds 17,179,869,184 cells; the limit is 20,000,000"


def test_audit_of_an_export_with_a_hostile_workbook_exits_2(tmp_path, root):
    export = Path(shutil.copytree(SAMPLE, tmp_path / "2026-10"))
    _workbook(export / "staff.xlsx", FAR_CELL)
    result = CliRunner().invoke(cli, ["audit", str(export), "--policy", "policies/ops-support.yaml"], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.output.strip() == (f"{export / 'staff.xlsx'}: the first sheet's used range A1:XFD1048576 holds "
                                     "17,179,869,184 cells; the limit is 20,000,000")


def test_limits_are_the_documented_ones():
    doc = re.sub(r"\s+", " ", workbook.__doc__)
    assert (workbook.MAX_UNPACKED, workbook.MAX_RATIO, workbook.MAX_CELLS) == (512 << 20, 100, 20_000_000)
    for text in ("``MAX_UNPACKED`` (512 MiB)", "``MAX_RATIO`` (100)", "``MAX_CELLS`` (20,000,000)", "(1,048,576 and 16,384)"):
        assert text in doc
