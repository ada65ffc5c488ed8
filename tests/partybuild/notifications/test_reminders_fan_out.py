"""The one fan-out every reminder job uses: an organization's reminder reaches everyone whose scope
covers it, once."""

from __future__ import annotations

from partybuild.notifications.models import Notification
from partybuild.notifications.services import Reminder, reminders_fan_out
from tests.conftest import World


def test_a_reminder_reaches_everyone_above_its_organization_once(world: World) -> None:
    reminder = Reminder(org_path=world.branch_a.path, dedupe_key="test:a", title="提醒", url="/x/", level="danger")
    assert reminders_fan_out([reminder]) == 3
    notes = Notification.objects.filter(dedupe_key="test:a")
    assert set(notes.values_list("recipient__username", flat=True)) == {"staff", "secretary_a", "admin"}
    assert {(n.title, n.url, n.level) for n in notes} == {("提醒", "/x/", "danger")}
    assert reminders_fan_out([reminder]) == 0  # run twice: notified once
    assert Notification.objects.filter(dedupe_key="test:a").count() == 3


def test_reminders_for_several_organizations_go_to_their_own_people(world: World) -> None:
    created = reminders_fan_out(
        [
            Reminder(org_path=world.branch_a.path, dedupe_key="test:a", title="甲"),
            Reminder(org_path=world.branch_b.path, dedupe_key="test:b", title="乙"),
        ]
    )
    assert created == Notification.objects.count()
    assert not Notification.objects.filter(recipient=world.secretary_b, dedupe_key="test:a").exists()
    assert Notification.objects.filter(recipient=world.secretary_b, dedupe_key="test:b").exists()
    assert not Notification.objects.filter(recipient=world.secretary_a, dedupe_key="test:b").exists()


def test_nothing_to_say_sends_nothing(db) -> None:
    assert reminders_fan_out([]) == 0
