"""Shared by the 发展党员 stage services: the rule table, working days, date and vote checks, the
exceptions list, and the person's facts."""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

import chinese_calendar
from django.core.exceptions import NON_FIELD_ERRORS, ImproperlyConfigured, ValidationError
from django.db import models
from django.utils import timezone

from members.development.models import OPEN_STAGES, DevelopmentRecord, DevelopmentRule, RuleKey
from members.roster.models import Member
from members.roster.validators import id_number_birth_date, id_number_gender, normalize_id_number
from partybuild.accounts.models import User

PERSON_FIELDS = ("name", "gender", "id_number", "birth_date", "ethnicity", "education", "phone", "work_unit_position")

Errors = dict[str, str]


# --- rules, dates --------------------------------------------------------------------------------


class Rules:
    """The rule table, read once per service call."""

    def __init__(self, rows: Iterable[DevelopmentRule]) -> None:
        self._rows = {row.key: row for row in rows}

    def __getitem__(self, key: str) -> DevelopmentRule:
        try:
            return self._rows[key]
        except KeyError:
            raise ImproperlyConfigured(f"发展党员规则“{RuleKey(key).label}”缺失，请在发展党员规则表中补充。") from None


def development_rules() -> Rules:
    return Rules(DevelopmentRule.objects.all())


def working_days(start: datetime.date, end: datetime.date) -> int:
    """Working days from ``start`` to ``end``, both included, by the national schedule: weekends
    and 法定节假日 are off, 调休 make-up days are on. Years the calendar does not cover: Mon–Fri."""
    count = 0
    day = start
    while day <= end:
        try:
            count += chinese_calendar.is_workday(day)
        except NotImplementedError:
            count += day.weekday() < 5
        day += datetime.timedelta(days=1)
    return count


def fmt_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def local_today() -> datetime.date:
    return timezone.localdate()


def required_date(errors: Errors, field: str, value: datetime.date | None, label: str) -> bool:
    if value is None:
        errors.setdefault(field, f"请填写{label}。")
        return False
    return True


def not_future(errors: Errors, field: str, value: datetime.date | None, label: str, today: datetime.date) -> None:
    if value is not None and value > today:
        errors.setdefault(field, f"{label}不能晚于今天。")


def not_before(
    errors: Errors, field: str, value: datetime.date | None, label: str, earlier: datetime.date | None, earlier_label: str
) -> None:
    if value is not None and earlier is not None and value < earlier:
        errors.setdefault(field, f"{label}不能早于{earlier_label}（{fmt_date(earlier)}）。")


def require_stage(record: DevelopmentRecord, stages: Sequence[str], action: str) -> None:
    if record.stage not in stages:
        raise ValidationError({NON_FIELD_ERRORS: f"{record.name}目前是“{record.get_stage_display()}”，不能{action}。"})


def refuse_after(later_step: datetime.date | None, done: str, action: str) -> None:
    """The facts a later step relied on stay as they were when it was taken."""
    if later_step is not None:
        raise ValidationError({NON_FIELD_ERRORS: f"{done}（{fmt_date(later_step)}），不能再{action}。"})


def lock(record: DevelopmentRecord) -> DevelopmentRecord:
    """The current row, locked: the caller's instance may be stale."""
    return DevelopmentRecord.objects.select_for_update().get(pk=record.pk)


def save_checked(obj: models.Model, errors: Errors, *, actor: User, reason: str, exclude: Sequence[str] = ()) -> None:
    """full_clean, with the service's own errors first, then save with the history's user and reason."""
    try:
        obj.full_clean(exclude=list(exclude) or None)
    except ValidationError as exc:
        bad_number = "id_number" in errors or "id_number" in exc.error_dict
        # A constraint the service checked first says it again (an open record's number): once is enough.
        said = set(errors.values())
        for name, field_errors in exc.error_dict.items():
            if bad_number and name in ("birth_date", "gender"):
                # Left empty, they follow from the number: the number's own error says it all.
                field_errors = [e for e in field_errors if e.code not in ("blank", "null")]
            messages = [m for m in ValidationError(field_errors).messages if m not in said] if field_errors else []
            if messages:
                errors.setdefault(name, messages[0])
    if errors:
        raise ValidationError(errors)
    obj._history_user = actor  # type: ignore[attr-defined]
    obj._change_reason = reason  # type: ignore[attr-defined]
    obj.save()


