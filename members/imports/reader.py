"""Reading a roster file: .xlsx through xlsx2csv, .xls through python-calamine, .csv in UTF-8
(with or without BOM) or GB18030, as Chinese Excel writes it.

An .xlsx is converted sheet by sheet into a temporary CSV by xlsx2csv, which parses the sheet
XML with expat as a stream: a whole province (200,000 rows) in about 24 s and 20 MB, where
openpyxl takes twice as long and calamine holds the whole sheet in memory (about 500 MB). Date
cells come out as ISO dates and number cells as floats, as other readers give them. The old binary .xls (rare, and
small) still goes through calamine. The header row is found by its Chinese headers and may
follow title rows; blank rows are skipped; row numbers are the spreadsheet's own.
"""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .columns import BY_HEADER, REQUIRED_HEADERS, Column, normalize_header
from .normalize import text

HEADER_SEARCH_ROWS = 30
SUPPORTED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")


class FileError(ValueError):
    """The file as a whole cannot be read; the message is for the user."""


@dataclass
class RosterSheet:
    header_row: int  # 1-based row number of the header
    columns: dict[int, Column]  # column index → the column it feeds
    unknown_headers: list[str]  # headers we do not know: ignored, listed in the preview
    unstored_headers: list[str]  # national headers we recognise but do not store (党龄, ...)
    total_rows: int  # rows after the header, blanks included (for progress)
    raw_headers: list[str] = field(default_factory=list)
    _rows: Iterator[list[Any]] = field(repr=False, default=iter(()))
    _first_data_row: int = 0

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """(1-based row number, raw cells) for each non-blank row after the header."""
        number = self._first_data_row
        for cells in self._rows:
            if any(c not in (None, "") and str(c).strip() for c in cells):
                yield number, cells
            number += 1


