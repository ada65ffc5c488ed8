"""组织关系转接: the writes (services) and reads of transfers.

Three kinds (members.models.TransferKind):
- 系统内: from a 党支部 in the portal to another. 申请 (by the sending side) → 转出方审核 (sending
  side) → 转入方接收 (receiving side): the member moves to the new 党支部, their history says why.
- 转出系统外: to an organization outside the portal, by name. 申请 → 转出方审核, which ends the
  membership here (state 已转出, positions ended, history kept); the transfer is 已转出.
- 从系统外转入: recorded by the receiving side with the letter and the person's roster facts;
  it starts 转出方已审核 (the outside organization has sent the letter) and 接收 creates the member
  — or, when the 公民身份号码 is that of a member who left by a 转出系统外 (state 已转出), brings that
  same member back (state 正常 again, in the receiving 党支部, the letter's facts applied), so one
  person keeps one record and one history. A number on the roster, or of a member who left the
  party or died, is refused.

Accepting a 系统内转接 also ends the positions the member held in the old 党支部 (and its 党小组)
and moves an open 发展党员 record (a 预备党员's) to the new 党支部, which records the 转正.
The scope 本党委内 is only for two 党支部 under the same 党委 (the nearest committee above each);
left empty, a 系统内转接's scope follows from the two 党支部.

Any open transfer may be 退回 (returned: closed, with a reason) or 挂起 (suspended: waiting, with a
reason) and resumed where it was. A letter past its validity cannot be accepted. One open
transfer per member. Which side may act is decided in partybuild.accounts.access (the views check
it); these functions check the rules of the transfer itself.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from branches.models import Organization, OrgKind, OrgStatus, Position
from branches.services import position_end
from members.development.models import OPEN_STAGES, DevelopmentRecord, DevelopmentStage
from members.roster.models import ON_ROSTER_STATES, Member, MemberState, MemberType
from members.roster.services import MANUAL_ENDED_STATES, member_change_state, member_create, member_update
from members.roster.validators import validate_id_number
from members.transfers.incoming import incoming_fact_errors
from members.transfers.models import Transfer, TransferKind, TransferScope, TransferStatus
from partybuild.accounts.models import User
from partybuild.accounts.services import roles_revoke_for_member

OPEN_STATUSES = (TransferStatus.APPLIED, TransferStatus.OUT_APPROVED, TransferStatus.SUSPENDED)


# Roster facts a transfer from outside carries, as the roster form takes them.
INCOMING_FIELDS = (
    "name",
    "gender",
    "id_number",
    "birth_date",
    "ethnicity",
    "education",
    "phone",
    "member_type",
    "joined_on",
    "confirmed_on",
    "work_unit_position",
)


def _errors(**messages: str) -> ValidationError:
    return ValidationError({name: [message] for name, message in messages.items()})


def _check_branch(org: Organization | None, field: str) -> None:
    if org is None:
        raise _errors(**{field: "请选择党支部。"})
    if org.kind != OrgKind.BRANCH or org.status != OrgStatus.ACTIVE:
        raise _errors(**{field: "只能转入（转出）正常状态的党支部。"})


def _month(day: datetime.date | None) -> datetime.date | None:
    return day.replace(day=1) if day else None


def _committee_paths(*orgs: Organization) -> list[str | None]:
    """The path of the nearest 党委 above (or at) each organization, by the materialized path;
    None when there is none. One query."""
    step = Organization.steplen
    prefixes = {org.path[:end] for org in orgs for end in range(step, len(org.path) + 1, step)}
    committees = set(Organization.objects.filter(path__in=prefixes, kind=OrgKind.COMMITTEE).values_list("path", flat=True))
    found: list[str | None] = []
    for org in orgs:
        ancestors = [org.path[:end] for end in range(len(org.path), 0, -step)]
        found.append(next((p for p in ancestors if p in committees), None))
    return found


def internal_scope(from_org: Organization, to_org: Organization) -> str:
    """The scope of a 系统内转接 between two 党支部: 本党委内 under the same 党委, else 省（系统）内
    (the portal is one system)."""
    a, b = _committee_paths(from_org, to_org)
    return TransferScope.WITHIN_COMMITTEE if a is not None and a == b else TransferScope.WITHIN_PROVINCE


def returning_member(id_number: str) -> Member | None:
    """The member who left the portal by a 转出系统外 (state 已转出) with this 公民身份号码: a
    从系统外转入 of the same number brings them back."""
    if not id_number:
        return None
    return Member.objects.filter(id_number=id_number, state=MemberState.TRANSFERRED_OUT).first()


def _incoming_refusal(member: Member) -> str:
    """Why a letter from outside cannot bring in the holder of a number already in the portal."""
    if member.state in ON_ROSTER_STATES:
        return "该公民身份号码已在花名册中，请使用系统内转接。"
    return f"该公民身份号码的党员已{MemberState(member.state).label.removeprefix('已')}，不能办理转入。"


@transaction.atomic
def transfer_apply(
    *,
    actor: User,
    kind: str,
    scope: str,
    reason: str,
    member: Member | None = None,
    to_org: Organization | None = None,
    to_name: str = "",
    from_name: str = "",
    incoming: dict[str, Any] | None = None,
    dues_paid_to: datetime.date | None = None,
    valid_until: datetime.date | None = None,
    letter_no: str = "",
) -> Transfer:
    """Open a transfer (see the module docstring for each kind)."""
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if kind not in TransferKind.values:
        raise _errors(kind="请选择转接类型。")
    if scope not in TransferScope.values and not (kind == TransferKind.INTERNAL and not scope):
        add("scope", "请选择转接范围。")
    if not (reason or "").strip():
        add("reason", "请填写转接原因。")
    if valid_until is not None and valid_until < today:
        add("valid_until", "介绍信有效期不能早于今天。")
    transfer = Transfer(
        kind=kind,
        scope=scope,
        reason=(reason or "").strip()[:200],
        dues_paid_to=_month(dues_paid_to),
        valid_until=valid_until,
        letter_no=(letter_no or "").strip()[:50],
        created_by=actor,
    )
    if kind in (TransferKind.INTERNAL, TransferKind.OUT):
        if member is None:
            raise _errors(member="请选择党员。")
        member = Member.objects.select_for_update(of=("self",)).select_related("branch").get(pk=member.pk)
        if member.state not in ON_ROSTER_STATES:
            add("member", f"{member.name}已不在册（{member.get_state_display()}），不能办理转接。")
        if Transfer.objects.filter(member=member, status__in=OPEN_STATUSES).exists():
            add("member", f"{member.name}已有一条正在办理的组织关系转接。")
        transfer.member, transfer.from_org = member, member.branch
        if kind == TransferKind.INTERNAL:
            try:
                _check_branch(to_org, "to_org")
            except ValidationError as exc:
                errors.setdefault("to_org", []).extend(exc.message_dict["to_org"])
            else:
                if to_org.pk == member.branch_id:
                    add("to_org", "转入党支部与所在党支部相同。")
                else:
                    derived = internal_scope(member.branch, to_org)
                    if not scope:
                        transfer.scope = derived
                    elif scope == TransferScope.WITHIN_COMMITTEE and derived != TransferScope.WITHIN_COMMITTEE:
                        add(
                            "scope",
                            f"{member.branch.name}与{to_org.name}不属于同一党委，转接范围不能选“本党委内”。",
                        )
            transfer.to_org = to_org
        else:
            if not (to_name or "").strip():
                add("to_name", "请填写转入单位名称。")
            transfer.to_name = (to_name or "").strip()[:200]
    else:  # from outside
        try:
            _check_branch(to_org, "to_org")
        except ValidationError as exc:
            errors.setdefault("to_org", []).extend(exc.message_dict["to_org"])
        if not (from_name or "").strip():
            add("from_name", "请填写转出单位名称。")
        facts = {k: v for k, v in (incoming or {}).items() if k in INCOMING_FIELDS and v not in (None, "")}
        for name in ("name", "id_number", "joined_on"):
            if name not in facts:
                add(
                    f"incoming.{name}",
                    {"name": "请填写姓名。", "id_number": "请填写公民身份号码。", "joined_on": "请填写入党日期。"}[name],
                )
        number = str(facts.get("id_number", ""))
        if number:
            try:
                number = facts["id_number"] = validate_id_number(number)
            except ValidationError as exc:
                add("incoming.id_number", exc.messages[0])
            else:
                holder = Member.objects.filter(id_number=number).first()
                if holder is not None and holder.state != MemberState.TRANSFERRED_OUT:
                    add("incoming.id_number", _incoming_refusal(holder))
                elif Transfer.objects.filter(kind=TransferKind.IN, status__in=OPEN_STATUSES, incoming__id_number=number).exists():
                    add("incoming.id_number", "该公民身份号码已有一条正在办理的组织关系转接。")
        # The person is checked by the roster's own rules now, not first at 接收.
        for name, message in incoming_fact_errors(facts).items():
            if f"incoming.{name}" not in errors:
                add(f"incoming.{name}", message)
        transfer.to_org, transfer.from_name = to_org, (from_name or "").strip()[:200]
        transfer.incoming = {k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in facts.items()}
        transfer.status = TransferStatus.OUT_APPROVED  # the letter has come: it waits for 接收
    if errors:
        raise ValidationError(errors)
    transfer._history_user = actor  # type: ignore[attr-defined]
    transfer._change_reason = "申请组织关系转接"  # type: ignore[attr-defined]
    transfer.full_clean()
    transfer.save()
    return transfer


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
        raise _errors(member=f"{transfer.member.name}所在党支部已变更，不再是{transfer.from_org.name}，请退回后重新申请转接。")


@transaction.atomic
def transfer_approve_out(*, transfer: Transfer, actor: User) -> Transfer:
    """The sending side approves. Out of the portal, this ends the membership here."""
    transfer = _locked(transfer)
    if transfer.status != TransferStatus.APPLIED or transfer.kind == TransferKind.IN:
        raise _errors(status=f"该转接当前为“{transfer.get_status_display()}”，不能审核转出。")
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
        raise _errors(status=f"该转接当前为“{transfer.get_status_display()}”，不能接收。")
    if transfer.valid_until is not None and transfer.valid_until < timezone.localdate():
        raise _errors(valid_until=f"介绍信已于{transfer.valid_until:%Y-%m-%d}过期，请退回并重新开具。")
    _check_branch(transfer.to_org, "to_org")
    today = timezone.localdate()
    why = f"组织关系转接：{transfer.reason}"[:200]
    if transfer.kind == TransferKind.INTERNAL:
        member = transfer.member
        if member.state not in ON_ROSTER_STATES:
            raise _errors(member=f"{member.name}已不在册，不能接收。")
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
            raise ValidationError({"incoming.id_number": [_incoming_refusal(holder)]})
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
        raise _errors(status=f"该转接当前为“{transfer.get_status_display()}”，不能退回。")
    if not (reason or "").strip():
        raise _errors(status_reason="请填写退回原因。")
    transfer.status, transfer.status_reason = TransferStatus.RETURNED, reason.strip()[:200]
    return _save(transfer, actor, f"退回：{reason.strip()}"[:100])


@transaction.atomic
def member_change_state_ending_transfers(
    *,
    member: Member,
    state: str,
    on: datetime.date,
    reason: str,
    destination: str = "",
    actor: User | None = None,
) -> Member:
    """A state change by hand (the state form, the API, 取消预备党员资格): members.roster.services.
    member_change_state, and then, when the member left the party or died (出党, 去世), each open
    transfer of theirs ends (退回): nobody can send or receive them any more."""
    member = member_change_state(member=member, state=state, on=on, reason=reason, destination=destination, actor=actor)
    if state in MANUAL_ENDED_STATES:
        for transfer in Transfer.objects.filter(member=member, status__in=OPEN_STATUSES).order_by("pk"):
            transfer_return(transfer=transfer, actor=actor, reason=f"党员已{MemberState(state).label}，转接终止")
    return member


@transaction.atomic
def transfer_suspend(*, transfer: Transfer, actor: User, reason: str) -> Transfer:
    """Put an open transfer on hold, with a reason (e.g. waiting for dues to be paid up)."""
    transfer = _locked(transfer)
    if transfer.status not in (TransferStatus.APPLIED, TransferStatus.OUT_APPROVED):
        raise _errors(status=f"该转接当前为“{transfer.get_status_display()}”，不能挂起。")
    if not (reason or "").strip():
        raise _errors(status_reason="请填写挂起原因。")
    transfer.status, transfer.status_reason = TransferStatus.SUSPENDED, reason.strip()[:200]
    return _save(transfer, actor, f"挂起：{reason.strip()}"[:100])


@transaction.atomic
def transfer_resume(*, transfer: Transfer, actor: User) -> Transfer:
    """Take a suspended transfer up again where it was (its status before it was suspended)."""
    transfer = _locked(transfer)
    if transfer.status != TransferStatus.SUSPENDED:
        raise _errors(status="只有挂起的转接可以恢复办理。")
    before = (
        transfer.history.exclude(status=TransferStatus.SUSPENDED)
        .order_by("-history_date", "-history_id")
        .values_list("status", flat=True)
        .first()
    )
    transfer.status, transfer.status_reason = before or TransferStatus.APPLIED, ""
    return _save(transfer, actor, "恢复办理")


def waiting_on(transfer: Transfer) -> str:
    """Which side must act next: 'out' (the sending side), 'in' (the receiving side) or ''."""
    if transfer.status == TransferStatus.APPLIED:
        return "out"
    if transfer.status == TransferStatus.OUT_APPROVED:
        return "in"
    return ""
