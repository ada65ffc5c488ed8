"""Writes to the roster. Views, API, admin, imports and tasks all call these."""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .dues import FEN
from .models import ENDED_STATES, ON_ROSTER_STATES, DuesAssessment, DuesPayment, Member, MemberState, PaymentMethod
from .validators import id_number_birth_date, id_number_gender, normalize_id_number

MEMBER_EDITABLE_FIELDS = (
    "name",
    "gender",
    "id_number",
    "ethnicity",
    "birth_date",
    "native_place",
    "education",
    "degree",
    "phone",
    "residence",
    "household_registration",
    "member_type",
    "branch",
    "group",
    "joined_on",
    "confirmed_on",
    "is_leader",
    "dues_category",
    "work_unit_position",
    "job_post",
    "work_started_on",
)


def _normalize(fields: dict[str, Any]) -> dict[str, Any]:
    out = dict(fields)
    if out.get("id_number"):
        out["id_number"] = normalize_id_number(out["id_number"])
    for key in ("name", "phone"):
        if key in out and isinstance(out[key], str):
            # Full-width digits and spaces are how numbers arrive from office documents.
            out[key] = "".join(unicodedata.normalize("NFKC", out[key]).split()) if key == "phone" else out[key].strip()
    return out


def _fill_from_id_number(member: Member) -> None:
    """Birth date and gender follow from a valid number when they were left empty."""
    if not member.id_number or len(member.id_number) != 18:
        return
    if member.birth_date is None:
        member.birth_date = id_number_birth_date(member.id_number)
    if not member.gender and member.id_number[16].isdigit():
        member.gender = id_number_gender(member.id_number)


# What an edit may write back: the roster fields, never the state fields (those change only in
# member_change_state), so a stale or tampered instance cannot undo a state change.
MEMBER_UPDATE_SAVE_FIELDS = (*MEMBER_EDITABLE_FIELDS, "updated_at")


def member_edit_refusal(member: Member) -> str | None:
    """Why the record may not be edited any more (membership ended), or None."""
    if member.state in ENDED_STATES:
        label = MemberState(member.state).label.removeprefix("已")
        return f"该党员已{label}，档案不能再修改。"
    return None


def gender_mismatch_errors(member: Member) -> dict[str, str]:
    """性别 must agree with the 17th digit of the 公民身份号码 (odd: 男, even: 女)."""
    number = member.id_number or ""
    if len(number) != 18 or not number[16].isdigit() or not member.gender:
        return {}  # an invalid number is reported on its own field
    if member.gender != id_number_gender(number):
        return {"gender": "性别与公民身份号码不符（第17位奇数为男，偶数为女）。"}
    return {}


