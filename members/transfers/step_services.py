"""组织关系转接: the steps of an open transfer — 转出方审核, 转入方接收, 退回, 挂起 and 恢复办理 —
and what they do to the member.

Approving a 转出系统外 ends the membership here (state 已转出, positions ended, history kept) and
an open 发展党员 record with it. Accepting a 系统内转接 moves the member to the new 党支部, ends the
positions they held in the old one (and its 党小组) and moves an open 发展党员 record (a
预备党员's) to the new 党支部, which records the 转正. Accepting a 从系统外转入 creates the member,
or brings back the one who left by a 转出系统外 with the same 公民身份号码.

Any open transfer may be 退回 (returned: closed, with a reason) or 挂起 (suspended: waiting, with a
reason) and resumed where it was. A letter past its validity cannot be accepted. Opening a transfer
(申请) is members.transfers.application_services. Which side may act is decided in
partybuild.accounts.access (the views check it); these functions check the rules of the transfer
itself.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from branches.models import OrgStatus, Position
from branches.services import position_end
from members.development.models import OPEN_STAGES, DevelopmentRecord, DevelopmentStage
from members.roster.choices import ON_ROSTER_STATES, MemberState, MemberType
from members.roster.models import Member
from members.roster.services import member_change_state, member_create, member_left_party, member_update
from members.transfers.application_services import check_branch, field_errors
from members.transfers.incoming import incoming_refusal
from members.transfers.models import OPEN_STATUSES, Transfer, TransferKind, TransferStatus
from partybuild.accounts.models import User
from partybuild.accounts.services import roles_revoke_for_member


def _locked(transfer: Transfer) -> Transfer:
    # Lock the transfer row only (PostgreSQL cannot lock the nullable side of an outer join).
    return Transfer.objects.select_for_update(of=("self",)).select_related("member", "from_org", "to_org").get(pk=transfer.pk)


def _save(transfer: Transfer, actor: User, reason: str) -> Transfer:
    transfer._history_user = actor  # type: ignore[attr-defined]
    transfer._change_reason = reason  # type: ignore[attr-defined]
    transfer.save()
    return transfer


def _check_still_in_from_org(transfer: Transfer) -> None:
    """The member moved to another 党支部 (an edit of the roster) while the transfer was open: the
    sending side is no longer theirs, so it is returned and applied for again."""
    if transfer.member_id and transfer.from_org_id and transfer.member.branch_id != transfer.from_org_id:
        raise field_errors(
            member=f"{transfer.member.name}所在党支部已变更，不再是{transfer.from_org.name}，请退回后重新申请转接。"
        )


@transaction.atomic
def transfer_approve_out(*, transfer: Transfer, actor: User) -> Transfer:
    """The sending side approves. Out of the portal, this ends the membership here."""
    transfer = _locked(transfer)
    if transfer.status != TransferStatus.APPLIED or transfer.kind == TransferKind.IN:
        raise field_errors(status=f"该转接当前为“{transfer.get_status_display()}”，不能审核转出。")
    _check_still_in_from_org(transfer)
    if transfer.kind == TransferKind.OUT:
        today = timezone.localdate()
        member_change_state(
            member=transfer.member,
            state=MemberState.TRANSFERRED_OUT,
            on=today,
            reason=f"组织关系转出至{transfer.to_name}：{transfer.reason}"[:200],
            actor=actor,
            by_transfer=True,
        )
        _end_development_here(transfer, actor, today)
        transfer.status = TransferStatus.COMPLETED
        return _save(transfer, actor, "转出方审核，组织关系已转出")
    transfer.status = TransferStatus.OUT_APPROVED
    return _save(transfer, actor, "转出方审核通过")


def _end_development_here(transfer: Transfer, actor: User, on: datetime.date) -> None:
    """A 预备党员 (or anyone with an open 发展党员 record) whose 组织关系 leaves the portal: the record
    ends here as 组织关系已转出 (the receiving organization keeps the 预备期 going), so it leaves the
    branch's pipeline and reminders."""
    for record in DevelopmentRecord.objects.select_for_update().filter(member=transfer.member, stage__in=OPEN_STAGES):
        record.stage = DevelopmentStage.TRANSFERRED_OUT
        record.ended_on = on
        record.end_reason = f"组织关系转出至{transfer.to_name}"[:200]
        record._history_user = actor  # type: ignore[attr-defined]
        record._change_reason = f"组织关系转出至{transfer.to_name}，发展党员记录在本系统结束"  # type: ignore[attr-defined]
        record.save(update_fields=["stage", "ended_on", "end_reason", "updated_at"])


