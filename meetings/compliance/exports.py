"""The compliance matrix as an Excel file: one row per organization, for each meeting type the
meetings held, the minimum required and the verdict, then the share of compliant 党支部.

XlsxWriter in constant-memory mode, as the roster export (partybuild.xlsx): rows go to disk
as they are written, so ten thousand organizations cost no more memory than ten. Every text cell
is written as text, and text a spreadsheet would run as a formula is neutralized.
"""

from __future__ import annotations

from typing import IO

from meetings.compliance.presenters import tree_levels
from meetings.compliance.selectors import NONE, STATE_LABELS, ComplianceReport
from partybuild.xlsx import neutralize_formula, safe_workbook

_INDENT = "\u3000"  # full-width space: the tree shows in the name column without merged cells


_STATE_COLOURS = {"met": "#E6F4EA", "failed": "#FCE8E6", "due": "#FFF4E5", "none": "#F1F3F4"}


def export_headers(report: ComplianceReport) -> list[str]:
    headers = ["党组织", "组织类型", "整体情况"]
    for _, label in report.type_labels:
        headers += [f"{label}·已召开", f"{label}·应召开", f"{label}·情况"]
    return [*headers, "党支部数", "达标党支部数", "达标党支部占比"]


def write_compliance(target: str | IO[bytes], report: ComplianceReport, title: str) -> int:
    """Write the report to ``target``; the number of organization rows written."""
    book = safe_workbook(target)
    sheet = book.add_worksheet("三会一课达标情况")
    bold = book.add_format({"bold": True, "font_size": 13})
    muted = book.add_format({"font_color": "#666666"})
    header = book.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1, "text_wrap": True, "valign": "vcenter"})
    percent = book.add_format({"num_format": "0%"})
    state_formats = {state: book.add_format({"bg_color": colour}) for state, colour in _STATE_COLOURS.items()}

    headers = export_headers(report)
    sheet.set_column(0, 0, 36)
    sheet.set_column(1, 2, 10)
    sheet.set_column(3, len(headers) - 1, 9)
    sheet.write_string(0, 0, neutralize_formula(title), bold)
    sheet.write_string(
        1,
        0,
        f"统计期间：{report.period.label}（{report.period.start:%Y-%m-%d} 至 {report.period.end:%Y-%m-%d}），统计日期：{report.today:%Y-%m-%d}",
        muted,
    )
    header_row = 3
    for col, text in enumerate(headers):
        sheet.write_string(header_row, col, text, header)
    sheet.set_row(header_row, 32)
    sheet.freeze_panes(header_row + 1, 1)

    row_index = header_row
    for row, level in zip(report.rows, tree_levels(report.rows), strict=True):
        row_index += 1
        sheet.write_string(row_index, 0, neutralize_formula(_INDENT * level + row.name))
        sheet.write_string(row_index, 1, row.kind_label)
        sheet.write_string(row_index, 2, row.state_label, state_formats[row.state])
        col = 3
        for meeting_type in report.types:
            cell = row.cells.get(meeting_type)
            if cell is not None:
                sheet.write_number(row_index, col, cell.held)
                if cell.state != NONE:
                    sheet.write_number(row_index, col + 1, cell.required)
                sheet.write_string(row_index, col + 2, STATE_LABELS[cell.state], state_formats[cell.state])
            col += 3
        if row.branches_total:
            sheet.write_number(row_index, col, row.branches_total)
            sheet.write_number(row_index, col + 1, row.branches_met)
            sheet.write_number(row_index, col + 2, row.branches_met / row.branches_total, percent)
    if row_index > header_row:
        sheet.autofilter(header_row, 0, row_index, len(headers) - 1)
    book.close()
    return row_index - header_row
