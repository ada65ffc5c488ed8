"""公民身份号码 checks: checksum, normalization, and no rejection for the region code."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import ric
from stdnum.exceptions import InvalidComponent

from members.roster.validators import (
    id_number_birth_date,
    id_number_gender,
    make_id_number,
    mask_id_number,
    normalize_id_number,
    validate_id_number,
)


def _number_ending_in_x() -> str:
    for seq in range(1000):
        number = make_id_number("110101", datetime.date(1980, 1, 1), seq)
        if number.endswith("X"):
            return number
    raise AssertionError("no sequence gives X")


def test_a_valid_number_passes_unchanged() -> None:
    number = make_id_number("110101", datetime.date(1985, 6, 15), 12)
    assert validate_id_number(number) == number


def test_a_wrong_check_digit_is_refused_in_chinese() -> None:
    number = make_id_number("110101", datetime.date(1985, 6, 15), 12)
    wrong = number[:17] + ("1" if number[17] != "1" else "2")
    with pytest.raises(ValidationError) as exc:
        validate_id_number(wrong)
    assert "校验位不正确" in exc.value.messages[0]


def test_lower_case_x_is_accepted_and_returned_upper_case() -> None:
    number = _number_ending_in_x()
    assert validate_id_number(number[:17] + "x") == number


def test_full_width_digits_and_spaces_are_normalized() -> None:
    number = _number_ending_in_x()
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in number[:17]) + "ｘ"
    assert normalize_id_number(f" {full_width[:6]} {full_width[6:]} ") == number
    assert validate_id_number(full_width) == number


@pytest.mark.parametrize(
    "region",
    [
        "110103",  # 北京市崇文区, merged into 东城区 in 2010
        "110104",  # 北京市宣武区, merged into 西城区 in 2010
        "999999",  # no such region in any table
    ],
)
def test_abolished_or_unknown_region_code_with_valid_checksum_is_accepted(region: str) -> None:
    number = make_id_number(region, datetime.date(1975, 3, 9), 7)
    assert validate_id_number(number) == number


def test_stdnum_full_validation_would_have_refused_an_unknown_region() -> None:
    """Why we do not call ric.validate: it looks the region up."""
    number = make_id_number("999999", datetime.date(1975, 3, 9), 7)
    with pytest.raises(InvalidComponent):
        ric.validate(number)


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("11010119850615001", "应为18位"),
        ("1101011985061500123", "应为18位"),
        ("11010119850615A012", "前17位必须是数字"),
    ],
)
def test_malformed_numbers_are_refused_with_a_reason(raw: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_id_number(raw)
    assert fragment in exc.value.messages[0]


def test_an_impossible_birth_date_inside_is_refused() -> None:
    body = "11010119850230001"  # 30 February
    number = body + ric.calc_check_digit(body + "0")
    with pytest.raises(ValidationError) as exc:
        validate_id_number(number)
    assert "出生日期" in exc.value.messages[0]


def test_a_birth_date_in_the_future_is_refused() -> None:
    future = datetime.date.today() + datetime.timedelta(days=400)
    with pytest.raises(ValidationError):
        validate_id_number(make_id_number("110101", future, 1))


def test_birth_date_and_gender_are_read_from_the_number() -> None:
    number = make_id_number("110101", datetime.date(1990, 12, 31), 13)  # 13: odd → male
    assert id_number_birth_date(number) == datetime.date(1990, 12, 31)
    assert id_number_gender(number) == "M"
    assert id_number_gender(make_id_number("110101", datetime.date(1990, 12, 31), 12)) == "F"


def test_mask_shows_first_four_and_last_four() -> None:
    assert mask_id_number("11010119850615002X") == "1101**********002X"
    assert mask_id_number("") == ""
