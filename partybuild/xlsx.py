"""Writing spreadsheets: one sheet with a header and typed cells, safe to open.

Not about any domain: the roster export, its import template and error report, and the meeting
list export use it. XlsxWriter in constant-memory mode writes rows as they come (about twice as
fast as openpyxl). Every text cell is written as text: a value a spreadsheet would run as a
formula (starting with = + - @, tab or CR) gets a leading apostrophe, which the roster importer
removes again.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import IO, Any

import xlsxwriter

# What makes a spreadsheet run a text cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralize_formula(value: Any) -> Any:
    """For export: a text cell a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_workbook(target: str | IO[bytes]) -> xlsxwriter.Workbook:
    """A workbook written row by row (constant memory) that stores every string as text: nothing
    typed by a user becomes a formula, a link or a number in Excel."""
    return xlsxwriter.Workbook(
        target,
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )


class SheetWriter:
    def __init__(self, target: str | IO[bytes], sheet_name: str) -> None:
        self.book = safe_workbook(target)
        self.sheet = self.book.add_worksheet(sheet_name)
        self.header_format = self.book.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1})
        self.date_format = self.book.add_format({"num_format": "yyyy-mm-dd"})
        self.error_format = self.book.add_format({"font_color": "#C00000"})
        self.row = 0

    def header(self, headers: Sequence[str], widths: dict[int, int] | None = None) -> None:
        for col, title in enumerate(headers):
            self.sheet.write_string(self.row, col, title, self.header_format)
            width = (widths or {}).get(col) or max(8, min(40, len(title) * 2 + 2))
            self.sheet.set_column(col, col, width)
        self.sheet.freeze_panes(self.row + 1, 0)
        self.row += 1

    def write(self, values: Sequence[Any], error_col: int | None = None) -> None:
        for col, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, datetime.datetime):
                value = value.date()
            if isinstance(value, datetime.date):
                self.sheet.write_datetime(self.row, col, datetime.datetime(value.year, value.month, value.day), self.date_format)
            elif isinstance(value, bool):
                self.sheet.write_string(self.row, col, "是" if value else "否")
            elif isinstance(value, int | float):
                self.sheet.write_number(self.row, col, value)
            else:
                cell_format = self.error_format if col == error_col else None
                self.sheet.write_string(self.row, col, neutralize_formula(str(value)), cell_format)
        self.row += 1

    def close(self) -> None:
        self.book.close()
