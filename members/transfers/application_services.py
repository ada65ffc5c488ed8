"""组织关系转接: opening one (申请, ``transfer_apply``), with the checks of where it goes.

Three kinds (members.transfers.models.TransferKind):
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

The scope 本党委内 is only for two 党支部 under the same 党委 (the nearest committee above each);
left empty, a 系统内转接's scope follows from the two 党支部. One open transfer per member.

The steps of an open transfer (审核转出, 接收, 退回, 挂起, 恢复办理) are members.transfers.step_services.
Which side may act is decided in partybuild.accounts.access (the views check it); these functions
check the rules of the transfer itself.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from branches.models import Organization, OrgKind, OrgStatus
from members.roster.choices import ON_ROSTER_STATES, MemberState
from members.roster.models import Member
from members.roster.validators import validate_id_number
from members.transfers.incoming import INCOMING_FIELDS, incoming_fact_errors, incoming_refusal
from members.transfers.models import OPEN_STATUSES, Transfer, TransferKind, TransferScope, TransferStatus
from partybuild.accounts.models import User


def field_errors(**messages: str) -> ValidationError:
    return ValidationError({name: [message] for name, message in messages.items()})


def check_branch(org: Organization | None, field: str) -> None:
    if org is None:
        raise field_errors(**{field: "请选择党支部。"})
    if org.kind != OrgKind.BRANCH or org.status != OrgStatus.ACTIVE:
        raise field_errors(**{field: "只能转入（转出）正常状态的党支部。"})


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
        raise field_errors(kind="请选择转接类型。")
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
            raise field_errors(member="请选择党员。")
        member = Member.objects.select_for_update(of=("self",)).select_related("branch").get(pk=member.pk)
        if member.state not in ON_ROSTER_STATES:
            add("member", f"{member.name}已不在册（{member.get_state_display()}），不能办理转接。")
        if Transfer.objects.filter(member=member, status__in=OPEN_STATUSES).exists():
            add("member", f"{member.name}已有一条正在办理的组织关系转接。")
        transfer.member, transfer.from_org = member, member.branch
        if kind == TransferKind.INTERNAL:
            try:
                check_branch(to_org, "to_org")
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
            check_branch(to_org, "to_org")
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
                    add("incoming.id_number", incoming_refusal(holder))
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
