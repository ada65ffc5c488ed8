"""Setting a year's dues and recording a month's payments for a branch: all rows or none, Chinese
errors, history kept; arrears warned at 3 months and flagged at 6, never changing a state."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
import time_machine
from django.core.exceptions import ValidationError

from branches.models import Organization, OrgStatus
from members.dues.models import DuesAssessment, DuesPayment
from members.dues.selectors import arrears
from members.dues.services import BranchDissolved, DuesEntry, DuesSetting, dues_assess, dues_assess_many, dues_record_month
from members.roster.choices import MemberState
from members.roster.models import Member
from partybuild.periods import Period
from tests.conftest import World
from tests.factories import MemberFactory


@pytest.fixture(autouse=True)
def _december_2026():
    with time_machine.travel(datetime.datetime(2026, 12, 15, 10, tzinfo=datetime.UTC), tick=True):
        yield


def _assess_all(world: World, year: int = 2026) -> None:
    for member in (world.member_a, world.member_a2):
        dues_assess(member=member, year=year, actor=world.secretary_a, base_income=D("4000"))


def test_a_year_is_set_from_the_table_and_an_override_needs_a_reason(world: World) -> None:
    a = dues_assess(member=world.member_a, year=2026, actor=world.secretary_a, base_income=D("4000"))
    assert (a.amount, a.computed_amount, a.basis) == (D("40.00"), D("40.00"), "月收入 4,000.00 元 × 1% = 40.00 元")
    with pytest.raises(ValidationError) as exc:
        dues_assess(member=world.member_a2, year=2026, actor=world.secretary_a, base_income=D("4000"), amount=D("100"))
    assert exc.value.message_dict == {"reason": ["每月党费与标准计算结果不同，请说明调整理由。"]}
    b = dues_assess(
        member=world.member_a2, year=2026, actor=world.secretary_a, base_income=D("4000"), amount=D("100"), reason="本人自愿多交"
    )
    assert (b.amount, b.computed_amount, b.override_reason) == (D("100.00"), D("40.00"), "本人自愿多交")
    assert b.history.first().history_user == world.secretary_a


def test_changing_a_year_already_set_needs_a_reason(world: World) -> None:
    dues_assess(member=world.member_a, year=2026, actor=world.secretary_a, base_income=D("4000"))
    with pytest.raises(ValidationError) as exc:
        dues_assess(member=world.member_a, year=2026, actor=world.secretary_a, base_income=D("6000"))
    assert exc.value.message_dict == {"reason": ["党费一般每年核定一次，年内调整请说明理由。"]}
    dues_assess(member=world.member_a, year=2026, actor=world.secretary_a, base_income=D("6000"), reason="工资调整")
    assert DuesAssessment.objects.get(member=world.member_a, year=2026).amount == D("90.00")


def test_a_dissolved_branch_records_no_dues(world: World) -> None:
    _assess_all(world)
    Organization.objects.filter(pk=world.branch_a.pk).update(status=OrgStatus.DISSOLVED)
    world.branch_a.refresh_from_db()
    entry = DuesEntry(D("40"), datetime.date(2026, 11, 20))
    with pytest.raises(BranchDissolved, match=r"^该党支部已撤销，不能核定或登记党费。$"):
        dues_record_month(
            branch=world.branch_a, month=Period.parse("2026-11"), entries={world.member_a.pk: entry}, actor=world.staff
        )
    with pytest.raises(BranchDissolved, match=r"^该党支部已撤销，不能核定或登记党费。$"):
        dues_assess(member=world.member_a, year=2026, actor=world.staff, base_income=D("6000"), reason="工资调整")
    with pytest.raises(BranchDissolved):
        dues_assess_many(year=2027, settings={world.member_a2.pk: DuesSetting(base_income=D("4000"))}, actor=world.staff)
    assert not DuesPayment.objects.exists()
    assert set(DuesAssessment.objects.values_list("year", "amount")) == {(2026, D("40.00"))}


def test_a_month_for_the_branch_goes_in_all_or_nothing(world: World) -> None:
    _assess_all(world)
    month = Period.parse("2026-11")
    good = DuesEntry(D("40"), datetime.date(2026, 11, 20))
    with pytest.raises(ValidationError) as exc:
        dues_record_month(
            branch=world.branch_a,
            month=month,
            entries={world.member_a.pk: good, world.member_a2.pk: DuesEntry(D("40"), datetime.date(2027, 1, 1))},
            actor=world.secretary_a,
        )
    assert exc.value.message_dict == {"entries": ["李同志的交纳日期不能晚于今天。"]}
    assert not DuesPayment.objects.exists()
    payments, warnings = dues_record_month(
        branch=world.branch_a,
        month=month,
        entries={
            world.member_a.pk: good,
            world.member_a2.pk: DuesEntry(D("40"), datetime.date(2026, 11, 21), "wechat", "爱人代交"),
        },
        actor=world.secretary_a,
    )
    assert warnings == [] and len(payments) == 2
    row = DuesPayment.objects.get(member=world.member_a2)
    assert (row.month, row.amount_due, row.amount_paid, row.method, row.paid_by) == (
        datetime.date(2026, 11, 1),
        D("40.00"),
        D("40.00"),
        "wechat",
        "爱人代交",
    )
    # Recorded again: corrected in place, with its history.
    dues_record_month(
        branch=world.branch_a,
        month=month,
        entries={world.member_a2.pk: DuesEntry(D("20"), datetime.date(2026, 11, 22))},
        actor=world.secretary_a,
    )
    row.refresh_from_db()
    assert row.amount_paid == D("20.00") and DuesPayment.objects.count() == 2
    assert row.history.count() == 2


def test_members_without_a_years_dues_or_outside_the_branch_are_refused(world: World) -> None:
    dues_assess(member=world.member_a, year=2026, actor=world.secretary_a, base_income=D("4000"))
    with pytest.raises(ValidationError) as exc:
        dues_record_month(
            branch=world.branch_a,
            month=Period.parse("2026-11"),
            entries={
                world.member_a.pk: DuesEntry(D("40"), datetime.date(2026, 11, 20)),
                world.member_a2.pk: DuesEntry(D("40"), datetime.date(2026, 11, 20)),
                world.member_b.pk: DuesEntry(D("40"), datetime.date(2026, 11, 20)),
            },
            actor=world.secretary_a,
        )
    assert exc.value.message_dict == {"entries": ["有1名党员不是本支部的在册党员。", "李同志尚未核定2026年党费，请先核定。"]}


def test_a_future_month_and_a_month_before_joining_are_refused_a_late_back_payment_warned(world: World) -> None:
    _assess_all(world)
    with pytest.raises(ValidationError) as exc:
        dues_record_month(branch=world.branch_a, month=Period.parse("2027-01"), entries={}, actor=world.secretary_a)
    assert exc.value.message_dict == {"month": ["不能登记尚未到来的月份的党费。"]}
    late = MemberFactory(name="新党员", branch=world.branch_a, joined_on=datetime.date(2026, 6, 10))
    dues_assess(member=late, year=2026, actor=world.secretary_a, base_income=D("3000"))
    with pytest.raises(ValidationError) as exc:
        dues_record_month(
            branch=world.branch_a,
            month=Period.parse("2026-05"),
            entries={late.pk: DuesEntry(D("15"), datetime.date(2026, 12, 1))},
            actor=world.secretary_a,
        )
    assert exc.value.message_dict == {"entries": ["新党员2026年5月尚未入党，无需交纳党费。"]}
    _, warnings = dues_record_month(
        branch=world.branch_a,
        month=Period.parse("2026-05"),
        entries={world.member_a.pk: DuesEntry(D("40"), datetime.date(2026, 12, 1))},
        actor=world.secretary_a,
    )
    assert warnings == ["张党员补交2026年5月的党费，已超过6个月。"]


def test_arrears_are_warned_at_3_months_and_flagged_at_6_and_the_state_never_changes(world: World) -> None:
    _assess_all(world)
    # member_a paid up to August (3 months behind in December: Sep, Oct, Nov); member_a2 paid
    # up to May (6 behind: Jun-Nov).
    for month, who in (("2026-08", world.member_a), ("2026-05", world.member_a2)):
        dues_record_month(
            branch=world.branch_a,
            month=Period.parse(month),
            entries={who.pk: DuesEntry(D("40"), datetime.date(2026, 12, 1))},
            actor=world.secretary_a,
        )
    found = {a.member.pk: a for a in arrears(Member.objects.all())}
    assert (found[world.member_a.pk].months_behind, found[world.member_a.pk].level) == (3, "warn")
    assert (found[world.member_a2.pk].months_behind, found[world.member_a2.pk].level) == (6, "flag")
    assert found[world.member_a2.pk].label == "满6个月未交（自行脱党风险）"
    # A month paid short does not count as paid: November at 10 of 40 leaves member_a 3 behind.
    dues_record_month(
        branch=world.branch_a,
        month=Period.parse("2026-11"),
        entries={world.member_a.pk: DuesEntry(D("10"), datetime.date(2026, 12, 2))},
        actor=world.secretary_a,
    )
    again = {a.member.pk: a.months_behind for a in arrears(Member.objects.all())}
    assert again[world.member_a.pk] == 3
    for month in ("2026-09", "2026-10", "2026-11"):
        dues_record_month(
            branch=world.branch_a,
            month=Period.parse(month),
            entries={world.member_a.pk: DuesEntry(D("40"), datetime.date(2026, 12, 3))},
            actor=world.secretary_a,
        )
    assert world.member_a.pk not in {a.member.pk for a in arrears(Member.objects.all())}
    assert Member.objects.get(pk=world.member_a2.pk).state == MemberState.NORMAL


def test_members_with_no_dues_set_are_not_counted_as_owing(world: World) -> None:
    assert arrears(Member.objects.all()) == []


def test_a_branch_that_starts_keeping_dues_late_in_the_year_is_not_behind_for_the_months_before(world: World) -> None:
    _assess_all(world)
    dues_record_month(
        branch=world.branch_a,
        month=Period.parse("2026-11"),
        entries={world.member_a.pk: DuesEntry(D("40"), datetime.date(2026, 12, 1))},
        actor=world.secretary_a,
    )
    # Branch A's first month in the portal is November: member_a2 owes November only.
    assert arrears(Member.objects.all(), at_least=1)[0].months_behind == 1
    assert arrears(Member.objects.all()) == []


# --- arrears: the boundaries, transfers, who is counted ---------------------------------------------


def _pay(world: World, member: Member, month: str, *, branch=None, actor=None, paid_on=datetime.date(2026, 12, 1)) -> None:
    dues_record_month(
        branch=branch or world.branch_a,
        month=Period.parse(month),
        entries={member.pk: DuesEntry(D("40"), paid_on)},
        actor=actor or world.secretary_a,
    )


@pytest.mark.parametrize(
    ("paid_to", "behind", "level"),
    [("2026-09", 2, None), ("2026-08", 3, "warn"), ("2026-06", 5, "warn"), ("2026-05", 6, "flag")],
)
def test_arrears_at_2_months_nothing_at_3_and_5_warned_at_6_flagged(
    world: World, paid_to: str, behind: int, level: str | None
) -> None:
    _assess_all(world)
    _pay(world, world.member_a2, "2026-11")
    _pay(world, world.member_a, paid_to)  # up to last month (November): ``behind`` months unpaid
    found = {a.member.pk: a for a in arrears(Member.objects.all())}
    if level is None:
        assert found == {}
        assert arrears(Member.objects.all(), at_least=1)[0].months_behind == behind
    else:
        assert (found[world.member_a.pk].months_behind, found[world.member_a.pk].level) == (behind, level)
        assert set(found) == {world.member_a.pk}


def test_a_back_payment_of_exactly_6_months_is_not_warned_7_is(world: World) -> None:
    _assess_all(world)
    paid_on = datetime.date(2026, 12, 1)
    _, warnings = dues_record_month(
        branch=world.branch_a,
        month=Period.parse("2026-06"),  # June paid in December: 6 months later
        entries={world.member_a.pk: DuesEntry(D("40"), paid_on)},
        actor=world.secretary_a,
    )
    assert warnings == []
    _, warnings = dues_record_month(
        branch=world.branch_a,
        month=Period.parse("2026-05"),  # May paid in December: 7 months later
        entries={world.member_a.pk: DuesEntry(D("40"), paid_on)},
        actor=world.secretary_a,
    )
    assert warnings == ["张党员补交2026年5月的党费，已超过6个月。"]


def _transfer_internal(world: World, member: Member, to, on: datetime.date, **extra) -> None:
    from members.transfers.application_services import transfer_apply
    from members.transfers.models import TransferKind
    from members.transfers.step_services import transfer_accept, transfer_approve_out

    with time_machine.travel(datetime.datetime.combine(on, datetime.time(2), tzinfo=datetime.UTC), tick=False):
        transfer = transfer_apply(
            actor=world.secretary_a,
            kind=TransferKind.INTERNAL,
            scope="within_committee",
            member=member,
            to_org=to,
            reason="工作调动",
            **extra,
        )
        transfer = transfer_approve_out(transfer=transfer, actor=world.secretary_a)
        transfer_accept(transfer=transfer, actor=world.secretary_b)


def test_a_member_transferring_in_with_old_payments_puts_nobody_of_the_receiving_branch_in_arrears(world: World) -> None:
    _assess_all(world)
    newcomer_b = MemberFactory(name="孙乙", branch=world.branch_b)
    for member in (world.member_b, newcomer_b):
        dues_assess(member=member, year=2026, actor=world.secretary_b, base_income=D("4000"))
    for month in ("2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09"):
        _pay(world, world.member_a2, month)  # collected by branch A, January to September
    for month in ("2026-10", "2026-11"):  # branch B keeps its dues in the portal from October
        _pay(world, world.member_b, month, branch=world.branch_b, actor=world.secretary_b)
    _transfer_internal(world, world.member_a2, world.branch_b, datetime.date(2026, 10, 20))
    assert Member.objects.get(pk=world.member_a2.pk).branch == world.branch_b

    found = {a.member.pk: a for a in arrears(Member.objects.all(), at_least=1)}
    # 孙乙 owes October and November, from the first month branch B itself collected: the
    # January that member_a2 paid in branch A is not branch B's start.
    assert found[newcomer_b.pk].months_behind == 2
    # member_a2 is counted from their own last month paid in full, collected by A: October on.
    assert (found[world.member_a2.pk].months_behind, found[world.member_a2.pk].paid_up_to) == (2, datetime.date(2026, 9, 1))
    assert world.member_b.pk not in found
    # Branch A still starts in January (its own collection): member_a owes January to November.
    assert found[world.member_a.pk].months_behind == 11
    assert {a.member.pk for a in arrears(Member.objects.all())} == {world.member_a.pk}


def test_the_dues_paid_to_of_an_accepted_transfer_counts_as_paid(world: World) -> None:
    from django.utils import timezone

    from members.roster.validators import make_id_number
    from members.transfers.application_services import transfer_apply
    from members.transfers.models import TransferKind
    from members.transfers.step_services import transfer_accept

    dues_assess(member=world.member_b, year=2026, actor=world.secretary_b, base_income=D("4000"))
    _pay(world, world.member_b, "2026-01", branch=world.branch_b, actor=world.secretary_b)  # B since January
    transfer = transfer_apply(
        actor=world.secretary_b,
        kind=TransferKind.IN,
        scope="within_province",
        to_org=world.branch_b,
        from_name="中共某区教育局机关支部委员会",
        reason="调入",
        incoming={
            "name": "钱转入",
            "id_number": make_id_number("110101", datetime.date(1988, 3, 8), 21),
            "joined_on": datetime.date(2012, 7, 1),
            "confirmed_on": datetime.date(2013, 7, 1),
        },
        dues_paid_to=datetime.date(2026, 10, 1),  # 党费交至 on the letter
        valid_until=timezone.localdate() + datetime.timedelta(days=30),
    )
    newcomer = transfer_accept(transfer=transfer, actor=world.secretary_b).member
    dues_assess(member=newcomer, year=2026, actor=world.secretary_b, base_income=D("4000"))
    found = {a.member.pk: a for a in arrears(Member.objects.all(), at_least=1)}
    # Not 11 months behind from branch B's January: paid (by the letter) up to October.
    assert (found[newcomer.pk].months_behind, found[newcomer.pk].paid_up_to) == (1, datetime.date(2026, 10, 1))


def test_arrears_count_normal_and_mobile_members_not_lost_or_suspended_ones(world: World) -> None:
    _assess_all(world)
    others = {}
    for state in (MemberState.MOBILE, MemberState.LOST, MemberState.SUSPENDED):
        others[state] = MemberFactory(name=MemberState(state).label, branch=world.branch_a)
        dues_assess(member=others[state], year=2026, actor=world.secretary_a, base_income=D("4000"))
        Member.objects.filter(pk=others[state].pk).update(state=state)
    _pay(world, world.member_a, "2026-01")
    found = {a.member.pk for a in arrears(Member.objects.all())}
    assert found == {world.member_a.pk, world.member_a2.pk, others[MemberState.MOBILE].pk}


def test_the_record_page_and_the_lists_say_the_same_dues_paid_to(world: World) -> None:
    """The record page works 党费交至 out from what it fetched (paid_up_to_of); lists and the
    arrears from SQL (with_paid_up_to): same answer, with a short month, a later full one and a
    transfer letter."""
    from members.dues.selectors import paid_up_to_of, with_paid_up_to
    from members.roster.timeline import member_dues_records, member_transfers
    from members.transfers.application_services import transfer_apply
    from members.transfers.models import Transfer
    from members.transfers.step_services import transfer_accept, transfer_approve_out

    _assess_all(world)
    member = world.member_a2

    def both() -> tuple[datetime.date | None, datetime.date | None]:
        _, payments = member_dues_records(member)
        in_python = paid_up_to_of(payments, member_transfers(member))
        in_sql = with_paid_up_to(Member.objects.filter(pk=member.pk)).get().paid_up_to
        return in_python, in_sql

    assert both() == (None, None)
    for month, amount in (("2026-07", "40"), ("2026-08", "10")):  # August short
        dues_record_month(
            branch=world.branch_a,
            month=Period.parse(month),
            entries={member.pk: DuesEntry(D(amount), datetime.date(2026, 9, 1))},
            actor=world.secretary_a,
        )
    assert both() == (datetime.date(2026, 7, 1), datetime.date(2026, 7, 1))
    transfer = transfer_apply(
        actor=world.secretary_a,
        kind="internal",
        scope="within_committee",
        member=member,
        to_org=world.branch_b,
        reason="工作调动",
        dues_paid_to=datetime.date(2026, 10, 1),
    )
    transfer_accept(transfer=transfer_approve_out(transfer=transfer, actor=world.secretary_a), actor=world.secretary_b)
    assert Transfer.objects.get(pk=transfer.pk).dues_paid_to == datetime.date(2026, 10, 1)
    assert both() == (datetime.date(2026, 10, 1), datetime.date(2026, 10, 1))
