"""Turning what people type into spreadsheets into clean values, before any rule judges them.

Each parser takes the raw cell (str, int, float, date, datetime or None) and returns the clean
value, or raises ``CellError`` with a Chinese message. They are plain functions so that the
django-import-export widgets, the fast import path and the tests all use the same code.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from typing import Any

from partybuild.xlsx import FORMULA_PREFIXES

# Excel's day zero (with its 1900 leap-year bug, which serial numbers after Feb 1900 include).
_EXCEL_EPOCH = datetime.date(1899, 12, 30)


class CellError(ValueError):
    """A value that cannot be understood; the message is shown to the user next to the cell."""


def text(raw: Any) -> str:
    """Full-width to half-width, stray and non-breaking spaces folded, ends trimmed.

    A leading apostrophe that we (or a careful user) put before a formula-like value is removed,
    so an exported file imports back unchanged.
    """
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    value = unicodedata.normalize("NFKC", str(raw))
    # Before folding spaces: the apostrophe may protect a leading tab or CR.
    if value.startswith("'") and value[1:2] and value[1] in FORMULA_PREFIXES:
        value = value[1:]
    return " ".join(value.split())


def compact(raw: Any) -> str:
    """Text with every space removed (names, numbers, codes)."""
    return "".join(text(raw).split())


def id_number(raw: Any) -> str:
    if isinstance(raw, float):
        # An 18-digit number stored as a number cell has lost its last digits to floating point.
        raise CellError("公民身份号码被存成了数字，末几位已丢失：请把该列设为“文本”格式后重新填写。")
    return compact(raw).upper()


_DATE_PATTERNS = [
    re.compile(r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})$"),
    re.compile(r"^(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日?$"),
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"),
    re.compile(r"^(?P<y>\d{4})[-/.年](?P<m>\d{1,2})月?$"),  # 2019.7, 2019-07, 2019年7月: the first of the month
]


def date(raw: Any) -> datetime.date | None:
    """Excel date cells and the text forms people use: 2019-07-01, 2019/7/1, 2019.07.01,
    2019.7, 20190701, 2019年7月1日 (a time of day, if any, is dropped)."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        number = float(raw)
        if 19000101 <= number <= 21001231 and number.is_integer():
            return date(str(int(number)))
        if 1 <= number < 80000:  # an Excel serial day number
            return _EXCEL_EPOCH + datetime.timedelta(days=int(number))
        raise CellError(f"无法识别的日期：{text(raw)}")
    value = text(raw)
    with_time = _DATE_WITH_TIME.match(value)
    if with_time:
        value = with_time.group(1)
    value = compact(value)
    if not value:
        return None
    for pattern in _DATE_PATTERNS:
        match = pattern.match(value)
        if match:
            parts = match.groupdict()
            try:
                return datetime.date(int(parts["y"]), int(parts["m"]), int(parts.get("d") or 1))
            except ValueError:
                raise CellError(f"日期不存在：{value}") from None
    raise CellError(f"无法识别的日期：{value}（可写作 2019-07-01、2019/7/1、2019年7月1日 等）")


_DATE_WITH_TIME = re.compile(r"^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2})[ T]\d{1,2}:\d{2}")

_TRUE = {"是", "yes", "y", "true", "1", "√", "✓"}
_FALSE = {"否", "no", "n", "false", "0", "×", ""}


def yes_no(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    value = compact(raw).lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise CellError(f"请填写“是”或“否”，而不是“{text(raw)}”。")


def yes_no_or_blank(raw: Any) -> bool | None:
    """是/否, or None for a blank cell (nothing said)."""
    if raw is None or compact(raw) == "":
        return None
    return yes_no(raw)


def gender(raw: Any) -> str:
    value = compact(raw)
    if value in {"男", "男性", "M", "m"}:
        return "M"
    if value in {"女", "女性", "F", "f"}:
        return "F"
    if value == "":
        return ""
    raise CellError(f"性别请填写“男”或“女”，而不是“{value}”。")


def choice(raw: Any, labels: dict[str, str], column: str, aliases: dict[str, str] | None = None) -> str:
    """A value from a list of Chinese labels (label → stored value); blank gives ''."""
    value = compact(raw)
    if value == "":
        return ""
    if value in labels:
        return labels[value]
    if aliases and value in aliases:
        return aliases[value]
    allowed = "、".join(labels)
    raise CellError(f"{column}“{value}”不在可选范围内（{allowed}）。")
