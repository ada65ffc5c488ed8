"""党费 reads: which month a member has paid up to, and who is in arrears (欠费), for the pages,
the API and the 自行脱党 reminder. The amounts themselves are computed in calculation.py."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import DateField, F, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from members.dues.models import DuesPayment
from members.management_rules.models import ManagementRuleKey
from members.management_rules.selectors import ManagementRules, management_rules
from members.roster.choices import MemberState
from members.roster.models import Member
from members.transfers.models import Transfer, TransferStatus
from partybuild.periods import add_months

# 自行脱党 (党章 第九条): 6 consecutive months without paying dues without good reason. The portal
# warns and flags at the months of the management rules (members.management_rules: 3 and 6 by
# default, data an admin changes); it never changes a member's state by itself.
#
# Who is reminded: members whose dues are expected each month. 流动党员 still pay their home branch
# (DOMAIN.md), so they are counted; 停止党籍 suspends a member's rights and duties, and 失联党员 are
# marked as lost already: neither is counted (as for organizational life,
# meetings.selectors.members_without_life, which leaves out 流动党员 too: they attend where they work).
ARREARS_STATES = (MemberState.NORMAL, MemberState.MOBILE)


@dataclass(frozen=True)
class Arrears:
    member: Member
    paid_up_to: datetime.date | None  # the first day of the last month paid in full (党费交至)
    months_behind: int
    flag_months: int  # the rule in force when it was counted

    @property
    def level(self) -> str:
        return "flag" if self.months_behind >= self.flag_months else "warn"

    @property
    def label(self) -> str:
        return f"满{self.flag_months}个月未交（自行脱党风险）" if self.level == "flag" else f"{self.months_behind}个月未交"


def with_paid_up_to(members: QuerySet[Member]) -> QuerySet[Member]:
    """``members`` annotated with ``paid_up_to`` (党费交至, the first day of a month): the later of
    the last month paid in full, wherever it was collected (before a transfer too), and the 党费交至
    of the last accepted transfer letter that brought the member (before their first payment
    here); None when neither is known. Two correlated subqueries, no extra query."""
    paid_in_full = (
        DuesPayment.objects.filter(member=OuterRef("pk"), amount_paid__gte=F("amount_due")).order_by("-month").values("month")[:1]
    )
    letter = (
        Transfer.objects.filter(member=OuterRef("pk"), status=TransferStatus.ACCEPTED, dues_paid_to__isnull=False)
        .order_by("-dues_paid_to")
        .values("dues_paid_to")[:1]
    )
    return members.annotate(paid_in_full_to=Subquery(paid_in_full), letter_paid_to=Subquery(letter)).annotate(
        # The later of the two, or the one there is (Greatest alone is NULL with a NULL on SQLite).
        paid_up_to=Greatest(
            Coalesce("paid_in_full_to", "letter_paid_to"), Coalesce("letter_paid_to", "paid_in_full_to"), output_field=DateField()
        )
    )


def paid_up_to_of(payments: Iterable[DuesPayment], transfers: Iterable[Transfer]) -> datetime.date | None:
    """The same 党费交至 as ``with_paid_up_to``, from one member's payments and transfers already
    fetched (the record page has them)."""
    known = [p.month for p in payments if p.amount_paid >= p.amount_due]
    known += [t.dues_paid_to for t in transfers if t.status == TransferStatus.ACCEPTED and t.dues_paid_to is not None]
    return max(known, default=None)


def paid_up_to_by_member(member_ids: list[int]) -> dict[int, datetime.date]:
    """党费交至 of each member given that has one (see ``with_paid_up_to``). One query."""
    rows = with_paid_up_to(Member.objects.filter(pk__in=member_ids)).values_list("pk", "paid_up_to")
    return {pk: day for pk, day in rows if day is not None}


def _months_between(first: datetime.date, last: datetime.date) -> int:
    """Months from the month of ``first`` to the month of ``last``, both counted (0 if none)."""
    return max(0, (last.year - first.year) * 12 + last.month - first.month + 1)


def arrears(
    members: QuerySet[Member],
    *,
    today: datetime.date | None = None,
    at_least: int | None = None,
    rules: ManagementRules | None = None,
) -> list[Arrears]:
    """Members who owe dues for ``at_least`` months or more (default: the warning months of the
    management rules), most behind first; those at the flagging months are flagged. Only 正常 and
    流动党员 are counted (``ARREARS_STATES``, see above).

    Counted up to last month (this month is not due yet); a month counts as paid when at least its
    due amount was paid. From:
    - a member with a month paid in full, wherever it was collected (before a transfer too), or
      with the 党费交至 of an accepted transfer: the month after the later of the two;
    - otherwise the latest of the first year whose dues were assessed, the month the member joined,
      and the first month the member's 党支部 itself collected dues in the portal (before that the
      portal knows nothing: a branch that starts in November is not 10 months behind; payments a
      member brought from another branch do not count as the branch's start).
    A branch that has collected nothing in the portal is not judged. One query, with the rules
    (one more unless given)."""
    today = today or timezone.localdate()
    rules = rules if rules is not None else management_rules()
    if at_least is None:
        at_least = rules.value(ManagementRuleKey.DUES_ARREARS_WARN)
    flag_months = rules.value(ManagementRuleKey.DUES_ARREARS_FLAG)
    last_due = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    rows = (
        with_paid_up_to(members.filter(state__in=ARREARS_STATES, dues_assessments__isnull=False))
        .annotate(
            branch_first=Subquery(
                DuesPayment.objects.filter(branch_id=OuterRef("branch_id")).order_by("month").values("month")[:1]
            ),
            first_year=Min("dues_assessments__year"),
        )
        # Only those whose last paid month is old enough to be ``at_least`` behind (or none).
        .filter(Q(paid_up_to__isnull=True) | Q(paid_up_to__lt=add_months(last_due, -(at_least - 1))))
        .filter(branch_first__isnull=False)
        .select_related("branch")
        .order_by("branch__path", "name", "pk")
    )
    found = []
    for member in rows:
        start = max(datetime.date(member.first_year, 1, 1), member.joined_on.replace(day=1))
        if member.paid_up_to is not None:
            start = max(start, add_months(member.paid_up_to, 1))
        else:
            start = max(start, member.branch_first)
        behind = _months_between(start, last_due)
        if behind >= at_least:
            found.append(Arrears(member, member.paid_up_to, behind, flag_months))
    found.sort(key=lambda a: -a.months_behind)
    return found
