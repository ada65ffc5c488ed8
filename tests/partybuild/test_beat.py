"""Beat's setup inserts the jobs of PERIODIC_JOBS that are missing and keeps what an admin changed."""

from __future__ import annotations

from django.conf import settings
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from partybuild.beat import PeriodicJobScheduler
from partybuild.celery import app


def _start_beat() -> None:
    """What beat does when it starts: build its scheduler, which runs setup_schedule.

    The tests take ``transactional_db``: the scheduler calls Django's close_old_connections, which
    closes a connection found inside a transaction (on PostgreSQL, the test's own), as beat never is."""
    PeriodicJobScheduler(app=app)


def test_first_start_inserts_every_job(transactional_db) -> None:
    _start_beat()
    for name, job in settings.PERIODIC_JOBS.items():
        row = PeriodicTask.objects.get(name=name)
        assert row.task == job["task"]
        assert row.enabled
        assert row.crontab.hour == str(job["schedule"]._orig_hour)
        assert row.crontab.minute == str(job["schedule"]._orig_minute)


def test_an_admin_change_survives_a_restart_and_a_deleted_job_comes_back(transactional_db) -> None:
    _start_beat()
    # An admin moves term_reminders to 7:15, disables transfer_reminders and deletes lapse_reminders.
    later, _ = CrontabSchedule.objects.get_or_create(
        minute="15", hour="7", day_of_week="*", day_of_month="*", month_of_year="*", timezone=settings.TIME_ZONE
    )
    PeriodicTask.objects.filter(name="term_reminders").update(crontab=later)
    PeriodicTask.objects.filter(name="transfer_reminders").update(enabled=False)
    PeriodicTask.objects.filter(name="lapse_reminders").delete()

    _start_beat()  # beat restarts

    term = PeriodicTask.objects.get(name="term_reminders")
    assert (term.crontab.hour, term.crontab.minute) == ("7", "15")
    assert not PeriodicTask.objects.get(name="transfer_reminders").enabled
    lapse = PeriodicTask.objects.get(name="lapse_reminders")
    assert lapse.task == "members.tasks.lapse_reminders"
    assert (lapse.crontab.hour, lapse.crontab.minute) == ("6", "30")
    assert PeriodicTask.objects.filter(name__in=list(settings.PERIODIC_JOBS)).count() == len(settings.PERIODIC_JOBS)


def test_beat_uses_this_scheduler() -> None:
    assert settings.CELERY_BEAT_SCHEDULER == "partybuild.beat:PeriodicJobScheduler"
