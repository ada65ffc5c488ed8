"""The numbers of member management are data (党员管理规则): seeded with DOMAIN.md's defaults and
their basis, read at run time by every read and job that uses them, changed by a 系统管理员 in the
admin (with history), never added or deleted there."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.test import Client
from django.urls import reverse

from members.development.selectors import development_deadlines
from members.development.services import development_apply
from members.dues.selectors import arrears
from members.dues.services import DuesEntry, dues_assess, dues_record_month
from members.management_rules.models import ManagementRule, ManagementRuleKey
from members.management_rules.selectors import management_rules
from members.roster.models import Member
from members.transfers.application_services import transfer_apply
from members.transfers.models import TransferKind
from members.transfers.reminders import transfer_reminders_run
from members.transfers.step_services import transfer_approve_out
from partybuild.periods import Period
from tests.conftest import World
from tests.factories import UserFactory, valid_id_number
from tests.meetings.conftest import at

TODAY = datetime.date(2026, 12, 15)


@pytest.fixture(autouse=True)
def _mid_december():
    with time_machine.travel(datetime.datetime(2026, 12, 15, 2, tzinfo=datetime.UTC), tick=True):
        yield


@pytest.fixture
def as_superuser(db) -> Client:
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def _set(key: str, value: int) -> None:
    ManagementRule.objects.filter(key=key).update(value=value)


def _pay(world: World, member: Member, month: str, paid_on: datetime.date = datetime.date(2026, 12, 1)) -> list[str]:
    _, warnings = dues_record_month(
        branch=world.branch_a,
        month=Period.parse(month),
        entries={member.pk: DuesEntry(D("40"), paid_on)},
        actor=world.secretary_a,
    )
    return warnings


def _assess_all(world: World) -> None:
    for member in (world.member_a, world.member_a2):
        dues_assess(member=member, year=2026, actor=world.secretary_a, base_income=D("4000"))


# --- the table -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_numbers_are_seeded_with_their_basis() -> None:
    rules = {r.key: (r.value, r.unit) for r in ManagementRule.objects.all()}
    assert rules == {
        "dues_arrears_warn": (3, "month"),
        "dues_arrears_flag": (6, "month"),
        "life_absence_warn": (3, "month"),
        "life_absence_flag": (6, "month"),
        "dues_back_payment_max": (6, "month"),
        "transfer_wait": (7, "day"),
        "development_reminder_within": (30, "day"),
    }
    basis = {r.key: r.basis for r in ManagementRule.objects.all()}
    assert all(basis.values())
    assert "中国共产党章程》第九条" in basis["dues_arrears_flag"] and "中国共产党章程》第九条" in basis["life_absence_flag"]
    assert "2008" in basis["dues_back_payment_max"]
    assert str(ManagementRule.objects.get(key=ManagementRuleKey.TRANSFER_WAIT)) == "组织关系转接等待提醒：7天"


@pytest.mark.django_db
def test_a_rule_is_read_in_its_one_unit_at_least_1_and_a_warning_never_after_the_flag() -> None:
    rule = ManagementRule.objects.get(key=ManagementRuleKey.DUES_ARREARS_WARN)
    rule.unit = "day"
    rule.value = 0
    with pytest.raises(ValidationError) as exc:
        rule.full_clean()
    assert exc.value.message_dict == {"unit": ["该规则的单位只能是：个月。"], "value": ["数值至少为1。"]}
    rule.unit, rule.value = "month", 7
    with pytest.raises(ValidationError) as exc:
        rule.full_clean()
    assert exc.value.message_dict == {"value": ["提醒月数不能多于“未交党费标记自行脱党风险”的6个月。"]}
    flag = ManagementRule.objects.get(key=ManagementRuleKey.LIFE_ABSENCE_FLAG)
    flag.value = 2
    with pytest.raises(ValidationError) as exc:
        flag.full_clean()
    assert exc.value.message_dict == {"value": ["标记月数不能少于“未参加组织生活提醒”的3个月。"]}
    flag.value = 3
    flag.full_clean()  # warned and flagged at once: allowed


def test_a_missing_rule_is_a_configuration_error_not_a_silent_default(world: World) -> None:
    ManagementRule.objects.filter(key=ManagementRuleKey.DUES_ARREARS_FLAG).delete()
    with pytest.raises(ImproperlyConfigured, match="未交党费标记自行脱党风险"):
        arrears(Member.objects.all())


def test_the_whole_table_is_one_query(world: World, django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        rules = management_rules()
        assert (rules.value(ManagementRuleKey.LIFE_ABSENCE_WARN), rules[ManagementRuleKey.TRANSFER_WAIT].text) == (3, "7天")


# --- the admin -----------------------------------------------------------------------------------


def test_an_admin_lowers_the_dues_warning_to_2_months_and_the_list_follows(
    world: World, as_superuser: Client, as_secretary_a: Client
) -> None:
    _assess_all(world)
    _pay(world, world.member_a, "2026-09")  # October and November unpaid: 2 months
    _pay(world, world.member_a2, "2026-11")
    assert arrears(Member.objects.all()) == []
    rule = ManagementRule.objects.get(key=ManagementRuleKey.DUES_ARREARS_WARN)
    response = as_superuser.post(
        reverse("admin:members_managementrule_change", args=[rule.pk]), {"value": "2", "basis": "本单位规定：满2个月提醒"}
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.value, rule.unit, rule.basis) == (2, "month", "本单位规定：满2个月提醒")
    assert rule.history.first().history_user.username == "root"
    (found,) = arrears(Member.objects.all())
    assert (found.member, found.months_behind, found.level, found.label) == (world.member_a, 2, "warn", "2个月未交")
    page = as_secretary_a.get(reverse("members:dues_arrears"))
    assert page.context["warn_months"] == 2 and "连续2个月以上未交党费的党员：1 名" in page.content.decode()
    # And the flag at 2 as well: the label names the table's number.
    flag = ManagementRule.objects.get(key=ManagementRuleKey.DUES_ARREARS_FLAG)
    as_superuser.post(reverse("admin:members_managementrule_change", args=[flag.pk]), {"value": "2", "basis": flag.basis})
    (found,) = arrears(Member.objects.all())
    assert (found.level, found.label) == ("flag", "满2个月未交（自行脱党风险）")


def test_the_admin_refuses_a_warning_after_the_flag_next_to_the_field(world: World, as_superuser: Client) -> None:
    rule = ManagementRule.objects.get(key=ManagementRuleKey.LIFE_ABSENCE_WARN)
    response = as_superuser.post(reverse("admin:members_managementrule_change", args=[rule.pk]), {"value": "8", "basis": "x"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"value": ["提醒月数不能多于“未参加组织生活标记自行脱党风险”的6个月。"]}
    rule.refresh_from_db()
    assert rule.value == 3


def test_the_admin_neither_adds_nor_deletes_rules_nor_changes_a_key_or_unit(world: World, as_superuser: Client) -> None:
    rule = ManagementRule.objects.get(key=ManagementRuleKey.TRANSFER_WAIT)
    assert as_superuser.get(reverse("admin:members_managementrule_add")).status_code == 403
    response = as_superuser.post(reverse("admin:members_managementrule_delete", args=[rule.pk]), {"post": "yes"})
    assert response.status_code == 403
    changelist = as_superuser.post(
        reverse("admin:members_managementrule_changelist"),
        {"action": "delete_selected", "_selected_action": [rule.pk], "post": "yes"},
    )
    assert changelist.status_code in (200, 302)
    assert ManagementRule.objects.count() == 7
    form = as_superuser.get(reverse("admin:members_managementrule_change", args=[rule.pk])).context["adminform"].form
    assert set(form.fields) == {"value", "basis"}
    as_superuser.post(
        reverse("admin:members_managementrule_change", args=[rule.pk]),
        {"value": "10", "basis": "x", "key": "dues_arrears_warn", "unit": "month"},
    )
    rule.refresh_from_db()
    assert (rule.key, rule.value, rule.unit) == ("transfer_wait", 10, "day")


# --- each read takes its number from the table ---------------------------------------------------------


def test_the_back_payment_warning_names_the_tables_months(world: World) -> None:
    _assess_all(world)
    _set(ManagementRuleKey.DUES_BACK_PAYMENT_MAX, 3)
    assert _pay(world, world.member_a, "2026-09") == []  # paid 3 months later: within
    assert _pay(world, world.member_a, "2026-08") == ["张党员补交2026年8月的党费，已超过3个月。"]


def test_the_month_ledger_says_the_tables_back_payment_months(world: World, as_secretary_a: Client) -> None:
    _set(ManagementRuleKey.DUES_BACK_PAYMENT_MAX, 4)
    text = as_secretary_a.get(reverse("members:dues_month"), {"org": world.branch_a.pk}).content.decode()
    assert "补交一般不超过4个月" in text and "补交一般不超过6个月" not in text


def test_the_transfer_reminder_waits_the_tables_days(world: World) -> None:
    _set(ManagementRuleKey.TRANSFER_WAIT, 3)
    with time_machine.travel(at(2026, 11, 1, 23, 30), tick=False):
        transfer = transfer_apply(
            actor=world.secretary_a,
            kind=TransferKind.INTERNAL,
            scope="within_committee",
            member=world.member_a2,
            to_org=world.branch_b,
            reason="工作调动",
        )
        transfer_approve_out(transfer=transfer, actor=world.secretary_a)
    assert transfer_reminders_run(datetime.date(2026, 11, 4))["waiting"] == 0  # 3 days
    assert transfer_reminders_run(datetime.date(2026, 11, 5))["waiting"] == 1  # 4 days: more than 3


def test_development_deadlines_look_ahead_the_tables_days(world: World) -> None:
    from branches.models import Organization

    record = development_apply(
        branch=world.branch_a,
        applied_on=datetime.date(2026, 12, 5),  # the talk is due by 2027-01-05: 21 days ahead
        actor=world.secretary_a,
        name="周待谈",
        id_number=valid_id_number(datetime.date(1995, 5, 5)),
    )
    branch = Organization.objects.filter(pk=world.branch_a.pk)
    assert [d.record for d in development_deadlines(branch, TODAY)] == [record]  # 30 days by default
    _set(ManagementRuleKey.DEVELOPMENT_REMINDER_WITHIN, 20)
    assert development_deadlines(branch, TODAY) == []
    _set(ManagementRuleKey.DEVELOPMENT_REMINDER_WITHIN, 21)
    assert [d.record for d in development_deadlines(branch, TODAY)] == [record]
