from __future__ import annotations

import datetime

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from partybuild.notifications.models import Level, Notification
from tests.conftest import World


def test_staff_home_shows_subtree_figures(as_staff: Client, world: World) -> None:
    response = as_staff.get(reverse("portal:home"))
    assert response.status_code == 200
    assert response.context["member_stats"]["on_roster"] == 4
    assert response.context["org_total"] == 7


def test_secretary_home_counts_only_own_branch(as_secretary_a: Client, world: World) -> None:
    response = as_secretary_a.get(reverse("portal:home"))
    assert response.context["member_stats"]["on_roster"] == 2
    assert "测试局第二党支部" not in response.content.decode()


def test_member_home_links_to_own_record(as_member_a: Client, world: World) -> None:
    response = as_member_a.get(reverse("portal:home"))
    assert response.status_code == 200
    assert reverse("members:detail", args=[world.member_a.pk]) in response.content.decode()


def test_home_rejects_post(as_staff: Client) -> None:
    assert as_staff.post(reverse("portal:home")).status_code == 405


def test_home_query_count_does_not_grow_with_data(as_staff: Client, world: World, django_assert_max_num_queries) -> None:
    from tests.factories import MemberFactory, make_org

    for i in range(8):
        b = make_org(world.committee, "branch", f"扩展党支部{i}")
        for _ in range(5):
            MemberFactory(branch=b)
    # + this month's organizational life: organizations, rules, held meetings (3); 政治生日 (1);
    # transfers waiting on us (1)
    with django_assert_max_num_queries(19):
        as_staff.get(reverse("portal:home"))


def test_healthz_answers_ok_without_login(client: Client, db) -> None:
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_top_bar_shows_unread_notifications(as_staff: Client, world: World) -> None:
    Notification.objects.create(recipient=world.staff, title="换届提醒：测试", dedupe_key="k1", url="/orgs/")
    body = as_staff.get(reverse("portal:home")).content.decode()
    assert "换届提醒：测试" in body
    assert 'id="notif-count">1<' in body


