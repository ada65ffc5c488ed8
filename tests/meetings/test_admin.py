"""系统管理员 edit the frequency rules in the admin by adding versions; a rule that has judged
periods keeps its numbers, and nothing is deleted. Meetings are read-only there."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from meetings.models import FrequencyRule, MeetingType
from tests.conftest import World
from tests.factories import UserFactory
from tests.meetings.conftest import at, hold


@pytest.fixture
def as_superuser(world: World) -> Client:
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_an_admin_adds_a_new_version_of_a_rule(as_superuser: Client) -> None:
    later = timezone.localdate() + datetime.timedelta(days=40)
    response = as_superuser.post(
        reverse("admin:meetings_frequencyrule_add"),
        {
            "meeting_type": MeetingType.THEME_DAY,
            "org_kind": "branch",
            "period_kind": "month",
            "min_count": "2",
            "effective_from": later.isoformat(),
            "note": "本市规定：每月两次主题党日",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = FrequencyRule.objects.get(effective_from=later)
    assert (rule.min_count, rule.history.first().history_type) == (2, "+")


def test_a_rule_that_has_taken_effect_keeps_its_numbers(as_superuser: Client) -> None:
    rule = FrequencyRule.objects.get(meeting_type=MeetingType.THEME_DAY, org_kind="branch")
    response = as_superuser.get(reverse("admin:meetings_frequencyrule_change", args=[rule.pk]))
    form = response.context["adminform"].form
    assert set(form.fields) == {"note"}
    as_superuser.post(reverse("admin:meetings_frequencyrule_change", args=[rule.pk]), {"note": "依据", "min_count": "5"})
    rule.refresh_from_db()
    assert (rule.min_count, rule.note) == (1, "依据")


def test_rules_and_meetings_cannot_be_deleted_and_meetings_not_changed_there(world: World, as_superuser: Client) -> None:
    rule = FrequencyRule.objects.first()
    response = as_superuser.post(reverse("admin:meetings_frequencyrule_delete", args=[rule.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert FrequencyRule.objects.filter(pk=rule.pk).exists()
    meeting = hold(world.branch_a, MeetingType.THEME_DAY, at(2026, 3, 5))
    response = as_superuser.get(reverse("admin:meetings_meeting_change", args=[meeting.pk]))
    assert response.status_code == 200 and "meetings_meeting_delete" not in response.content.decode()
    response = as_superuser.post(reverse("admin:meetings_meeting_change", args=[meeting.pk]), {"topic": "改"})
    assert response.status_code == 403
    meeting.refresh_from_db()
    assert meeting.topic != "改"
