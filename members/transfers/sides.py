"""A transfer's two sides, the sending organization (转出方, ``out``) and the receiving one (转入方,
``in``), which of them a user acts for (access.py decides, from each side's organization path), and
which of them a transfer waits on (``waiting_on``).

Kept apart from the selectors so that members.transfers.actions reads the sides without the reads of
the inbox (and the services they use).
"""

from __future__ import annotations

from members.transfers.models import Transfer, TransferStatus
from partybuild.accounts import access
from partybuild.accounts.access import AnyUser

OUT, IN = "out", "in"


def transfer_side_paths(transfer: Transfer) -> dict[str, str | None]:
    """Each side's organization path; None for a side outside the portal."""
    return {
        OUT: transfer.from_org.path if transfer.from_org_id else None,
        IN: transfer.to_org.path if transfer.to_org_id else None,
    }


def transfer_sides(user: AnyUser, transfer: Transfer) -> set[str]:
    """Which sides of a transfer the user acts for: 'out' (the sending 党支部 is in scope), 'in'
    (the receiving one is). A transfer from or to outside the portal has one side only."""
    return access.sides_in_scope(user, transfer_side_paths(transfer))


def waiting_on(transfer: Transfer) -> str:
    """Which side must act next: 'out' (the sending side), 'in' (the receiving side) or ''."""
    if transfer.status == TransferStatus.APPLIED:
        return "out"
    if transfer.status == TransferStatus.OUT_APPROVED:
        return "in"
    return ""
