"""组织关系转接: the writes (services) and reads of transfers.

Three kinds (members.models.TransferKind):
- 系统内: from a 党支部 in the portal to another. 申请 (by the sending side) → 转出方审核 (sending
  side) → 转入方接收 (receiving side): the member moves to the new 党支部, their history says why.
- 转出系统外: to an organization outside the portal, by name. 申请 → 转出方审核, which ends the
  membership here (state 已转出, positions ended, history kept); the transfer is 已转出.
- 从系统外转入: recorded by the receiving side with the letter and the person's roster facts;
  it starts 转出方已审核 (the outside organization has sent the letter) and 接收 creates the member.

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
from django.db.models import Q, QuerySet
from django.utils import timezone

from branches.models import Organization, OrgKind, OrgStatus

from .models import ON_ROSTER_STATES, Member, MemberState, Transfer, TransferKind, TransferScope, TransferStatus
from .validators import validate_id_number

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


@transaction.atomic
def transfer_apply(
    *,
    actor: Any,
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
    if scope not in TransferScope.values:
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
                if Member.objects.filter(id_number=number).exists():
                    add("incoming.id_number", "该公民身份号码已在花名册中，请使用系统内转接。")
        # The person is checked by the roster's own rules now, not first at 接收.
        from .transfer_rules import incoming_fact_errors

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


def _save(transfer: Transfer, actor: Any, reason: str) -> Transfer:
    transfer._history_user = actor  # type: ignore[attr-defined]
    transfer._change_reason = reason  # type: ignore[attr-defined]
    transfer.save()
    return transfer


@transaction.atomic
def transfer_approve_out(*, transfer: Transfer, actor: Any) -> Transfer:
    """The sending side approves. Out of the portal, this ends the membership here."""
    from .services import member_change_state

    transfer = _locked(transfer)
    if transfer.status != TransferStatus.APPLIED or transfer.kind == TransferKind.IN:
        raise _errors(status=f"该转接当前为“{transfer.get_status_display()}”，不能审核转出。")
    if transfer.kind == TransferKind.OUT:
        member_change_state(
            member=transfer.member,
            state=MemberState.TRANSFERRED_OUT,
            on=timezone.localdate(),
            reason=f"组织关系转出至{transfer.to_name}：{transfer.reason}"[:200],
            actor=actor,
        )
        transfer.status = TransferStatus.COMPLETED
        return _save(transfer, actor, "转出方审核，组织关系已转出")
    transfer.status = TransferStatus.OUT_APPROVED
    return _save(transfer, actor, "转出方审核通过")


@transaction.atomic
def transfer_accept(*, transfer: Transfer, actor: Any) -> Transfer:
    """The receiving side accepts: the member moves (or, from outside, is created) with history."""
    from .services import member_create, member_update

    transfer = _locked(transfer)
    if transfer.status != TransferStatus.OUT_APPROVED:
        raise _errors(status=f"该转接当前为“{transfer.get_status_display()}”，不能接收。")
    if transfer.valid_until is not None and transfer.valid_until < timezone.localdate():
        raise _errors(valid_until=f"介绍信已于{transfer.valid_until:%Y-%m-%d}过期，请退回并重新开具。")
    _check_branch(transfer.to_org, "to_org")
    why = f"组织关系转接：{transfer.reason}"[:200]
    if transfer.kind == TransferKind.INTERNAL:
        member = transfer.member
        if member.state not in ON_ROSTER_STATES:
            raise _errors(member=f"{member.name}已不在册，不能接收。")
        member_update(
            member=member,
            actor=actor,
            reason=f"从{transfer.from_org.name}转入：{transfer.reason}"[:100],
            branch=transfer.to_org,
            group=None,
        )
    else:
        facts = dict(transfer.incoming)
        for name in ("birth_date", "joined_on", "confirmed_on"):
            if facts.get(name):
                facts[name] = datetime.date.fromisoformat(facts[name])
        try:
            transfer.member = member_create(
                actor=actor, reason=f"从{transfer.from_name}转入"[:100], branch=transfer.to_org, **facts
            )
        except ValidationError as exc:
            raise ValidationError({f"incoming.{k}": v for k, v in exc.message_dict.items()}) from None
    transfer.status = TransferStatus.ACCEPTED
    return _save(transfer, actor, why if transfer.kind == TransferKind.IN else "转入方已接收")


@transaction.atomic
def transfer_return(*, transfer: Transfer, actor: Any, reason: str) -> Transfer:
    """Either side returns an open transfer, with a reason: it is closed; nothing moved."""
    transfer = _locked(transfer)
    if transfer.status not in OPEN_STATUSES:
        raise _errors(status=f"该转接当前为“{transfer.get_status_display()}”，不能退回。")
    if not (reason or "").strip():
        raise _errors(status_reason="请填写退回原因。")
    transfer.status, transfer.status_reason = TransferStatus.RETURNED, reason.strip()[:200]
    return _save(transfer, actor, f"退回：{reason.strip()}"[:100])


@transaction.atomic
def transfer_suspend(*, transfer: Transfer, actor: Any, reason: str) -> Transfer:
    """Put an open transfer on hold, with a reason (e.g. waiting for dues to be paid up)."""
    transfer = _locked(transfer)
    if transfer.status not in (TransferStatus.APPLIED, TransferStatus.OUT_APPROVED):
        raise _errors(status=f"该转接当前为“{transfer.get_status_display()}”，不能挂起。")
    if not (reason or "").strip():
        raise _errors(status_reason="请填写挂起原因。")
    transfer.status, transfer.status_reason = TransferStatus.SUSPENDED, reason.strip()[:200]
    return _save(transfer, actor, f"挂起：{reason.strip()}"[:100])


@transaction.atomic
def transfer_resume(*, transfer: Transfer, actor: Any) -> Transfer:
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


# --- reads -------------------------------------------------------------------------------------


def transfers_for_paths(paths: tuple[str, ...], *, is_admin: bool = False) -> QuerySet[Transfer]:
    """Transfers that touch a subtree: sent from it or to it."""
    qs = Transfer.objects.select_related("member", "from_org", "to_org", "created_by")
    if is_admin:
        return qs
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(from_org__path__startswith=p) | Q(to_org__path__startswith=p)
    return qs.filter(q)


def waiting_on(transfer: Transfer) -> str:
    """Which side must act next: 'out' (the sending side), 'in' (the receiving side) or ''."""
    if transfer.status == TransferStatus.APPLIED:
        return "out"
    if transfer.status == TransferStatus.OUT_APPROVED:
        return "in"
    return ""