def _leave_old_branch(member: Member, transfer: Transfer, actor: User, on: datetime.date) -> None:
    """What a 系统内转接 takes from the old 党支部: the positions held in it (and its 党小组) end on
    the day of acceptance with the login's 支部书记 role there, and an open 发展党员 record (a 预备党员's) goes with the member, so the
    new 党支部 records the 转正 and receives the reminders."""
    old = transfer.from_org
    for position in Position.objects.filter(
        member=member, ended_on__isnull=True, organization__status=OrgStatus.ACTIVE, organization__path__startswith=old.path
    ).order_by("pk"):
        position_end(position=position, ended_on=max(on, position.started_on), reason="组织关系转出", actor=actor)
    # The login's 支部书记 role of the old 党支部 goes with the position (its scope would stay).
    roles_revoke_for_member(member=member, reason=f"组织关系转出{old.name}", actor=actor, within_path=old.path)
    for record in DevelopmentRecord.objects.select_for_update().filter(member=member, stage__in=OPEN_STAGES):
        record.branch = transfer.to_org
        record._history_user = actor  # type: ignore[attr-defined]
        record._change_reason = f"组织关系转接：从{old.name}转入{transfer.to_org.name}"[:100]  # type: ignore[attr-defined]
        record.save(update_fields=["branch", "updated_at"])


def _incoming_facts(transfer: Transfer) -> dict[str, Any]:
    facts = dict(transfer.incoming)
    for name in ("birth_date", "joined_on", "confirmed_on"):
        if facts.get(name):
            facts[name] = datetime.date.fromisoformat(facts[name])
    return facts


def _bring_back(member: Member, transfer: Transfer, facts: dict[str, Any], actor: User, on: datetime.date) -> Member:
    """A member who left by a 转出系统外 comes back: 正常 again from ``on``, in the receiving 党支部
    (no 党小组 yet), with the letter's roster facts (a 人员类别 left empty is 正式党员, as for a new
    member; facts the letter does not give stay as they were)."""
    why = f"从{transfer.from_name}转回"
    member_change_state(
        member=member,
        state=MemberState.NORMAL,
        on=on,
        reason=f"{why}：{transfer.reason}"[:200],
        actor=actor,
        by_transfer=True,
    )
    facts.setdefault("member_type", MemberType.FULL)
    facts.setdefault("confirmed_on", None)
    return member_update(member=member, actor=actor, reason=why[:100], branch=transfer.to_org, group=None, **facts)