def _full_clean(member: Member, extra: dict[str, str]) -> None:
    """full_clean, with the service's own field errors reported alongside the model's."""
    errors: dict[str, list[str]] = {name: [message] for name, message in extra.items()}
    try:
        member.full_clean()
    except ValidationError as exc:
        for name, field_errors in exc.error_dict.items():
            if name == "birth_date" and "id_number" in exc.error_dict and member.birth_date is None:
                # 出生日期 left empty follows from the number: the number's own error says it all.
                field_errors = [e for e in field_errors if e.code not in ("blank", "null")]
            for message in ValidationError(field_errors).messages if field_errors else []:
                if message not in errors.get(name, []):
                    errors.setdefault(name, []).append(message)
    errors = {name: messages for name, messages in errors.items() if messages}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def member_create(*, actor: Any = None, reason: str = "", **fields: Any) -> Member:
    unknown = set(fields) - set(MEMBER_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    member = Member(**_normalize(fields))
    _fill_from_id_number(member)
    _full_clean(member, gender_mismatch_errors(member))
    member._history_user = actor
    member._change_reason = reason or "新增党员"
    member.save()
    return member


@transaction.atomic
def member_update(*, member: Member, actor: Any = None, reason: str = "", **fields: Any) -> Member:
    unknown = set(fields) - set(MEMBER_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    # Apply the edit to the current row, locked: the caller's instance may be stale.
    member = Member.objects.select_for_update().get(pk=member.pk)
    refusal = member_edit_refusal(member)
    if refusal:
        raise ValidationError({NON_FIELD_ERRORS: refusal})
    values = _normalize(fields)
    changed = {name for name in ("gender", "id_number") if name in values and getattr(member, name) != values[name]}
    for name, value in values.items():
        setattr(member, name, value)
    _fill_from_id_number(member)
    # Only when either was changed now: a legacy record that disagrees stays editable.
    _full_clean(member, gender_mismatch_errors(member) if {"gender", "id_number"} & changed else {})
    member._history_user = actor
    member._change_reason = reason or "修改党员信息"
    member.save(update_fields=MEMBER_UPDATE_SAVE_FIELDS)
    return member


# Which other states a state may move to by hand (the state form, the API). 已转出 is not among
# them: a member leaves the portal only by a 转出系统外 transfer, and comes back only by a 从系统外
# 转入 of the same 公民身份号码 (members.transfers, with ``by_transfer=True``: TRANSFER_TRANSITIONS).
# 出党 and 去世 are final.
MANUAL_ENDED_STATES = (MemberState.EXPELLED, MemberState.DECEASED)
STATE_TRANSITIONS: dict[str, set[str]] = {
    MemberState.NORMAL: {MemberState.MOBILE, MemberState.LOST, MemberState.SUSPENDED, *MANUAL_ENDED_STATES},
    MemberState.MOBILE: {MemberState.NORMAL, MemberState.LOST, MemberState.SUSPENDED, *MANUAL_ENDED_STATES},
    MemberState.LOST: {MemberState.NORMAL, MemberState.MOBILE, MemberState.SUSPENDED, *MANUAL_ENDED_STATES},
    MemberState.SUSPENDED: {MemberState.NORMAL, *MANUAL_ENDED_STATES},
    MemberState.TRANSFERRED_OUT: set(),
    MemberState.EXPELLED: set(),
    MemberState.DECEASED: set(),
}
# What a transfer may do: take a member on the roster out of the portal (转出系统外, approved), or
# bring a member who left that way back (从系统外转入, accepted).
TRANSFER_TRANSITIONS: dict[str, set[str]] = {
    **{s: {MemberState.TRANSFERRED_OUT} for s in ON_ROSTER_STATES},
    MemberState.TRANSFERRED_OUT: {MemberState.NORMAL},
}


def _cn_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@transaction.atomic
def member_change_state(
    *,
    member: Member,
    state: str,
    on: datetime.date,
    reason: str,
    destination: str = "",
    actor: Any = None,
    by_transfer: bool = False,
) -> Member:
    """Move a member to another state with a date and a reason, kept in the history.

    By hand (the state form, the API) only along STATE_TRANSITIONS; ``by_transfer=True`` is the
    transfer services' own (members.transfers): to 已转出 and back from it (TRANSFER_TRANSITIONS).
    The date may not be before the last state change. Ending the membership ends the positions
    held; 出党 or 去世 also closes (退回) any open transfer of the member."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    errors: dict[str, str] = {}
    allowed = (TRANSFER_TRANSITIONS if by_transfer else STATE_TRANSITIONS).get(member.state, set())
    if state == member.state:
        errors["state"] = "新状态与当前状态相同。"
    elif state not in allowed:
        if state == MemberState.TRANSFERRED_OUT and member.state in ON_ROSTER_STATES:
            errors["state"] = "转出须通过组织关系转接（转出系统外）办理，不能直接变更为“已转出”。"
        else:
            errors["state"] = f"“{member.get_state_display()}”的党员不能直接变更为“{MemberState(state).label}”。"
    if not reason or not reason.strip():
        errors["reason"] = "请填写变更原因。"
    if on is None:
        errors["on"] = "请填写变更日期。"
    elif on > timezone.localdate():
        errors["on"] = "变更日期不能晚于今天。"
    elif on < member.joined_on:
        errors["on"] = "变更日期不能早于入党日期。"
    elif member.state_changed_on is not None and on < member.state_changed_on:
        errors["on"] = f"变更日期不能早于上次状态变更日期（{_cn_date(member.state_changed_on)}）。"
    if state == MemberState.MOBILE and not destination.strip():
        errors["destination"] = "流动党员须填写流入地。"
    if errors:
        raise ValidationError(errors)
    member.state = state
    member.state_changed_on = on
    member.state_reason = reason.strip()
    if state == MemberState.MOBILE:
        member.mobile_destination = destination.strip()
    elif state == MemberState.LOST:
        member.lost_on = on
    if state == MemberState.NORMAL:
        member.mobile_destination = ""
        member.lost_on = None
    member.full_clean()
    member._history_user = actor
    member._change_reason = f"状态变更为{MemberState(state).label}：{reason.strip()}"
    member.save()
    if state in ENDED_STATES:
        # Leaving the party roster ends every committee position held, on the same day.
        from branches.models import Position
        from branches.services import position_end

        for position in Position.objects.filter(member=member, ended_on__isnull=True, organization__status="active"):
            position_end(
                position=position, ended_on=max(on, position.started_on), reason=f"党员{MemberState(state).label}", actor=actor
            )
        # ... and the 支部书记 / 党务干部 roles of their login (the 党员 role stays: their own record).
        from partybuild.accounts.services import roles_revoke_for_member

        roles_revoke_for_member(member=member, reason=f"党员{MemberState(state).label}", actor=actor)
    if state in MANUAL_ENDED_STATES:
        # Nobody can send or receive a member who died or left the party: the open transfer ends.
        from .models import Transfer
        from .transfers import OPEN_STATUSES, transfer_return

        for transfer in Transfer.objects.filter(member=member, status__in=OPEN_STATUSES).order_by("pk"):
            transfer_return(transfer=transfer, actor=actor, reason=f"党员已{MemberState(state).label}，转接终止")
    return member


# --- 党费 ----------------------------------------------------------------------------------------


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
    from .dues import monthly_dues

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
def dues_assess_many(*, year: int, settings: dict[int, DuesSetting], actor: Any) -> list[DuesAssessment]:
    """Set the monthly dues for ``year`` of many members (by pk) at once: all or none. Refusals come
    as DuesRefused, by member. A fixed number of queries (the members locked, their assessments of
    the year, the dues table, then the inserts and updates with their history rows)."""
    from .dues import rules_in_force

    members = {m.pk: m for m in Member.objects.select_for_update().filter(pk__in=list(settings))}
    missing = set(settings) - set(members)
    if missing:
        raise ValidationError({"entries": [f"有{len(missing)}名党员不存在。"]})
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
    actor: Any,
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
    *, branch: Any, month: Any, entries: dict[int, DuesEntry], actor: Any
) -> tuple[list[DuesPayment], list[str]]:
    """Record a month's dues for members of a 党支部 in one go: all rows or none. Returns the
    payments and warnings: back-payment generally covers at most the months of the management rules
    (``dues_back_payment_max``, 6 by default; 2008 党费规定): more is recorded, with a warning. A
    member's row for the month is corrected in place (history kept) when recorded again."""
    from partybuild.periods import Period, PeriodKind

    from .management_rules import ManagementRuleKey, management_rules

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


# --- the daily 自行脱党 reminders ------------------------------------------------------------------


def lapse_reminders_run(today: datetime.date | None = None) -> dict[str, int]:
    """The daily job: members behind with dues, or without organizational life, for the warning
    months of the management rules or more (members.management_rules: 3 by default) are notified to everyone
    whose scope covers their branch (secretaries, staff above, admins); at the flagging months (6 by
    default) as a 自行脱党 risk. No member's state is changed. Who is counted: dues, 正常 and 流动党员
    (members.dues.arrears); organizational life, 正常 members only
    (meetings.selectors.members_without_life); 失联 and 停止党籍 members in neither.

    Idempotent: one notification per (user, member, kind, level, since when); a rerun adds none, a
    member who reaches the flagging months (or pays and falls behind again later) is notified anew."""
    from django.urls import reverse

    from meetings.selectors import members_without_life
    from partybuild.accounts.access import notification_recipients_for_paths
    from partybuild.notifications.services import NotificationSpec, notifications_send

    from .dues import arrears
    from .management_rules import management_rules

    today = today or timezone.localdate()
    rules = management_rules()
    owing = arrears(Member.objects.all(), today=today, rules=rules)
    absent = members_without_life(Member.objects.all(), today=today, rules=rules)
    recipients = notification_recipients_for_paths(sorted({x.member.branch.path for x in [*owing, *absent]}))
    specs: list[NotificationSpec] = []

    def notify(member: Member, kind: str, level: str, since: datetime.date | None, title: str) -> None:
        key = f"lapse:{kind}:{member.pk}:{level}:{since:%Y%m}" if since else f"lapse:{kind}:{member.pk}:{level}:none"
        for user_id in recipients[member.branch.path]:
            specs.append(
                NotificationSpec(
                    recipient_id=user_id,
                    dedupe_key=key,
                    title=title,
                    url=reverse("members:detail", args=[member.pk]),
                    level="danger" if level == "flag" else "warning",
                )
            )

    for a in owing:
        risk = "，按党章第九条有自行脱党风险，请及时谈话了解情况" if a.level == "flag" else ""
        notify(
            a.member,
            "dues",
            a.level,
            a.paid_up_to,
            f"{a.member.branch.short_name} {a.member.name}已{a.months_behind}个月未交党费{risk}",
        )
    for b in absent:
        risk = "，按党章第九条有自行脱党风险，请及时谈话了解情况" if b.level == "flag" else ""
        notify(
            b.member,
            "life",
            b.level,
            b.last_attended,
            f"{b.member.branch.short_name} {b.member.name}已连续{b.months_without}个月未参加组织生活{risk}",
        )
    created = notifications_send(specs)
    return {"dues": len(owing), "life": len(absent), "notifications": created}


def development_reminders_run(today: datetime.date | None = None) -> dict[str, int]:
    """The daily 发展党员 job: talks due and 预备期 ending within the days of the management rules
    (``development_reminder_within``, 30 by default), or already past without the step recorded,
    are notified to everyone whose scope covers the 党支部. Idempotent: one notification per (user,
    record, deadline, date)."""
    from django.urls import reverse

    from branches.models import Organization
    from partybuild.accounts.access import notification_recipients_for_paths
    from partybuild.notifications.services import NotificationSpec, notifications_send

    from .development_selectors import development_deadlines

    today = today or timezone.localdate()
    due = development_deadlines(Organization.objects.all(), today)
    recipients = notification_recipients_for_paths(sorted({d.record.branch.path for d in due}))
    specs = []
    for d in due:
        left = d.deadline.days_left
        when = f"已超过{-left}天" if left < 0 else ("今天到期" if left == 0 else f"还有{left}天")
        title = f"{d.record.branch.short_name} {d.record.name}：{d.deadline.label}{d.deadline.due_on:%Y-%m-%d}（{when}）"
        key = f"dev:{d.deadline.kind}:{d.record.pk}:{d.deadline.due_on:%Y%m%d}:{'late' if left < 0 else 'soon'}"
        url = reverse("development:detail", args=[d.record.pk])
        level = "danger" if left < 0 else "warning"
        for user_id in recipients[d.record.branch.path]:
            specs.append(NotificationSpec(recipient_id=user_id, dedupe_key=key, title=title, url=url, level=level))
    return {"deadlines": len(due), "notifications": notifications_send(specs)}


def transfer_reminders_run(today: datetime.date | None = None) -> dict[str, int]:
    """The daily transfer job: a transfer waiting on one side (the sending side to approve, the
    receiving side to accept) longer than the 组织关系转接等待提醒 rule (7 days by default: reminded
    on the 8th) is notified to everyone whose scope covers that side's 党支部. Idempotent: one notification per (user, transfer, status, the day the wait began — the
    transfer's last save, i.e. its last status change): a rerun adds none, and a transfer that
    moves and comes back to the same step (挂起, then 恢复办理) is notified anew once it has waited as
    long again."""
    from django.urls import reverse

    from partybuild.accounts.access import notification_recipients_for_paths
    from partybuild.notifications.services import NotificationSpec, notifications_send

    from .management_rules import ManagementRuleKey, management_rules
    from .models import Transfer, TransferStatus

    today = today or timezone.localdate()
    wait_days = management_rules().value(ManagementRuleKey.TRANSFER_WAIT)  # 组织关系转接等待提醒: data, 7 days by default
    cutoff = timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=wait_days), datetime.time.min))
    waiting = list(
        Transfer.objects.filter(status__in=[TransferStatus.APPLIED, TransferStatus.OUT_APPROVED], updated_at__lt=cutoff)
        .select_related("member", "from_org", "to_org")
        .order_by("pk")
    )
    sides = [(t, t.from_org if t.status == TransferStatus.APPLIED else t.to_org) for t in waiting]
    sides = [(t, org) for t, org in sides if org is not None]
    recipients = notification_recipients_for_paths(sorted({org.path for _, org in sides}))
    specs = []
    for t, org in sides:
        who = t.member.name if t.member_id else t.incoming.get("name", "")
        step = "审核转出" if t.status == TransferStatus.APPLIED else "接收"
        since = timezone.localdate(t.updated_at)
        days = (today - since).days
        title = f"{who}的组织关系转接已等待{step}{days}天（{org.short_name}）"
        for user_id in recipients[org.path]:
            specs.append(
                NotificationSpec(
                    recipient_id=user_id,
                    dedupe_key=f"transfer:{t.pk}:{t.status}:{since:%Y%m%d}",
                    title=title,
                    url=reverse("transfers:detail", args=[t.pk]),
                    level="warning",
                )
            )
    return {"waiting": len(sides), "notifications": notifications_send(specs)}
