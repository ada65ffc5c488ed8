"""The member record page: grouped fields, masking, positions, history, access."""

from __future__ import annotations

import datetime

from django.test import Client
from django.urls import reverse

from branches.models import PositionTitle
from branches.services import position_assign
from members.roster.choices import MemberState
from members.roster.services import member_change_state, member_update
from tests.conftest import World
from tests.factories import valid_id_number


def url(member) -> str:
    return reverse("members:detail", args=[member.pk])


def test_secretary_sees_the_whole_record_grouped_with_edit_actions(world: World, as_secretary_a: Client) -> None:
    response = as_secretary_a.get(url(world.member_a))
    assert response.status_code == 200
    html = response.content.decode()
    for heading in ("基本信息", "党内信息", "工作信息", "状态", "担任职务", "变更记录"):
        assert heading in html
    assert world.member_a.id_number in html
    assert reverse("members:edit", args=[world.member_a.pk]) in html
    assert reverse("members:state", args=[world.member_a.pk]) in html
    assert "第一党小组" in html
    assert "1985-06-15" in html


def test_party_standing_counts_from_confirmation(world: World, as_secretary_a: Client) -> None:
    response = as_secretary_a.get(url(world.member_a))
    assert response.context["standing_years"] == world.member_a.party_standing_years(datetime.date.today())
    assert f"{response.context['standing_years']}年" in response.content.decode()


def test_member_sees_own_record_read_only_with_id_masked(world: World, as_member_a: Client) -> None:
    response = as_member_a.get(url(world.member_a))
    assert response.status_code == 200
    html = response.content.decode()
    assert world.member_a.id_number not in html
    assert world.member_a.masked_id_number in html
    assert reverse("members:edit", args=[world.member_a.pk]) not in html
    assert "变更状态" not in html


def test_member_cannot_see_a_colleague(world: World, as_member_a: Client) -> None:
    assert as_member_a.get(url(world.member_a2)).status_code == 404


def test_other_branch_secretary_gets_404(world: World, as_secretary_b: Client) -> None:
    response = as_secretary_b.get(url(world.member_a))
    assert response.status_code == 404
    assert world.member_a.name not in response.content.decode()


def test_missing_member_is_404(as_admin: Client) -> None:
    assert as_admin.get(reverse("members:detail", args=[999999])).status_code == 404


def test_post_and_delete_are_not_allowed(world: World, as_secretary_a: Client) -> None:
    assert as_secretary_a.post(url(world.member_a)).status_code == 405
    assert as_secretary_a.delete(url(world.member_a)).status_code == 405
    world.member_a.refresh_from_db()


def test_positions_held_are_listed(world: World, as_secretary_a: Client) -> None:
    position_assign(
        org=world.branch_a, member=world.member_a, title=PositionTitle.SECRETARY, started_on=datetime.date(2024, 1, 1)
    )
    html = as_secretary_a.get(url(world.member_a)).content.decode()
    assert "书记" in html
    assert "2024-01-01" in html
    assert "现任" in html


def test_history_shows_who_when_old_new_and_why(world: World, as_secretary_a: Client) -> None:
    member_update(member=world.member_a2, phone="13700001111", reason="本人更换手机号", actor=world.secretary_a)
    member_change_state(
        member=world.member_a2,
        state=MemberState.MOBILE,
        on=datetime.date(2025, 5, 1),
        reason="外出务工",
        destination="广州市",
        actor=world.secretary_a,
    )
    response = as_secretary_a.get(url(world.member_a2))
    history = response.context["history"]
    assert history[0].reason == "状态变更为流动党员：外出务工"
    assert {(c.label, c.old, c.new) for c in history[0].changes} >= {("党员状态", "正常", "流动党员"), ("流入地", "—", "广州市")}
    assert history[1].reason == "本人更换手机号"
    assert [(c.label, c.new) for c in history[1].changes] == [("手机号码", "13700001111")]
    assert history[1].who == "甲支部书记"
    html = response.content.decode()
    assert "本人更换手机号" in html and "13700001111" in html and "甲支部书记" in html


def test_history_shows_branch_names_not_ids(world: World, as_staff: Client) -> None:
    member_update(member=world.member_a2, branch=world.branch_b, reason="调整支部", actor=world.staff)
    changes = as_staff.get(url(world.member_a2)).context["history"][0].changes
    assert ("所在党支部", "第一党支部", "第二党支部") in {(c.label, c.old, c.new) for c in changes}


def test_id_numbers_in_history_are_masked_for_the_member_themself(
    world: World, as_member_a: Client, as_secretary_a: Client
) -> None:
    old = world.member_a.id_number
    new = valid_id_number(datetime.date(1985, 6, 15))
    member_update(member=world.member_a, id_number=new, reason="更正身份证号", actor=world.secretary_a)
    html = as_member_a.get(url(world.member_a)).content.decode()
    assert old not in html and new not in html
    assert old[:4] + "*" * 10 + old[-4:] in html
    manager_html = as_secretary_a.get(url(world.member_a)).content.decode()
    assert old in manager_html and new in manager_html


def test_detail_query_count_is_fixed(world: World, as_secretary_a: Client, django_assert_max_num_queries) -> None:
    for i in range(30):
        member_update(member=world.member_a, phone=f"1360000{i:04d}", reason=f"第{i}次修改", actor=world.secretary_a)
    for title in (PositionTitle.SECRETARY, PositionTitle.ORGANIZATION):
        position_assign(org=world.branch_a, member=world.member_a, title=title, started_on=datetime.date(2024, 1, 1))
    position_assign(
        org=world.group_a1, member=world.member_a, title=PositionTitle.GROUP_LEADER, started_on=datetime.date(2024, 1, 1)
    )
    # session, user, scope, member, positions, history (with its organizations), notifications (1),
    # session renewal (3); the development record, the transfers, the dues assessments and payments
    # (4: the timeline's and the dues card's). The attendance card is loaded from meetings.
    with django_assert_max_num_queries(14):
        response = as_secretary_a.get(url(world.member_a))
    assert len(response.context["history"]) == 31
    assert len(response.context["positions"]) == 3


def test_meetings_of_another_branch_show_no_topic_to_this_branchs_secretary(
    world: World, as_secretary_b: Client, as_member_a: Client
) -> None:
    from meetings.models import MeetingType
    from members.roster.models import Member
    from tests.meetings.conftest import at, hold

    hold(world.branch_a, MeetingType.THEME_DAY, at(2026, 3, 5), topic="甲支部内部议题", leave={world.member_a2.pk: "家中有事"})
    Member.objects.filter(pk=world.member_a2.pk).update(branch=world.branch_b, group=None)  # transferred to B
    # The attendance card comes from meetings, loaded into the record.
    card = reverse("meetings:member_attendance", args=[world.member_a2.pk])
    assert f'hx-get="{card}"' in as_secretary_b.get(url(world.member_a2)).content.decode()
    html = as_secretary_b.get(card).content.decode()
    assert "主题党日" in html and "甲支部内部议题" not in html and "家中有事" not in html
    own = as_member_a.get(reverse("meetings:member_attendance", args=[world.member_a.pk])).content.decode()  # in full
    assert "甲支部内部议题" in own