def record_exception(
    record: DevelopmentRecord, *, rule: DevelopmentRule, on: datetime.date, detail: str, reason: str, today: datetime.date
) -> None:
    record.exceptions = [
        *record.exceptions,
        {
            "rule": rule.key,
            "rule_label": rule.get_key_display(),
            "detail": detail,
            "reason": reason,
            "on": on.isoformat(),
            "recorded_on": today.isoformat(),
        },
    ]


# --- the person ----------------------------------------------------------------------------------


def normalize_person(fields: dict[str, Any]) -> dict[str, Any]:
    out = dict(fields)
    if isinstance(out.get("id_number"), str):
        out["id_number"] = normalize_id_number(out["id_number"])
    if isinstance(out.get("phone"), str):
        out["phone"] = "".join(unicodedata.normalize("NFKC", out["phone"]).split())
    for key in ("name", "ethnicity", "work_unit_position"):
        if isinstance(out.get(key), str):
            out[key] = out[key].strip()
    return out


def fill_from_id_number(record: DevelopmentRecord) -> None:
    """Birth date and gender follow from a valid number when they were left empty."""
    number = record.id_number or ""
    if len(number) != 18 or not number[:17].isdigit():
        return
    if record.birth_date is None:
        record.birth_date = id_number_birth_date(number)  # type: ignore[assignment]
    if not record.gender:
        record.gender = id_number_gender(number)


def check_person(errors: Errors, record: DevelopmentRecord, rules: Rules) -> None:
    """The applicant's age on the application date, and no second record or roster entry."""
    if not record.name:
        errors.setdefault("name", "请填写姓名。")
    if not record.id_number:
        errors.setdefault("id_number", "请填写公民身份号码。")
    if record.birth_date and record.applied_on:
        rule = rules[RuleKey.MIN_AGE]
        adult_on = rule.shift(record.birth_date)
        if record.applied_on < adult_on:
            errors.setdefault(
                "applied_on",
                f"申请入党须年满{rule.text}：{record.name or '申请人'}出生于{fmt_date(record.birth_date)}，"
                f"{fmt_date(adult_on)}方年满{rule.text}，入党申请日期{fmt_date(record.applied_on)}时未满。",
            )
    if len(record.id_number or "") == 18:
        # Said without naming anyone: the other record may be outside the user's scope.
        if Member.objects.filter(id_number=record.id_number).exists():
            errors.setdefault("id_number", "该公民身份号码已在党员花名册中，不能登记入党申请。")
        others = DevelopmentRecord.objects.filter(id_number=record.id_number, stage__in=OPEN_STAGES)
        if others.exclude(pk=record.pk).exists():
            errors.setdefault("id_number", "该公民身份号码已有正在进行的发展党员记录。")


# --- votes and approvals --------------------------------------------------------------------------

VOTE_LABELS = {
    "entitled": "应到会有表决权的正式党员人数",
    "present": "实到会有表决权的正式党员人数",
    "votes_for": "赞成票数",
    "votes_against": "反对票数",
    "abstentions": "弃权票数",
}


