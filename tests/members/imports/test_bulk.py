"""New members of an import go in with their history records: COPY on PostgreSQL, bulk INSERTs
elsewhere; either way every value arrives as it was, and each member gets one '+' record that
names the import and the importer."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from members.imports.bulk import create_members_with_history
from members.roster.models import Member
from tests.conftest import World
from tests.members.imports.files import person_id


def test_members_and_history_arrive_exactly(world: World) -> None:
    when = timezone.now().replace(microsecond=123456)
    awkward = "反斜杠\\ 制表\t换行\n回车\r 结尾\\N"
    rows = [
        {
            "name": f"新党员{i}",
            "gender": "F",
            "id_number": person_id(i),
            "birth_date": datetime.date(1990, 1, 1),
            "branch_id": world.branch_a.pk,
            "group_id": world.group_a1.pk if i == 0 else None,
            "joined_on": datetime.date(2015, 7, 1),
            "confirmed_on": None if i else datetime.date(2016, 7, 1),
            "is_leader": i == 1,
            "residence": awkward if i == 0 else "",
            "native_place": '引号"和,逗号' if i == 2 else "",
        }
        for i in range(3)
    ]
    ids = create_members_with_history(rows, user=world.staff, reason="导入：名册.xlsx（第7次导入）", when=when)

    assert len(ids) == 3 and all(ids)
    first = Member.objects.get(pk=ids[0])
    assert first.residence == awkward
    assert (first.group_id, first.confirmed_on, first.is_leader) == (world.group_a1.pk, datetime.date(2016, 7, 1), False)
    assert first.work_started_on is None and first.native_place == ""  # a blank stays blank, not NULL
    assert Member.objects.get(pk=ids[1]).is_leader is True
    third = Member.objects.get(pk=ids[2])
    assert third.confirmed_on is None and third.group_id is None and third.native_place == '引号"和,逗号'
    # Defaults for what the file did not give; the import's time.
    assert (first.ethnicity, first.state, first.dues_category) == ("汉族", "normal", "employed")
    assert abs(first.created_at - when) < datetime.timedelta(seconds=5)

    records = Member.history.filter(id__in=ids).order_by("id")
    assert [(r.id, r.history_type) for r in records] == [(pk, "+") for pk in ids]
    for record in records:
        assert record.history_change_reason == "导入：名册.xlsx（第7次导入）"
        assert record.history_user_id == world.staff.pk
        assert record.history_date == when
    assert records[0].residence == awkward and records[0].name == "新党员0"


def test_the_next_member_added_by_hand_gets_a_fresh_number(world: World) -> None:
    row = {
        "name": "导入的",
        "gender": "M",
        "id_number": person_id(50),
        "birth_date": datetime.date(1990, 1, 1),
        "branch_id": world.branch_a.pk,
        "joined_on": datetime.date(2015, 7, 1),
    }
    (pk,) = create_members_with_history([row], user=world.staff, reason="导入", when=timezone.now())
    later = Member.objects.create(
        name="手工的",
        gender="M",
        id_number=person_id(51),
        birth_date=datetime.date(1990, 1, 1),
        branch_id=world.branch_a.pk,
        joined_on=datetime.date(2015, 7, 1),
    )
    assert later.pk > pk


def test_an_unknown_field_is_refused_not_dropped(world: World) -> None:
    with pytest.raises(TypeError, match="nickname"):
        create_members_with_history(
            [{"name": "某", "nickname": "x", "branch_id": world.branch_a.pk}],
            user=world.staff,
            reason="导入",
            when=timezone.now(),
        )
