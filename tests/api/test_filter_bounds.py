"""Numeric filters of the API: out-of-range values are a 400 with a Chinese message, never a 500."""

from __future__ import annotations

import pytest

from tests.api.helpers import MEMBERS, ORGS, names
from tests.conftest import World

HUGE = "99999999999999999999"


@pytest.mark.parametrize("year", ["0", "-3", "1920", "2101", "10000", HUGE])
def test_joined_year_out_of_range_is_400_in_chinese(world: World, as_staff, year: str) -> None:
    response = as_staff.get(MEMBERS, {"joined_year": year})
    assert response.status_code == 400
    assert response.json() == {"joined_year": ["入党年份应在1921至2100之间。"]}


@pytest.mark.parametrize("year", ["1921", "2100"])
def test_joined_year_at_the_bounds_is_accepted(world: World, as_staff, year: str) -> None:
    response = as_staff.get(MEMBERS, {"joined_year": year})
    assert response.status_code == 200 and response.json()["count"] == 0


def test_joined_year_in_range_still_filters(world: World, as_staff) -> None:
    assert as_staff.get(MEMBERS, {"joined_year": 2010}).json()["count"] == 4


@pytest.mark.parametrize("name", ["age_min", "age_max"])
@pytest.mark.parametrize("value", ["-1", "151", HUGE])
def test_age_out_of_range_is_400_in_chinese(world: World, as_staff, name: str, value: str) -> None:
    response = as_staff.get(MEMBERS, {name: value})
    assert response.status_code == 400
    assert response.json() == {name: ["年龄应在0至150岁之间。"]}


def test_age_bounds_are_accepted(world: World, as_staff) -> None:
    assert names(as_staff.get(MEMBERS, {"age_min": 0, "age_max": 150})) != []


@pytest.mark.parametrize("value", ["0", "-3", HUGE])
def test_member_org_filter_with_an_impossible_id_is_400(world: World, as_staff, value: str) -> None:
    response = as_staff.get(MEMBERS, {"org": value})
    assert response.status_code == 400
    assert response.json() == {"org": ["党组织ID无效。"]}


@pytest.mark.parametrize("name", ["within", "parent"])
@pytest.mark.parametrize("value", ["0", "-3", HUGE])
def test_org_filters_with_an_impossible_id_are_400(world: World, as_staff, name: str, value: str) -> None:
    response = as_staff.get(ORGS, {name: value})
    assert response.status_code == 400
    assert response.json() == {name: ["党组织ID无效。"]}


@pytest.mark.parametrize("name", ["within", "parent"])
def test_org_filters_with_a_large_unknown_id_match_nothing(world: World, as_staff, name: str) -> None:
    response = as_staff.get(ORGS, {name: "9223372036854775807"})
    assert response.status_code == 200 and response.json()["count"] == 0
