from __future__ import annotations

import datetime

from branches.models import Position
from branches.services import position_assign
from members.roster.choices import MemberState
from members.roster.services import member_change_state
from tests.conftest import World


def test_a_member_who_leaves_gives_up_their_positions_the_same_day(world: World) -> None:
    position_assign(org=world.branch_a, member=world.member_a2, title="organization", started_on=datetime.date(2024, 1, 1))
    member_change_state(
        member=world.member_a2, state=MemberState.DECEASED, on=datetime.date(2026, 3, 5), reason="病故", actor=world.secretary_a
    )
    position = Position.objects.get(member=world.member_a2)
    assert position.ended_on == datetime.date(2026, 3, 5)
    assert "去世" in position.end_reason


def test_becoming_mobile_keeps_positions(world: World) -> None:
    position_assign(org=world.branch_a, member=world.member_a2, title="publicity", started_on=datetime.date(2024, 1, 1))
    member_change_state(
        member=world.member_a2, state=MemberState.MOBILE, on=datetime.date(2026, 3, 5), reason="外出务工", destination="深圳"
    )
    assert Position.objects.get(member=world.member_a2).ended_on is None