def test_top_bar_counts_every_unread_and_lists_the_six_latest_in_one_query(as_staff: Client, world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(9):
        Notification.objects.create(recipient=world.staff, title=f"提醒{i}", dedupe_key=f"n{i}")
    Notification.objects.create(recipient=world.secretary_a, title="别人的", dedupe_key="other")
    with CaptureQueriesContext(connection) as ctx:
        body = as_staff.get(reverse("portal:home")).content.decode()
    assert 'id="notif-count">9<' in body
    menu = body.split('class="dropdown-menu dropdown-menu-end pb-notif-menu', 1)[1].split("</div>\n  </div>", 1)[0]
    assert [f"提醒{i}" in menu for i in range(9)] == [False] * 3 + [True] * 6  # the newest six
    assert sum("notifications_notification" in q["sql"] for q in ctx.captured_queries) == 1


def test_the_top_bar_puts_the_weightiest_first_and_counts_each_level_in_one_query(as_staff: Client, world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(5):  # the newest are plain 提示
        Notification.objects.create(recipient=world.staff, title=f"提示{i}", dedupe_key=f"i{i}", level=Level.INFO)
    Notification.objects.create(recipient=world.staff, title="预警甲", dedupe_key="w1", level=Level.WARNING)
    Notification.objects.create(recipient=world.staff, title="严重甲", dedupe_key="d1", level=Level.DANGER)
    Notification.objects.create(recipient=world.staff, title="严重乙", dedupe_key="d2", level=Level.DANGER)
    Notification.objects.filter(level=Level.INFO).update(created_at=timezone.now() + datetime.timedelta(hours=1))
    with CaptureQueriesContext(connection) as ctx:
        body = as_staff.get(reverse("portal:home")).content.decode()
    assert sum("notifications_notification" in q["sql"] for q in ctx.captured_queries) == 1
    menu = body.split('class="dropdown-menu dropdown-menu-end pb-notif-menu', 1)[1].split("</div>\n  </div>", 1)[0]
    shown = [title for title in ("严重乙", "严重甲", "预警甲", "提示4", "提示3", "提示2", "提示1", "提示0") if title in menu]
    assert shown == ["严重乙", "严重甲", "预警甲", "提示4", "提示3", "提示2"]  # six, the weightiest first
    assert [menu.index(t) for t in shown] == sorted(menu.index(t) for t in shown)
    levels = body.split('id="notif-levels"', 1)[1].split("</div>", 1)[0]
    assert ">严重 2<" in levels and ">预警 1<" in levels and ">提示 5<" in levels
    assert levels.index("严重") < levels.index("预警") < levels.index("提示")
    assert 'id="notif-count">8<' in body and "bg-danger" in body.split('id="notif-count"', 1)[0].rsplit("<span", 1)[1]
    assert 'aria-label="通知：严重2条，预警1条，提示5条"' in body


def test_the_notification_list_shows_unread_first_the_weightiest_first(as_staff: Client, world: World) -> None:
    Notification.objects.create(
        recipient=world.staff, title="已读严重", dedupe_key="r", level=Level.DANGER, read_at=timezone.now()
    )
    Notification.objects.create(recipient=world.staff, title="未读提示", dedupe_key="a", level=Level.INFO)
    Notification.objects.create(recipient=world.staff, title="未读严重", dedupe_key="b", level=Level.DANGER)
    Notification.objects.create(recipient=world.staff, title="未读预警", dedupe_key="c", level=Level.WARNING)
    body = as_staff.get(reverse("notifications:list")).content.decode()
    order = ["未读严重", "未读预警", "未读提示", "已读严重"]
    assert [body.index(t) for t in order] == sorted(body.index(t) for t in order)


def test_opening_a_notification_marks_it_read_and_redirects(as_staff: Client, world: World) -> None:
    note = Notification.objects.create(recipient=world.staff, title="t", dedupe_key="k2", url="/orgs/")
    response = as_staff.post(reverse("notifications:open", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == "/orgs/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_someone_elses_notification_is_404(as_secretary_b: Client, world: World) -> None:
    note = Notification.objects.create(recipient=world.staff, title="t", dedupe_key="k3")
    assert as_secretary_b.post(reverse("notifications:open", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_notification_open_is_post_only(as_staff: Client, world: World) -> None:
    note = Notification.objects.create(recipient=world.staff, title="t", dedupe_key="k4")
    assert as_staff.get(reverse("notifications:open", args=[note.pk])).status_code == 405


def test_read_all_marks_only_own(as_staff: Client, world: World) -> None:
    mine = Notification.objects.create(recipient=world.staff, title="a", dedupe_key="k5")
    theirs = Notification.objects.create(recipient=world.secretary_a, title="b", dedupe_key="k5")
    assert as_staff.get(reverse("notifications:read_all")).status_code == 405
    as_staff.post(reverse("notifications:read_all"))
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None


def test_notification_list_shows_own_only(as_secretary_a: Client, world: World) -> None:
    Notification.objects.create(recipient=world.secretary_a, title="给甲的", dedupe_key="x")
    Notification.objects.create(recipient=world.secretary_b, title="给乙的", dedupe_key="x")
    body = as_secretary_a.get(reverse("notifications:list")).content.decode()
    assert "给甲的" in body and "给乙的" not in body


def test_home_shows_this_months_organizational_life(as_secretary_a: Client, as_staff: Client, world: World) -> None:
    from meetings.models import MeetingType
    from meetings.selectors import roll_members
    from meetings.services import meeting_record

    response = as_secretary_a.get(reverse("portal:home"))
    due = {(i["org"].pk, i["cell"].meeting_type) for i in response.context["life"]["due_items"]}
    assert (world.branch_a.pk, MeetingType.THEME_DAY) in due and (world.group_a1.pk, MeetingType.GROUP_MEETING) in due
    assert f"?org={world.branch_a.pk}&amp;type=theme_day" in response.content.decode()

    meeting_record(
        actor=world.secretary_a,
        organization=world.branch_a,
        meeting_type=MeetingType.THEME_DAY,
        topic="主题党日",
        status="held",
        held_at=timezone.now() - datetime.timedelta(minutes=1),
        attendance={m.pk: ("present", "") for m in roll_members(world.branch_a, MeetingType.THEME_DAY)},
    )
    response = as_secretary_a.get(reverse("portal:home"))
    due = {(i["org"].pk, i["cell"].meeting_type) for i in response.context["life"]["due_items"]}
    assert (world.branch_a.pk, MeetingType.THEME_DAY) not in due

    life = as_staff.get(reverse("portal:home")).context["life"]
    assert life["total"] == 3 and life["met"] == 0


def test_home_lists_this_months_political_birthdays(as_secretary_a: Client, world: World) -> None:
    from members.roster.models import Member

    today = timezone.localdate()
    Member.objects.filter(pk=world.member_a.pk).update(joined_on=today.replace(year=today.year - 12, day=1))
    Member.objects.filter(pk=world.member_b.pk).update(joined_on=today.replace(year=today.year - 3, day=1))  # branch B
    birthdays = as_secretary_a.get(reverse("portal:home")).context["birthdays"]
    assert [(m.name, m.party_years) for m in birthdays["rows"]] == [("张党员", 12)]


def test_home_says_how_many_transfers_wait_on_us(as_secretary_b: Client, as_secretary_a: Client, world: World) -> None:
    from members.transfers.application_services import transfer_apply
    from members.transfers.models import TransferKind
    from members.transfers.step_services import transfer_approve_out

    transfer = transfer_apply(
        actor=world.secretary_a,
        kind=TransferKind.INTERNAL,
        scope="within_committee",
        member=world.member_a2,
        to_org=world.branch_b,
        reason="调动",
    )
    assert as_secretary_a.get(reverse("portal:home")).context["transfers_waiting"] == 1  # A must approve
    assert as_secretary_b.get(reverse("portal:home")).context["transfers_waiting"] == 0
    transfer_approve_out(transfer=transfer, actor=world.secretary_a)
    response = as_secretary_b.get(reverse("portal:home"))
    assert response.context["transfers_waiting"] == 1 and "条组织关系转接等待我方处理" in response.content.decode()


def test_wide_scope_figures_are_cached_until_a_meeting_changes_them(
    as_secretary_a: Client, as_staff: Client, world: World, django_capture_on_commit_callbacks
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from meetings.selectors import roll_members
    from meetings.services import meeting_record

    def staff_home() -> tuple[dict, int]:
        with CaptureQueriesContext(connection) as ctx:
            response = as_staff.get(reverse("portal:home"))
        return response.context["life"], len(ctx.captured_queries)

    first, computed = staff_home()
    assert (first["total"], first["met"]) == (3, 0)
    again, cached = staff_home()
    assert (again["total"], again["met"]) == (3, 0)
    assert cached == computed - 3  # organizations, rules and meetings come from the cache

    # Branch A holds everything due this month: the next visit says so at once.
    due = as_secretary_a.get(reverse("portal:home")).context["life"]["due_items"]
    with django_capture_on_commit_callbacks(execute=True):
        for item in due:
            org = next(o for o in (world.branch_a, world.group_a1) if o.pk == item["org"].pk)
            meeting_record(
                actor=world.secretary_a,
                organization=org,
                meeting_type=item["cell"].meeting_type,
                topic="本月组织生活",
                status="held",
                held_at=timezone.now() - datetime.timedelta(minutes=1),
                attendance={m.pk: ("present", "") for m in roll_members(org, item["cell"].meeting_type)},
            )
    now, queries = staff_home()
    assert (now["total"], now["met"]) == (3, 1)
    assert queries == computed


def test_a_new_rule_version_makes_the_cached_figures_stale(django_capture_on_commit_callbacks, db) -> None:
    from meetings.models import FrequencyRule
    from meetings.selectors import life_version

    before = life_version()
    rule = FrequencyRule.objects.first()
    with django_capture_on_commit_callbacks(execute=True):
        FrequencyRule.objects.create(
            org_kind=rule.org_kind,
            meeting_type=rule.meeting_type,
            period_kind=rule.period_kind,
            min_count=rule.min_count + 1,
            effective_from=datetime.date(2027, 1, 1),
        )
    assert life_version() > before
