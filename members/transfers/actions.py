"""组织关系转接: who may press which button.

The HTML pages and the API both ask this module, so the two can never disagree:

- ``require_side(user, transfer, action)``: the one decision of *which side* may act. 审核转出 is
  the sending side's (``out``), 接收 the receiving side's (``in``); 退回, 挂起 and 恢复办理 are
  either side's. A user who sees the transfer but does not act for that side gets PermissionDenied
  (403). Whether the transfer's *status* allows the action is members.transfers' to say (a 400).
- ``available_actions(user, transfer)``: the buttons to draw (side and status both fit).
- ``perform(action, ...)``: calls the service behind an action.

The roster rules a letter from outside must meet are in members.transfers.incoming.
"""

from __future__ import annotations

from dataclasses import dataclass

from members.transfers.models import OPEN_STATUSES, Transfer, TransferStatus
from members.transfers.sides import IN, OUT, transfer_side_paths, transfer_sides
from members.transfers.step_services import (
    transfer_accept,
    transfer_approve_out,
    transfer_resume,
    transfer_return,
    transfer_suspend,
)
from partybuild.accounts import access
from partybuild.accounts.models import User

SIDE_LABELS = {OUT: "转出方", IN: "转入方"}


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    sides: frozenset[str]  # who may press it: any of these sides
    statuses: tuple[str, ...]  # when the button is drawn (the service has the last word)
    needs_reason: bool = False


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action("approve_out", "审核转出", frozenset({OUT}), (TransferStatus.APPLIED,)),
        Action("accept", "接收", frozenset({IN}), (TransferStatus.OUT_APPROVED,)),
        Action("resume", "恢复办理", frozenset({OUT, IN}), (TransferStatus.SUSPENDED,)),
        Action("return", "退回", frozenset({OUT, IN}), OPEN_STATUSES, needs_reason=True),
        Action("suspend", "挂起", frozenset({OUT, IN}), (TransferStatus.APPLIED, TransferStatus.OUT_APPROVED), needs_reason=True),
    )
}


def require_side(user: User, transfer: Transfer, action: str) -> set[str]:
    """The sides the user acts for, if one of them may press ``action``; else PermissionDenied."""
    rule = ACTIONS[action]
    return access.require_side(user, transfer_side_paths(transfer), rule.sides, lambda: _denied(transfer, rule))


def _denied(transfer: Transfer, rule: Action) -> str:
    if rule.sides == {OUT}:
        return f"只有转出方（{_side_org_name(transfer, OUT)}）可以{rule.label}。"
    if rule.sides == {IN}:
        return f"只有转入方（{_side_org_name(transfer, IN)}）可以{rule.label}。"
    return f"您不是该转接的转出方或转入方，不能{rule.label}。"


def available_actions(user: User, transfer: Transfer, sides: set[str] | None = None) -> list[Action]:
    """The actions to offer this user now, in the order the page shows them."""
    sides = transfer_sides(user, transfer) if sides is None else sides
    return [a for a in ACTIONS.values() if sides & a.sides and transfer.status in a.statuses]


def perform(action: str, *, transfer: Transfer, actor: User, reason: str = "") -> Transfer:
    """Run the service behind ``action`` (after ``require_side``). Its ValidationError passes through."""
    if action == "approve_out":
        return transfer_approve_out(transfer=transfer, actor=actor)
    if action == "accept":
        return transfer_accept(transfer=transfer, actor=actor)
    if action == "return":
        return transfer_return(transfer=transfer, actor=actor, reason=reason)
    if action == "suspend":
        return transfer_suspend(transfer=transfer, actor=actor, reason=reason)
    if action == "resume":
        return transfer_resume(transfer=transfer, actor=actor)
    raise KeyError(action)


def _side_org_name(transfer: Transfer, side: str) -> str:
    if side == OUT:
        return transfer.from_org.name if transfer.from_org_id else transfer.from_name
    return transfer.to_org.name if transfer.to_org_id else transfer.to_name


def waiting_label(transfer: Transfer) -> str:
    """Who must act next, in words: 等待转出方（…）审核 / 等待转入方（…）接收, or ''."""
    if transfer.status == TransferStatus.APPLIED:
        return f"等待转出方（{_side_org_name(transfer, OUT)}）审核"
    if transfer.status == TransferStatus.OUT_APPROVED:
        return f"等待转入方（{_side_org_name(transfer, IN)}）接收"
    return ""
