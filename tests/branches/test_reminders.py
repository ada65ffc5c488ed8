from __future__ import annotations

import datetime
import io
import json

from django.core.management import call_command

from branches.models import Organization, TermStatus
from branches.reminders import term_reminders_run
from branches.services import organization_update, refresh_term_statuses
from partybuild.notifications.models import Notification
from tests.conftest import World

TODAY = datetime.date(2026, 11, 22)


def _set_term(org: Organization, start: datetime.date, years: int = 3) -> Organization:
    org.refresh_from_db()
    return organization_update(org=org, term_start=start, term_years=years)


def test_status_at_the_boundaries(world: World) -> None:
    # Ends exactly 6 months from today: due soon. One day later: normal.
    _set_term(world.branch_a, datetime.date(2024, 5, 22))  # ends 2027-05-22
    _set_term(world.branch_b, datetime.date(2024, 5, 23))  # ends 2027-05-23
    _set_term(world.branch_c, datetime.date(2023, 11, 21))  # ended yesterday
    _set_term(world.general, datetime.date(2023, 11, 22))  # ends today: still due soon, not overdue
    refresh_term_statuses(TODAY)
    world.refresh()
    assert world.branch_a.term_status == TermStatus.DUE_SOON
    assert world.branch_b.term_status == TermStatus.NORMAL
    assert world.branch_c.term_status == TermStatus.OVERDUE
    assert world.general.term_status == TermStatus.DUE_SOON
    assert world.group_a1.term_status == TermStatus.NONE


def test_approved_extension_moves_the_end(world: World) -> None:
    org = _set_term(world.branch_c, datetime.date(2023, 6, 1))  # ended 2026-06-01
    org.term_extended_until = datetime.date(2027, 6, 1)
    org.term_adjust_note = "经上级党委批准延期换届"
    org.save()
    refresh_term_statuses(TODAY)
    org.refresh_from_db()
    assert org.term_status == TermStatus.NORMAL


def test_job_notifies_everyone_above_and_only_once(world: World) -> None:
    _set_term(world.branch_a, datetime.date(2023, 1, 1))  # overdue
    first = term_reminders_run(TODAY)
    recipients = set(Notification.objects.values_list("recipient__username", flat=True))
    # staff (root), secretary_a (the branch), admin; not secretary_b, not member_a.
    assert recipients == {"staff", "secretary_a", "admin"}
    count = Notification.objects.count()
    assert first["notifications"] == count
    second = term_reminders_run(TODAY)
    assert second["notifications"] == 0
    assert Notification.objects.count() == count
    assert "已超期" in Notification.objects.filter(recipient=world.secretary_a).get().title


def test_a_new_status_gives_a_new_notification(world: World) -> None:
    _set_term(world.branch_a, datetime.date(2024, 2, 1))  # ends 2027-02-01: due soon
    term_reminders_run(TODAY)
    assert Notification.objects.filter(recipient=world.secretary_a).count() == 1
    term_reminders_run(datetime.date(2027, 2, 2))  # now overdue
    titles = list(Notification.objects.filter(recipient=world.secretary_a).values_list("title", flat=True))
    assert len(titles) == 2 and any("已超期" in t for t in titles)


def test_job_query_count_is_fixed(world: World, django_assert_max_num_queries) -> None:
    from tests.factories import make_org

    for i in range(20):
        make_org(world.committee, "branch", f"超期党支部{i}", term_start=datetime.date(2020, 1, 1))
    with django_assert_max_num_queries(16):
        term_reminders_run(TODAY)


def test_run_job_command_runs_it_by_hand(world: World) -> None:
    _set_term(world.branch_a, datetime.date(2023, 1, 1))
    out = io.StringIO()
    call_command("run_job", "term_reminders", stdout=out)
    result = json.loads(out.getvalue())
    assert result["job"] == "term_reminders"
    assert result["result"]["notifications"] >= 3
    assert Notification.objects.filter(recipient=world.secretary_a).exists()


def test_run_job_unknown_name_is_a_clear_error(db) -> None:
    import pytest
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="没有名为"):
        call_command("run_job", "nope")


def test_schedule_is_declared_once_and_points_at_a_real_task(settings) -> None:
    from partybuild.celery import app

    app.loader.import_default_modules()
    for name, job in settings.PERIODIC_JOBS.items():
        assert job["task"] in app.tasks, name
        assert settings.CELERY_BEAT_SCHEDULE[name]["task"] == job["task"]
