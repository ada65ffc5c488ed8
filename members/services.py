"""Writes to the roster. Views, API, admin, imports and tasks all call these."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from .models import ENDED_STATES, Member, MemberState
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
            out[key] = "".join(out[key].split()) if key == "phone" else out[key].strip()
    return out


def _fill_from_id_number(member: Member) -> None:
    """Birth date and gender follow from a valid number when they were left empty."""
    if not member.id_number or len(member.id_number) != 18:
        return
    if member.birth_date is None:
        member.birth_date = id_number_birth_date(member.id_number)
    if not member.gender and member.id_number[16].isdigit():
        member.gender = id_number_gender(member.id_number)


@transaction.atomic
def member_create(*, actor: Any = None, reason: str = "", **fields: Any) -> Member:
    unknown = set(fields) - set(MEMBER_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    member = Member(**_normalize(fields))
    _fill_from_id_number(member)
    member.full_clean()
    member._history_user = actor
    member._change_reason = reason or "新增党员"
    member.save()
    return member


@transaction.atomic
def member_update(*, member: Member, actor: Any = None, reason: str = "", **fields: Any) -> Member:
    unknown = set(fields) - set(MEMBER_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    for name, value in _normalize(fields).items():
        setattr(member, name, value)
    _fill_from_id_number(member)
    member.full_clean()
    member._history_user = actor
    member._change_reason = reason or "修改党员信息"
    member.save()
    return member


# Which other states a state may move to. Ended states are final except by a new record
# (transfers back in are a separate flow in the lifecycle issue).
STATE_TRANSITIONS: dict[str, set[str]] = {
    MemberState.NORMAL: {MemberState.MOBILE, MemberState.LOST, MemberState.SUSPENDED, *ENDED_STATES},
    MemberState.MOBILE: {MemberState.NORMAL, MemberState.LOST, MemberState.SUSPENDED, *ENDED_STATES},
    MemberState.LOST: {MemberState.NORMAL, MemberState.MOBILE, MemberState.SUSPENDED, *ENDED_STATES},
    MemberState.SUSPENDED: {MemberState.NORMAL, *ENDED_STATES},
    MemberState.TRANSFERRED_OUT: set(),
    MemberState.EXPELLED: set(),
    MemberState.DECEASED: set(),
}


@transaction.atomic
def member_change_state(
    *,
    member: Member,
    state: str,
    on: datetime.date,
    reason: str,
    destination: str = "",
    actor: Any = None,
) -> Member:
    """Move a member to another state with a date and a reason, kept in the history."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    errors: dict[str, str] = {}
    if state == member.state:
        errors["state"] = "新状态与当前状态相同。"
    elif state not in STATE_TRANSITIONS.get(member.state, set()):
        errors["state"] = f"“{member.get_state_display()}”的党员不能直接变更为“{MemberState(state).label}”。"
    if not reason or not reason.strip():
        errors["reason"] = "请填写变更原因。"
    if on is None:
        errors["on"] = "请填写变更日期。"
    elif on < member.joined_on:
        errors["on"] = "变更日期不能早于入党日期。"
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
    return member
