"""A month's dues ledger of a 党支部 as an Excel file: one row per member with what was due, what
was paid, when, how and by whom, then the totals.

XlsxWriter, as the roster export (partybuild.xlsx): every text cell is written as text, and
text a spreadsheet would run as a formula is neutralized. Amounts are numbers with two decimals.
"""

from __future__ import annotations

import datetime
from typing import IO

from members.dues.ledger_presenters import Ledger
from members.dues.models import PaymentMethod
from members.roster.choices import DuesCategory
from partybuild.xlsx import neutralize_formula, safe_workbook

HEADERS = ("序号", "姓名", "党费类别", "应交（元）", "实交（元）", "交纳日期", "交纳方式", "代交人", "情况")


WIDTHS = (6, 14, 14, 12, 12, 13, 12, 14, 12)


def write_ledger(target: str | IO[bytes], ledger: Ledger, title: str, today: datetime.date) -> int:
    """Write the ledger to ``target``; the number of member rows written."""
    book = safe_workbook(target)
    sheet = book.add_worksheet("党费收缴")
    bold = book.add_format({"bold": True, "font_size": 13})
    muted = book.add_format({"font_color": "#666666"})
    header = book.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1})
    yuan = book.add_format({"num_format": "0.00"})
    yuan_bold = book.add_format({"num_format": "0.00", "bold": True})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    strong = book.add_format({"bold": True})

    for col, width in enumerate(WIDTHS):
        sheet.set_column(col, col, width)
    sheet.write_string(0, 0, neutralize_formula(title), bold)
    sheet.write_string(1, 0, f"所属月份：{ledger.month.label}，导出日期：{today:%Y-%m-%d}", muted)
    header_row = 3
    for col, text in enumerate(HEADERS):
        sheet.write_string(header_row, col, text, header)
    sheet.freeze_panes(header_row + 1, 2)

    r = header_row
    for number, row in enumerate(ledger.rows, start=1):
        r += 1
        sheet.write_number(r, 0, number)
        sheet.write_string(r, 1, neutralize_formula(row.member.name))
        sheet.write_string(r, 2, DuesCategory(row.member.dues_category).label)
        if row.due is not None:
            sheet.write_number(r, 3, float(row.due), yuan)
        p = row.payment
        if p is not None:
            sheet.write_number(r, 4, float(p.amount_paid), yuan)
            sheet.write_datetime(r, 5, datetime.datetime(p.paid_on.year, p.paid_on.month, p.paid_on.day), date_format)
            sheet.write_string(r, 6, PaymentMethod(p.method).label)
            if p.paid_by:
                sheet.write_string(r, 7, neutralize_formula(p.paid_by))
        sheet.write_string(r, 8, row.state_label)
    r += 2
    sheet.write_string(r, 1, "应交合计", strong)
    sheet.write_number(r, 3, float(ledger.due_total), yuan_bold)
    sheet.write_string(r + 1, 1, "实交合计", strong)
    sheet.write_number(r + 1, 4, float(ledger.paid_total), yuan_bold)
    sheet.write_string(r + 2, 1, "未交人数", strong)
    sheet.write_number(r + 2, 3, ledger.unpaid_count, strong)
    book.close()
    return len(ledger.rows)
