"""Writes to the roster. Views, API, admin, imports and tasks all call these."""

from __future__ import annotations

import datetime
import unicodedata
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from branches.models import Position
from branches.services import position_end
from members.roster.choices import ENDED_STATES, ON_ROSTER_STATES, MemberState
from members.roster.models import Member
from members.roster.validators import id_number_birth_date, id_number_gender, normalize_id_number
from partybuild.accounts.models import User
from partybuild.accounts.services import roles_revoke_for_member

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
def member_create(*, actor: User | None = None, reason: str = "", **fields: Any) -> Member:
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
def member_update(*, member: Member, actor: User | None = None, reason: str = "", **fields: Any) -> Member:
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

#: Sent by member_change_state, inside its transaction, when a member leaves the party or dies
#: (出党, 去世): what the apps built on the roster keep open for the member ends with them (the
#: open transfers: members.transfers.step_services). Arguments: member, state, actor.
member_left_party = Signal()


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
    actor: User | None = None,
    by_transfer: bool = False,
) -> Member:
    """Move a member to another state with a date and a reason, kept in the history.

    By hand (the state form, the API) only along STATE_TRANSITIONS; ``by_transfer=True`` is the
    transfer services' own (members.transfers): to 已转出 and back from it (TRANSFER_TRANSITIONS).
    The date may not be before the last state change. Ending the membership ends the positions
    held. 出党 or 去世 by hand sends ``member_left_party`` in the same transaction: transfers are
    built on this write (it knows none), and members.transfers.step_services returns (退回) the
    member's open transfers on that signal."""
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
        for position in Position.objects.filter(member=member, ended_on__isnull=True, organization__status="active"):
            position_end(
                position=position, ended_on=max(on, position.started_on), reason=f"党员{MemberState(state).label}", actor=actor
            )
        # ... and the 支部书记 / 党务干部 roles of their login (the 党员 role stays: their own record).
        roles_revoke_for_member(member=member, reason=f"党员{MemberState(state).label}", actor=actor)
    if state in MANUAL_ENDED_STATES:
        member_left_party.send(sender=Member, member=member, state=state, actor=actor)
    return member
