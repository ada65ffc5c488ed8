"""Stream an .xlsx workbook to standard output as CSV, sheet after sheet, in a process of its own.

    python members/imports/xlsx_stream.py ROSTER.xlsx

Run by members.imports.reader as a child process (it imports nothing from Django), so that
parsing the sheet XML (xlsx2csv, expat: the slow part of an import) runs on another core while
the importer judges the rows it has already read, and the web request or task never holds a
whole sheet in memory.

Each sheet starts with a marker row ``\\x02,<sheet index>,<row count>`` (the count from the
sheet's ``<dimension>``, or from counting its rows when a writer left that out); the sheet's rows
follow, one CSV row per spreadsheet row, empty rows included, so row i of a sheet is spreadsheet
row i. Number cells end with ``\\x01`` so that they are read back as numbers (no XML text can hold
either control character). Exit status 0 when every sheet was written, 2 when the file cannot be
read (nothing about its content is printed: a roster holds ID numbers).
"""

from __future__ import annotations

import csv
import io
import os
import re
import sys
import zipfile
from typing import Any

SHEET_MARK = "\x02"
NUMBER_MARK = "\x01"
NUMBER_FORMAT = "%.17g" + NUMBER_MARK
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"(?:[A-Z]+\d+:)?[A-Z]+(\d+)\"")
_ROW = re.compile(rb"<(?:\w+:)?row[\s>]")


def _sheet_path(converter: Any, sheet: dict[str, Any]) -> str | None:
    """The sheet's XML inside the zip, found as xlsx2csv finds it (workbook relationships)."""
    relation = converter.workbook.relationships.relationships.get(sheet.get("relation_id"), {})
    target = relation.get("target")
    if not target:
        return f"xl/worksheets/sheet{sheet['index']}.xml"
    target = target.lstrip("/")
    return target if target.startswith("xl/") else f"xl/{target}"


def _row_count(book: zipfile.ZipFile, path: str | None) -> int:
    """Rows of a sheet: its <dimension>, else a count of its <row> elements (a stream, no parse)."""
    if path is None or path not in book.NameToInfo:
        return 0
    with book.open(path) as handle:
        head = handle.read(8192)
        found = _DIMENSION.search(head)
        if found:
            return int(found.group(1))
        # Matches starting in the last bytes of a chunk are left for the next one (a tag may be cut).
        count, tail, chunk = 0, b"", head
        while chunk:
            data = tail + chunk
            cut = max(len(data) - 32, 0)
            count += sum(1 for match in _ROW.finditer(data) if match.start() < cut)
            tail, chunk = data[cut:], handle.read(1 << 20)
        count += len(_ROW.findall(tail))
        return count


# A workbook that makes the parser balloon (a zip bomb, a corrupt sheet) ends this process with
# a MemoryError instead of taking the server's memory: reading a province's roster needs < 100 MB.
MEMORY_LIMIT = 1536 * 1024 * 1024


def main(path: str) -> int:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    from xlsx2csv import Xlsx2csv

    out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
    try:
        converter = Xlsx2csv(
            path,
            dateformat="%Y-%m-%d",
            skip_empty_lines=False,
            skip_hidden_rows=False,  # hidden rows are still rows of the roster
            ignore_invalid_char_data=True,
            floatformat=NUMBER_FORMAT,
            outputencoding="utf-8",
        )
        writer = csv.writer(out)
        with zipfile.ZipFile(path) as book:
            for sheet in converter.workbook.sheets:
                writer.writerow([SHEET_MARK, sheet["index"], _row_count(book, _sheet_path(converter, sheet))])
                converter.convert(out, sheetid=sheet["index"])
        out.flush()
    except BrokenPipeError:
        # The reader had what it needed (a header check, or it stopped early) and went away.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # any failure means "unreadable"; only its type is told
        print(f"xlsx_stream: {type(exc).__name__}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
