"""New members of an import go in with their history records: COPY on PostgreSQL, bulk INSERTs
elsewhere; either way every value arrives as it was, and each member gets one '+' record that
names the import and the importer."""

from __future__ import annotations

import datetime

from django.utils import timezone

from members.imports.bulk import create_members_with_history
from members.models import Member
from tests.conftest import World

from .files import person_id


def test_members_and_history_arrive_exactly(world: World) -> None:
    when = timezone.now().replace(microsecond=123456)
    awkward = "反斜杠\\ 制表\t换行\n回车\r 结尾\\N"
    members = [
        Member(
            name=f"新党员{i}",
            gender="F",
            id_number=person_id(i),
            birth_date=datetime.date(1990, 1, 1),
            branch_id=world.branch_a.pk,
            group_id=world.group_a1.pk if i == 0 else None,
            joined_on=datetime.date(2015, 7, 1),
            confirmed_on=None if i else datetime.date(2016, 7, 1),
            is_leader=i == 1,
            residence=awkward if i == 0 else "",
        )
        for i in range(3)
    ]
    create_members_with_history(members, user=world.staff, reason="导入：名册.xlsx（第7次导入）", when=when)

    assert all(m.pk for m in members)
    first = Member.objects.get(pk=members[0].pk)
    assert first.residence == awkward
    assert (first.group_id, first.confirmed_on, first.is_leader) == (world.group_a1.pk, datetime.date(2016, 7, 1), False)
    assert Member.objects.get(pk=members[1].pk).is_leader is True
    assert Member.objects.get(pk=members[2].pk).confirmed_on is None
    assert abs(first.created_at - when) < datetime.timedelta(seconds=5) and first.ethnicity == "汉族"

    records = Member.history.filter(id__in=[m.pk for m in members]).order_by("id")
    assert [(r.id, r.history_type) for r in records] == [(m.pk, "+") for m in members]
    for record in records:
        assert record.history_change_reason == "导入：名册.xlsx（第7次导入）"
        assert record.history_user_id == world.staff.pk
        assert record.history_date == when
    assert records[0].residence == awkward and records[0].name == "新党员0"


def test_the_next_member_added_by_hand_gets_a_fresh_number(world: World) -> None:
    member = Member(
        name="导入的",
        gender="M",
        id_number=person_id(50),
        birth_date=datetime.date(1990, 1, 1),
        branch_id=world.branch_a.pk,
        joined_on=datetime.date(2015, 7, 1),
    )
    create_members_with_history([member], user=world.staff, reason="导入", when=timezone.now())
    later = Member.objects.create(
        name="手工的",
        gender="M",
        id_number=person_id(51),
        birth_date=datetime.date(1990, 1, 1),
        branch_id=world.branch_a.pk,
        joined_on=datetime.date(2015, 7, 1),
    )
    assert later.pk > member.pk
