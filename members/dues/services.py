"""Writes to the roster. Views, API, admin, imports and tasks all call these."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from branches.models import Organization, OrgStatus
from members.dues.calculation import FEN, monthly_dues, rules_in_force
from members.dues.models import DuesAssessment, DuesPayment, PaymentMethod
from members.management_rules.models import ManagementRuleKey
from members.management_rules.selectors import management_rules
from members.roster.choices import ENDED_STATES, ON_ROSTER_STATES, MemberState
from members.roster.models import Member
from partybuild.accounts.models import User
from partybuild.periods import Period, PeriodKind


@dataclass(frozen=True)
class DuesEntry:
    """One member's payment for a month, as the secretary enters it."""

    amount_paid: Decimal
    paid_on: datetime.date
    method: str = PaymentMethod.CASH
    paid_by: str = ""


@dataclass(frozen=True)
class DuesSetting:
    """What is given for one member's year: ``base_income`` for 在职 and 离退休, ``flat`` within the
    range for flat categories, ``amount`` to differ from the table (with a ``reason``)."""

    base_income: Decimal | None = None
    flat: Decimal | None = None
    amount: Decimal | None = None
    reason: str = ""


class BranchDissolved(PermissionDenied):
    """A dissolved 党支部 records no dues: its assessments and payments stay as they were (403)."""

    def __init__(self) -> None:
        super().__init__("该党支部已撤销，不能核定或登记党费。")


def dues_require_active(branch: Organization) -> None:
    """The rule that a dissolved 党支部 records no dues: BranchDissolved (403) unless it is active.
    The services check it; the pages and the API ask it first, before reading what was sent."""
    if branch.status != OrgStatus.ACTIVE:
        raise BranchDissolved


class DuesRefused(ValidationError):
    """dues_assess_many refused some rows (and so saved none): ``by_member`` maps each refused
    member's pk to its errors by field."""

    def __init__(self, by_member: dict[int, dict[str, list[str]]]) -> None:
        self.by_member = by_member
        super().__init__({"entries": [f"{len(by_member)}名党员的党费未能核定，均未保存。"]})


