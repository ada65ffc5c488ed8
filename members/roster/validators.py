"""公民身份号码 (GB 11643) normalization and checks.

We check length, digits, the checksum and that the birth date inside is a real date. We do not
check the region code (first six digits): real numbers carry codes that were renamed or
abolished, so python-stdnum's ``validate`` (which looks the region up) is deliberately not used.
"""

from __future__ import annotations

import datetime
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone
from stdnum.cn import ric

# A mobile number (11 digits starting with 1) or a landline with its area code (010-12345678).
validate_phone = RegexValidator(
    r"^(?:1\d{10}|0\d{2,3}-?\d{7,8})$",
    "请填写11位手机号码（以1开头），或带区号的固定电话（如010-12345678）。",
    code="phone",
)


def normalize_id_number(raw: str) -> str:
    """Full-width to half-width, strip spaces, upper-case the final x."""
    text = unicodedata.normalize("NFKC", raw or "")
    return "".join(text.split()).upper()


def id_number_birth_date(number: str) -> datetime.date | None:
    """The birth date inside a number (YYYYMMDD at positions 7-14), or None if it is no date."""
    if len(number) == 18 and number[:14].isdigit():
        # A normalized number (the common case, 200,000 times in an import): read it directly.
        try:
            return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        except ValueError:
            return None
    try:
        return ric.get_birth_date(number)
    except Exception:
        return None


def validate_id_number(raw: str) -> str:
    """Return the normalized number or raise ValidationError with a Chinese message."""
    number = normalize_id_number(raw)
    if len(number) != 18:
        raise ValidationError(f"公民身份号码应为18位，当前为{len(number)}位。", code="length")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError("公民身份号码前17位必须是数字，最后一位是数字或X。", code="format")
    if ric.calc_check_digit(number) != number[17]:
        raise ValidationError("公民身份号码校验位不正确，请核对。", code="checksum")
    birth = id_number_birth_date(number)
    if birth is None:
        raise ValidationError("公民身份号码中的出生日期不是有效日期。", code="birth_date")
    if birth.year < 1900 or birth > timezone.localdate():
        raise ValidationError("公民身份号码中的出生日期不合理。", code="birth_date")
    return number


def id_number_gender(number: str) -> str:
    """'M' for an odd sequence digit, 'F' for even."""
    return "M" if int(number[16]) % 2 == 1 else "F"


def mask_id_number(number: str) -> str:
    """1101**********002X: first four and last four characters shown."""
    if not number:
        return ""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def make_id_number(region: str, birth: datetime.date, sequence: int) -> str:
    """Build a valid number (demo data, tests, benchmarks)."""
    body = f"{region}{birth:%Y%m%d}{sequence % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")
