"""Reading a roster file: .xlsx through xlsx2csv in a child process, .xls through python-calamine,
.csv in UTF-8 (with or without BOM) or GB18030, as Chinese Excel writes it.

An .xlsx is converted by xlsx2csv (expat, a stream) in a child process (xlsx_stream.py) and read
from its output as it comes: memory stays flat (calamine holds a whole sheet, about 500 MB for a
province), and the parsing, the slow part, runs on another core while the importer judges the
rows already read. Date cells come out as ISO dates and number cells as floats, as other readers
give them. The old binary .xls (rare, at most 65,536 rows) still goes through calamine. The
header row is found by its Chinese headers and may follow title rows; blank rows are skipped;
row numbers are the spreadsheet's own.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import queue
import subprocess
import sys
import threading
import weakref
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from members.imports.columns import BY_HEADER, REQUIRED_HEADERS, Column, normalize_header
from members.imports.normalize import text
from members.imports.xlsx_stream import NUMBER_MARK, SHEET_MARK

logger = logging.getLogger(__name__)

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

    def close(self) -> None:
        """Stop reading (ends the .xlsx reader's child process); the rows end there."""

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
UNREADABLE = "无法读取该Excel文件，请确认文件未损坏、未加密。"
TIMED_OUT = "读取Excel文件超时（5分钟没有读出新的内容），请确认文件未损坏，或另存为新文件后重试。"
# The reader child writes rows continuously; this long without any means it hangs.
READ_TIMEOUT = 300
_WORKER = Path(__file__).with_name("xlsx_stream.py")


def _stop(process: subprocess.Popen[bytes], drain: _Drain) -> None:
    drain.stop()
    if process.poll() is None:
        process.kill()
    process.wait()
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            stream.close()


class _Drain:
    """The child's output as lines of text. A thread reads the pipe as fast as the child writes
    (up to 64 MB ahead), so the child goes on parsing while the importer judges a chunk of rows
    or waits on the database, instead of stopping at a full 64 KB pipe."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._chunks: queue.Queue[bytes] = queue.Queue(maxsize=64)
        self._stopped = threading.Event()
        threading.Thread(target=self._run, args=(stream,), name="xlsx-reader", daemon=True).start()

    def _put(self, chunk: bytes) -> None:
        while not self._stopped.is_set():
            try:
                self._chunks.put(chunk, timeout=0.2)
                return
            except queue.Full:
                continue

    def _run(self, stream: IO[bytes]) -> None:
        try:
            while not self._stopped.is_set() and (chunk := stream.read1(1 << 20)):  # type: ignore[attr-defined]
                self._put(chunk)
        except (OSError, ValueError):  # the pipe was closed: the sheet was closed early
            pass
        finally:
            self._put(b"")

    def stop(self) -> None:
        """Let the thread end and drop what it buffered (the reader was closed early)."""
        self._stopped.set()
        while not self._chunks.empty():
            self._chunks.get_nowait()

    def lines(self) -> Iterator[str]:
        decoder = codecs.getincrementaldecoder("utf-8")()
        pending = ""
        while True:
            try:
                chunk = self._chunks.get(timeout=READ_TIMEOUT)
            except queue.Empty:
                raise FileError(TIMED_OUT) from None
            text = pending + decoder.decode(chunk, final=not chunk)
            if not chunk:
                if text:
                    yield text
                return
            lines = text.split("\n")
            pending = lines.pop()
            for line in lines:
                yield line + "\n"


class _XlsxStream:
    """The rows of an .xlsx, converted by xlsx_stream.py in a child process and read from its
    output sheet by sheet. Number cells arrive marked and are read back as numbers: an ID number
    typed into a number cell has lost its last digits, and the rules must say so rather than call
    it a bad checksum."""

    def __init__(self, path: str | Path) -> None:
        if not zipfile.is_zipfile(path):
            raise FileError(UNREADABLE)
        # -I: the script's folder (members/imports) must not shadow any module xlsx2csv imports.
        self.process = subprocess.Popen(
            [sys.executable, "-I", str(_WORKER), str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,  # one line at most: the type of the error that stopped it
        )
        assert self.process.stdout is not None
        drain = _Drain(self.process.stdout)
        self._reader = csv.reader(drain.lines())
        self._pending: list[str] | None = None  # the next sheet's marker, read ahead
        # A reader dropped half-way still ends the child (it would otherwise wait on a full pipe).
        self.close = weakref.finalize(self, _stop, self.process, drain)

    def _next(self) -> list[str] | None:
        row = next(self._reader, None)
        if row is None and self.process.wait() != 0:
            assert self.process.stderr is not None
            # Only the child's own one-line account (an exception type, never a cell's content).
            logger.warning("xlsx reader failed: %s", self.process.stderr.read(200).decode("utf-8", "replace").strip())
            raise FileError(UNREADABLE)
        return row

    def _rows(self) -> Iterator[list[Any]]:
        while (row := self._next()) is not None:
            if row and row[0] == SHEET_MARK:
                self._pending = row
                return
            yield [float(c[:-1]) if c.endswith(NUMBER_MARK) else c for c in row]

    def sheets(self) -> Iterator[Sheet]:
        marker = self._next()
        while marker is not None:
            if not marker or marker[0] != SHEET_MARK:
                raise FileError(UNREADABLE)
            rows = self._rows()
            yield rows, int(marker[2])
            for _ in rows:  # the rest of a sheet that was not the roster
                pass
            marker, self._pending = self._pending, None


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
    """The roster in the file: its header found, its rows ready to stream. Call ``close()`` when
    done (an .xlsx is read by a child process)."""
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
        stream = _XlsxStream(path)
        try:
            sheet = _first_roster_sheet(stream.sheets())
        except BaseException:
            stream.close()
            raise
        sheet.close = stream.close  # type: ignore[method-assign]
        return sheet
    return _first_roster_sheet(_xls_sheets(path))