def _assess_one(
    member: Member, year: int, setting: DuesSetting, existing: DuesAssessment | None, rules: dict[str, list[Any]]
) -> tuple[DuesAssessment | None, dict[str, list[str]]]:
    """The checks of one member's year, and the assessment they lead to (unsaved)."""
    reason = (setting.reason or "").strip()
    base_income, amount = setting.base_income, setting.amount
    errors: dict[str, list[str]] = {}
    if member.state in ENDED_STATES:
        errors.setdefault("member", []).append(f"该党员已{MemberState(member.state).label.removeprefix('已')}，不再核定党费。")
    if base_income is not None and base_income < 0:
        errors.setdefault("base_income", []).append("月工资收入不能为负数。")
    computed = None
    basis = ""
    try:
        result = monthly_dues(member.dues_category, base_income, year=year, flat=setting.flat, rules=rules)
        computed, basis = result.amount, result.basis
    except ValidationError as exc:
        if amount is None:
            for name, messages in exc.message_dict.items():
                errors.setdefault(name, []).extend(messages)
    if amount is not None:
        if amount < 0:
            errors.setdefault("amount", []).append("党费金额不能为负数。")
        amount = amount.quantize(FEN, ROUND_HALF_UP)
        if amount != computed and not reason:
            errors.setdefault("reason", []).append("每月党费与标准计算结果不同，请说明调整理由。")
    final = amount if amount is not None else computed
    if existing is not None and final != existing.amount and not reason:
        errors.setdefault("reason", []).append("党费一般每年核定一次，年内调整请说明理由。")
    if errors:
        return None, errors
    assert final is not None
    assessment = existing or DuesAssessment(member=member, year=year)
    assessment.category = member.dues_category
    assessment.base_income = base_income
    assessment.computed_amount = computed
    assessment.amount = final
    assessment.basis = basis if final == computed else f"{basis}；调整为每月 {final} 元" if basis else f"每月 {final} 元"
    assessment.override_reason = reason if final != computed or existing is not None else ""
    assessment._change_reason = reason or ("核定党费" if existing is None else "重新核定党费")  # type: ignore[attr-defined]
    try:
        assessment.full_clean(exclude=["member", "set_by"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        return None, exc.message_dict
    return assessment, {}


@transaction.atomic
def dues_assess_many(*, year: int, settings: dict[int, DuesSetting], actor: User) -> list[DuesAssessment]:
    """Set the monthly dues for ``year`` of many members (by pk) at once: all or none. Refusals come
    as DuesRefused, by member; a member of a dissolved 党支部 as BranchDissolved (nothing saved). A fixed number of queries (the members locked, their assessments of
    the year, the dues table, then the inserts and updates with their history rows)."""
    members = {
        m.pk: m for m in Member.objects.select_for_update(of=("self",)).select_related("branch").filter(pk__in=list(settings))
    }
    missing = set(settings) - set(members)
    if missing:
        raise ValidationError({"entries": [f"有{len(missing)}名党员不存在。"]})
    for branch in {m.branch for m in members.values()}:
        dues_require_active(branch)
    existing = {a.member_id: a for a in DuesAssessment.objects.filter(member_id__in=list(settings), year=year)}
    rules = rules_in_force(datetime.date(year, 1, 1))
    refused: dict[int, dict[str, list[str]]] = {}
    to_create: list[DuesAssessment] = []
    to_update: list[DuesAssessment] = []
    for pk, setting in settings.items():
        assessment, errors = _assess_one(members[pk], year, setting, existing.get(pk), rules)
        if errors:
            refused[pk] = errors
        elif assessment is not None:
            assessment.set_by = actor
            (to_update if assessment.pk else to_create).append(assessment)
    if refused:
        raise DuesRefused(refused)
    if to_create:
        bulk_create_with_history(to_create, DuesAssessment, default_user=actor)
    if to_update:
        now = timezone.now()
        for assessment in to_update:
            assessment.set_at = now
        fields = ["category", "base_income", "computed_amount", "amount", "basis", "override_reason", "set_by", "set_at"]
        bulk_update_with_history(to_update, DuesAssessment, fields=fields, default_user=actor)
    return [*to_create, *to_update]


def dues_assess(
    *,
    member: Member,
    year: int,
    actor: User,
    base_income: Decimal | None = None,
    flat: Decimal | None = None,
    amount: Decimal | None = None,
    reason: str = "",
) -> DuesAssessment:
    """Set a member's monthly dues for ``year`` from the dues table (``base_income`` for 在职 and
    离退休, ``flat`` within the range for flat categories). ``amount`` other than the table's needs
    a reason, and so does changing a year already set (dues are set once a year)."""
    setting = DuesSetting(base_income=base_income, flat=flat, amount=amount, reason=reason)
    try:
        (assessment,) = dues_assess_many(year=year, settings={member.pk: setting}, actor=actor)
    except DuesRefused as exc:
        raise ValidationError(exc.by_member[member.pk]) from None
    return assessment


@transaction.atomic
def dues_record_month(
    *, branch: Organization, month: Any, entries: dict[int, DuesEntry], actor: User
) -> tuple[list[DuesPayment], list[str]]:
    """Record a month's dues for members of a 党支部 in one go: all rows or none (a dissolved 党支部:
    BranchDissolved, nothing recorded). Returns the
    payments and warnings: back-payment generally covers at most the months of the management rules
    (``dues_back_payment_max``, 6 by default; 2008 党费规定): more is recorded, with a warning. A
    member's row for the month is corrected in place (history kept) when recorded again."""
    dues_require_active(branch)
    if not isinstance(month, Period) or month.kind != PeriodKind.MONTH:
        raise ValidationError({"month": "请选择月份。"})
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    warnings: list[str] = []
    back_payment_max = management_rules()[ManagementRuleKey.DUES_BACK_PAYMENT_MAX]
    if month.start > today:
        errors.setdefault("month", []).append("不能登记尚未到来的月份的党费。")
    members = {m.pk: m for m in Member.objects.filter(pk__in=list(entries), branch=branch, state__in=ON_ROSTER_STATES)}
    if len(members) != len(entries):
        errors.setdefault("entries", []).append(f"有{len(entries) - len(members)}名党员不是本支部的在册党员。")
    assessments = {a.member_id: a for a in DuesAssessment.objects.filter(member_id__in=list(members), year=month.year)}
    missing = [m.name for pk, m in members.items() if pk not in assessments]
    if missing:
        shown = "、".join(missing[:5]) + ("等" if len(missing) > 5 else "")
        errors.setdefault("entries", []).append(f"{shown}尚未核定{month.year}年党费，请先核定。")
    for pk, entry in entries.items():
        member = members.get(pk)
        if member is None:
            continue
        if (member.joined_on.year, member.joined_on.month) > (month.year, month.index):
            errors.setdefault("entries", []).append(f"{member.name}{month.label}尚未入党，无需交纳党费。")
        if entry.amount_paid is None or entry.amount_paid < 0:
            errors.setdefault("entries", []).append(f"{member.name}的实交金额不正确。")
        if entry.paid_on is None or entry.paid_on > today:
            errors.setdefault("entries", []).append(f"{member.name}的交纳日期不能晚于今天。")
        elif (entry.paid_on.year - month.year) * 12 + entry.paid_on.month - month.index > back_payment_max.value:
            warnings.append(f"{member.name}补交{month.label}的党费，已超过{back_payment_max.text}。")
        if entry.method not in PaymentMethod.values:
            errors.setdefault("entries", []).append(f"{member.name}的交纳方式不正确。")
    existing = {
        p.member_id: p
        for p in DuesPayment.objects.select_for_update(of=("self",))
        .select_related("branch")
        .filter(member_id__in=list(entries), month=month.start)
    }
    for pk, payment in existing.items():
        if payment.branch_id != branch.pk and pk in members:
            # Collected by the branch the member belonged to then (before a transfer): theirs to correct.
            errors.setdefault("entries", []).append(
                f"{members[pk].name}{month.label}的党费已由{payment.branch.name}登记，不能在本支部重复登记。"
            )
    if errors:
        raise ValidationError(errors)
    to_create, to_update = [], []
    for pk, entry in entries.items():
        payment = existing.get(pk) or DuesPayment(member_id=pk, branch_id=branch.pk, month=month.start)
        payment.amount_due = assessments[pk].amount
        payment.amount_paid = entry.amount_paid.quantize(FEN, ROUND_HALF_UP)
        payment.paid_on = entry.paid_on
        payment.method = entry.method
        payment.paid_by = (entry.paid_by or "").strip()[:50]
        payment.recorded_by = actor
        (to_update if payment.pk else to_create).append(payment)
    reason = f"登记{month.label}党费"
    if to_create:
        bulk_create_with_history(to_create, DuesPayment, default_user=actor, default_change_reason=reason)
    if to_update:
        fields = ["amount_due", "amount_paid", "paid_on", "method", "paid_by", "recorded_by", "recorded_at"]
        now = timezone.now()
        for payment in to_update:
            payment.recorded_at = now
        bulk_update_with_history(
            to_update, DuesPayment, fields=fields, default_user=actor, default_change_reason=f"更正{month.label}党费"
        )
    return [*to_create, *to_update], warnings