@transaction.atomic
def transfer_accept(*, transfer: Transfer, actor: User) -> Transfer:
    """The receiving side accepts: the member moves (or, from outside, is created or comes back)
    with history."""
    transfer = _locked(transfer)
    if transfer.status != TransferStatus.OUT_APPROVED:
        raise field_errors(status=f"该转接当前为“{transfer.get_status_display()}”，不能接收。")
    if transfer.valid_until is not None and transfer.valid_until < timezone.localdate():
        raise field_errors(valid_until=f"介绍信已于{transfer.valid_until:%Y-%m-%d}过期，请退回并重新开具。")
    check_branch(transfer.to_org, "to_org")
    today = timezone.localdate()
    why = f"组织关系转接：{transfer.reason}"[:200]
    if transfer.kind == TransferKind.INTERNAL:
        member = transfer.member
        if member.state not in ON_ROSTER_STATES:
            raise field_errors(member=f"{member.name}已不在册，不能接收。")
        _check_still_in_from_org(transfer)
        member_update(
            member=member,
            actor=actor,
            reason=f"从{transfer.from_org.name}转入：{transfer.reason}"[:100],
            branch=transfer.to_org,
            group=None,
        )
        _leave_old_branch(member, transfer, actor, today)
    else:
        facts = _incoming_facts(transfer)
        number = str(facts.get("id_number", ""))
        holder = Member.objects.select_for_update().filter(id_number=number).first() if number else None
        if holder is not None and holder.state != MemberState.TRANSFERRED_OUT:
            raise ValidationError({"incoming.id_number": [incoming_refusal(holder)]})
        try:
            if holder is not None:
                transfer.member = _bring_back(holder, transfer, facts, actor, today)
            else:
                transfer.member = member_create(
                    actor=actor, reason=f"从{transfer.from_name}转入"[:100], branch=transfer.to_org, **facts
                )
        except ValidationError as exc:
            raise ValidationError({f"incoming.{k}": v for k, v in exc.message_dict.items()}) from None
    transfer.status = TransferStatus.ACCEPTED
    return _save(transfer, actor, why if transfer.kind == TransferKind.IN else "转入方已接收")


@transaction.atomic
def transfer_return(*, transfer: Transfer, actor: User, reason: str) -> Transfer:
    """Either side returns an open transfer, with a reason: it is closed; nothing moved."""
    transfer = _locked(transfer)
    if transfer.status not in OPEN_STATUSES:
        raise field_errors(status=f"该转接当前为“{transfer.get_status_display()}”，不能退回。")
    if not (reason or "").strip():
        raise field_errors(status_reason="请填写退回原因。")
    transfer.status, transfer.status_reason = TransferStatus.RETURNED, reason.strip()[:200]
    return _save(transfer, actor, f"退回：{reason.strip()}"[:100])


@receiver(member_left_party)
def _return_open_transfers(sender: type[Member], *, member: Member, state: str, actor: User | None, **kwargs: object) -> None:
    """出党 or 去世: each open transfer of the member ends (退回), in the state change's transaction:
    nobody can send or receive them any more."""
    for transfer in Transfer.objects.filter(member=member, status__in=OPEN_STATUSES).order_by("pk"):
        transfer_return(transfer=transfer, actor=actor, reason=f"党员已{MemberState(state).label}，转接终止")


@transaction.atomic
def transfer_suspend(*, transfer: Transfer, actor: User, reason: str) -> Transfer:
    """Put an open transfer on hold, with a reason (e.g. waiting for dues to be paid up)."""
    transfer = _locked(transfer)
    if transfer.status not in (TransferStatus.APPLIED, TransferStatus.OUT_APPROVED):
        raise field_errors(status=f"该转接当前为“{transfer.get_status_display()}”，不能挂起。")
    if not (reason or "").strip():
        raise field_errors(status_reason="请填写挂起原因。")
    transfer.status, transfer.status_reason = TransferStatus.SUSPENDED, reason.strip()[:200]
    return _save(transfer, actor, f"挂起：{reason.strip()}"[:100])


@transaction.atomic
def transfer_resume(*, transfer: Transfer, actor: User) -> Transfer:
    """Take a suspended transfer up again where it was (its status before it was suspended)."""
    transfer = _locked(transfer)
    if transfer.status != TransferStatus.SUSPENDED:
        raise field_errors(status="只有挂起的转接可以恢复办理。")
    before = (
        transfer.history.exclude(status=TransferStatus.SUSPENDED)
        .order_by("-history_date", "-history_id")
        .values_list("status", flat=True)
        .first()
    )
    transfer.status, transfer.status_reason = before or TransferStatus.APPLIED, ""
    return _save(transfer, actor, "恢复办理")