def _decode_csv(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise FileError("无法识别CSV文件的编码，请另存为“CSV UTF-8”或用Excel保存为.xlsx后再上传。") from None


def _locate_header(first_rows: list[list[Any]]) -> tuple[int, dict[int, Column], list[str], list[str]]:
    best: tuple[int, dict[int, Column], list[str], list[str]] | None = None
    for index, cells in enumerate(first_rows):
        mapping: dict[int, Column] = {}
        unknown: list[str] = []
        for col, raw in enumerate(cells):
            header = normalize_header(raw)
            if not header:
                continue
            column = BY_HEADER.get(header)
            if column is None:
                unknown.append(header)
            elif column not in mapping.values():
                mapping[col] = column
        if len(mapping) >= 3 and any(c.header in ("姓名", "公民身份号码") for c in mapping.values()):
            unstored = [c.header for c in mapping.values() if c.field is None]
            best = (index, mapping, unknown, unstored)
            break
    if best is None:
        raise FileError(
            f"在前{HEADER_SEARCH_ROWS}行中没有找到表头。表头应包含“姓名”“公民身份号码”“所在党支部”等列，可下载导入模板对照。"
        )
    present = {c.header for c in best[1].values()}
    missing = [h for h in REQUIRED_HEADERS if h not in present]
    if missing:
        raise FileError(f"缺少必需的列：{'、'.join(missing)}。")
    return best


def _raw(cells: list[Any]) -> list[str]:
    headers = [text(c) for c in cells]
    while headers and not headers[-1]:
        headers.pop()
    return headers


# A sheet to search for the roster: its rows, and how many rows it has (for the progress bar).
Sheet = tuple[Iterator[list[Any]], int]
# Number cells come out of xlsx2csv as text; this marks them (a control character no XML text can
# hold) so that they are read back as numbers: an ID number typed into a number cell has lost its
# last digits, and the rules must say so rather than call it a bad checksum.
NUMBER_MARK = "\x01"
NUMBER_FORMAT = "%.17g" + NUMBER_MARK
UNREADABLE = "无法读取该Excel文件，请确认文件未损坏、未加密。"


def _xlsx_sheets(path: str | Path) -> Iterator[Sheet]:
    """Each sheet of an .xlsx as a stream of rows of text. Row i of the stream is spreadsheet row
    i + 1: xlsx2csv writes the empty rows between the stored ones."""
    from xlsx2csv import Xlsx2csv, XlsxException

    try:
        converter = Xlsx2csv(
            str(path),
            dateformat="%Y-%m-%d",
            skip_empty_lines=False,
            skip_hidden_rows=False,  # hidden rows are still rows of the roster
            ignore_invalid_char_data=True,
            floatformat=NUMBER_FORMAT,
            outputencoding="utf-8",
        )
    except (XlsxException, OSError, KeyError, ValueError, TypeError, AttributeError, zipfile.BadZipFile):
        raise FileError(UNREADABLE) from None
    try:
        for sheet in converter.workbook.sheets:
            # Closed by _spooled_rows once read (or by the garbage collector if the sheet is skipped).
            spool = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")  # noqa: SIM115
            try:
                converter.convert(spool, sheetid=sheet["index"])
            except (XlsxException, KeyError, ValueError, TypeError, AttributeError, zipfile.BadZipFile):
                spool.close()
                raise FileError(UNREADABLE) from None
            spool.seek(0)
            count = sum(1 for _ in csv.reader(spool))
            spool.seek(0)
            yield _spooled_rows(spool), count
    finally:
        converter.close()


def _spooled_rows(spool: Any) -> Iterator[list[Any]]:
    with spool:
        for row in csv.reader(spool):
            yield [float(c[:-1]) if c.endswith(NUMBER_MARK) else c for c in row]


def _xls_sheets(path: str | Path) -> Iterator[Sheet]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception:
        raise FileError(UNREADABLE) from None
    for name in workbook.sheet_names:
        sheet = workbook.get_sheet_by_name(name)
        yield iter(sheet.iter_rows()), (sheet.end[0] + 1) if sheet.end else 0


def _first_roster_sheet(sheets: Iterator[Sheet]) -> RosterSheet:
    """The first sheet whose first rows hold a roster header."""
    last_error: FileError | None = None
    for iterator, sheet_rows in sheets:
        first = []
        for row in iterator:
            first.append(row)
            if len(first) >= HEADER_SEARCH_ROWS:
                break
        try:
            index, mapping, unknown, unstored = _locate_header(first)
        except FileError as exc:
            last_error = exc
            continue
        rest = first[index + 1 :]

        def _rows(rest: list[list[Any]] = rest, iterator: Iterator[list[Any]] = iterator) -> Iterator[list[Any]]:
            yield from rest
            yield from iterator

        total = max(sheet_rows - index - 1, 0)
        return RosterSheet(index + 1, mapping, unknown, unstored, total, _raw(first[index]), _rows(), index + 2)
    raise last_error or FileError("文件中没有工作表。")


def open_roster(path: str | Path, filename: str) -> RosterSheet:
    suffix = Path(filename).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise FileError("只支持 .xlsx、.xls 和 .csv 文件。")
    if suffix == ".csv":
        text = _decode_csv(Path(path).read_bytes())
        reader = csv.reader(io.StringIO(text, newline=""))
        first = []
        for row in reader:
            first.append(row)
            if len(first) >= HEADER_SEARCH_ROWS:
                break
        index, mapping, unknown, unstored = _locate_header(first)
        lines = text.count("\n") + (0 if text.endswith("\n") else 1)
        total = lines - index - 1  # data lines after the header (blank ones included)
        rest = first[index + 1 :]

        def _csv_rows() -> Iterator[list[Any]]:
            yield from rest
            yield from reader

        return RosterSheet(index + 1, mapping, unknown, unstored, max(total, 0), _raw(first[index]), _csv_rows(), index + 2)

    if suffix in (".xlsx", ".xlsm"):
        return _first_roster_sheet(_xlsx_sheets(path))
    return _first_roster_sheet(_xls_sheets(path))