def vote_store_checked(
    record: DevelopmentRecord,
    errors: Errors,
    *,
    vote: str,
    resolution: str,
    voted_on: datetime.date,
    numbers: dict[str, int | None],
    due_field: str,
    rules: Rules,
    actor: User,
    reason: str,
) -> DevelopmentRecord:
    """The end both 支部党员大会 votes share: the numbers checked (``check_vote``), every error raised
    at once, the vote stored, the 党委's approval due ``approval_within`` after it (kept in
    ``due_field``), the record saved with ``reason`` in its history."""
    check_vote(errors, numbers, resolution)
    if errors:
        raise ValidationError(errors)
    record.vote_store(vote, voted_on=voted_on, **numbers)
    setattr(record, due_field, rules[RuleKey.APPROVAL_WITHIN].shift(voted_on))
    save_checked(record, errors, actor=actor, reason=reason)
    return record


def check_vote(errors: Errors, numbers: dict[str, int | None], resolution: str) -> None:
    """Quorum: more than half of the entitled voting members present. Passed: 'for' more than
    half of the entitled voting members (党章: 超过应到会有表决权的正式党员的半数)."""
    for name, value in numbers.items():
        if value is None:
            errors.setdefault(name, f"请填写{VOTE_LABELS[name]}。")
        elif value < 0:
            errors.setdefault(name, f"{VOTE_LABELS[name]}不能为负数。")
    if any(name in errors for name in numbers):
        return
    entitled, present = int(numbers["entitled"] or 0), int(numbers["present"] or 0)
    votes_for = int(numbers["votes_for"] or 0)
    cast = votes_for + int(numbers["votes_against"] or 0) + int(numbers["abstentions"] or 0)
    needed = entitled // 2 + 1
    if entitled == 0:
        errors["entitled"] = "应到会有表决权的正式党员人数须大于0。"
    elif present > entitled:
        errors["present"] = f"实到会人数（{present}名）不能多于应到会人数（{entitled}名）。"
    elif present * 2 <= entitled:
        errors["present"] = f"应到会有表决权的正式党员{entitled}名，实到{present}名，未超过半数（至少需要{needed}名），表决无效。"
    elif cast > present:
        errors["votes_for"] = f"赞成、反对、弃权合计{cast}票，多于实到会的{present}名有表决权的正式党员。"
    elif votes_for * 2 <= entitled:
        errors["votes_for"] = (
            f"赞成{votes_for}票，未超过应到会有表决权的正式党员（{entitled}名）的半数（至少需要{needed}票），"
            f"不能通过{resolution}的决议。"
        )


def check_approval(
    errors: Errors,
    *,
    rules: Rules,
    voted_on: datetime.date,
    due_on: datetime.date,
    approved_on: datetime.date | None,
    reason: str,
    what: str,
) -> str | None:
    """The 党委 approves within ``approval_within`` of the vote; later, up to
    ``approval_within_special``, with a reason. Returns the exception's detail when one is due."""
    if approved_on is None or approved_on <= due_on:
        return None
    normal, special = rules[RuleKey.APPROVAL_WITHIN], rules[RuleKey.APPROVAL_WITHIN_SPECIAL]
    latest = special.shift(voted_on)
    if approved_on > latest:
        errors.setdefault(
            "approved_on",
            f"党委应在支部党员大会通过{what}后{normal.text}内审批，因特殊情况延长的最长不超过{special.text}"
            f"（{fmt_date(latest)}前），{fmt_date(approved_on)}已超过期限。",
        )
        return None
    if not reason:
        errors.setdefault("reason", f"{what}的审批已超过{normal.text}期限（应于{fmt_date(due_on)}前审批），须说明特殊情况。")
        return None
    return f"{what}的审批日期{fmt_date(approved_on)}晚于{normal.text}期限{fmt_date(due_on)}"


def tag_history_reason(record: DevelopmentRecord, reason: str) -> None:
    """Put ``reason`` on the history row a service has just written (the services word their own,
    登记…; a correction says why). Call in the service's transaction: its row lock on the record
    holds until commit, so the latest row is that one."""
    latest = record.history.order_by("-history_id").values_list("history_id", flat=True).first()
    if latest is not None:
        record.history.filter(history_id=latest).update(history_change_reason=reason)
