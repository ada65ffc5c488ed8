"""Writing roster spreadsheets: the export, the import template and the error report, on
partybuild.xlsx.SheetWriter (text cells written as text, formulas neutralized)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import IO, Any

from members.imports.columns import COLUMNS
from partybuild.xlsx import SheetWriter


class RosterWriter(SheetWriter):
    """A sheet named 党员信息 unless told otherwise."""

    def __init__(self, target: str | IO[bytes], sheet_name: str = "党员信息") -> None:
        super().__init__(target, sheet_name)


def write_template(target: str | IO[bytes]) -> None:
    """The import template: every header, one example row, and a notes sheet."""
    writer = RosterWriter(target)
    writer.header([c.header for c in COLUMNS], widths={3: 22})
    writer.write([c.example for c in COLUMNS])
    notes = writer.book.add_worksheet("填写说明")
    bold = writer.book.add_format({"bold": True})
    notes.set_column(0, 0, 18)
    notes.set_column(1, 1, 10)
    notes.set_column(2, 2, 80)
    notes.write_row(0, 0, ["列名", "是否必填", "说明"], bold)
    for i, c in enumerate(COLUMNS, start=1):
        notes.write_string(i, 0, c.header)
        notes.write_string(i, 1, "必填" if c.required else "")
        notes.write_string(i, 2, c.note or ("不导入" if c.field is None else ""))
    tail = len(COLUMNS) + 2
    for j, line in enumerate(
        [
            "1. 列的顺序不限，按表头名称识别；表头前可以有标题行；不认识的列会被忽略并在预览中列出。",
            "2. 以公民身份号码匹配已有党员：已有则更新，没有则新增；导入不会删除任何党员。",
            "3. 日期可写作 2019-07-01、2019/7/1、2019.07.01、2019.7、20190701、2019年7月1日，或使用Excel日期格式。",
            "4. 文件中只要有一行错误，整个文件都不会导入；可下载错误报告，改正后重新上传。",
            "5. 支持 .xlsx、.xls 和 .csv（UTF-8 或 GB18030 编码）。",
        ]
    ):
        notes.write_string(tail + j, 0, line)
    writer.close()


def write_rows(
    target: str | IO[bytes], headers: Sequence[str], rows: Iterable[Sequence[Any]], error_col: int | None = None
) -> int:
    writer = RosterWriter(target)
    writer.header(headers)
    count = 0
    for row in rows:
        writer.write(row, error_col=error_col)
        count += 1
    writer.close()
    return count
