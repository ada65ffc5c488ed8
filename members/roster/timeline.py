"""One timeline of a member's life in the party, for the member's record page.

Development (the stages of their 发展党员 record, or 入党/转正 from the roster for those who joined
before the portal), 组织关系转接, state changes, committee positions and dues (the year's amount,
back-payments), each on the date it happened, oldest first. A fixed number of queries whatever the
length of the life: the development record and its cultivators, the transfers and their history,
the dues assessments and payments; positions and the member's history are passed in (the page has
them already).

What a viewer is shown follows the rest of the record page: links only to the pages the viewer may
open (the access module), and never the base income behind the dues (the dues card shows it to
those who manage the member).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone

from branches.models import Position
from members.development.models import Cultivator, DevelopmentRecord, DevelopmentStage
from members.dues.models import DuesAssessment, DuesPayment
from members.roster.choices import MemberState
from members.roster.models import Member
from members.transfers.models import Transfer, TransferKind, TransferStatus
from partybuild.accounts.access import scope_for
from partybuild.accounts.models import User


class Category:
    DEVELOPMENT = "development"
    TRANSFER = "transfer"
    STATE = "state"
    POSITION = "position"
    DUES = "dues"

    LABELS = {
        DEVELOPMENT: "入党",
        TRANSFER: "组织关系",
        STATE: "党员状态",
        POSITION: "职务",
        DUES: "党费",
    }


@dataclass
class TimelineEntry:
    """One dated step. ``kind``: "step"; "done" (a stage reached, e.g. 转正); "end" (a record or a
    membership ended); "warn" (something that went wrong: a transfer returned, 失联)."""

    on: datetime.date | None
    title: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    until: datetime.date | None = None
    kind: str = "step"
    category: str = Category.DEVELOPMENT
    link: str = ""
    # On the development record's page: the key of the correction form that corrects this step
    # (members.development.correction_forms.CORRECTION_FORMS), and that form when the service
    # accepts a correction now.
    fact: str = ""
    correction: dict[str, Any] | None = None

    @property
    def category_label(self) -> str:
        return Category.LABELS[self.category]


def _d(day: datetime.date | None) -> str:
    return f"{day:%Y-%m-%d}" if day else "—"


def _vote_facts(
    entitled: int | None, present: int | None, for_: int | None, against: int | None, abstain: int | None
) -> list[tuple[str, str]]:
    return [
        ("应到会有表决权的正式党员", f"{entitled}名"),
        ("实到会", f"{present}名"),
        ("表决结果", f"赞成{for_}票、反对{against}票、弃权{abstain}票"),
    ]


def development_timeline(record: DevelopmentRecord, cultivators: Sequence[Cultivator]) -> list[TimelineEntry]:
    """Every stage recorded, with its date and facts, in the order of the procedure."""
    r = record
    entries = [TimelineEntry(r.applied_on, "提出入党申请", [("谈话期限", _d(r.talk_due_on))])]
    if r.talked_on:
        entries.append(TimelineEntry(r.talked_on, "党组织派人谈话", [("谈话人", r.talked_by)], fact="talk"))
    if r.activist_on:
        people = [
            f"{c.display_name}（{_d(c.assigned_on)}起{'，' + _d(c.ended_on) + '止' if c.ended_on else ''}）" for c in cultivators
        ]
        entries.append(
            TimelineEntry(
                r.activist_on,
                "确定为入党积极分子",
                [("培养联系人", "、".join(people) or "—"), ("可列为发展对象", _d(r.candidate_eligible_on))],
            )
        )
    if r.candidate_on:
        entries.append(TimelineEntry(r.candidate_on, "列为发展对象"))
    if r.political_review_on:
        entries.append(
            TimelineEntry(r.political_review_on, "政治审查", [("结论", r.political_review_conclusion)], fact="political_review")
        )
    if r.training_started_on:
        parts = [
            p
            for p in (f"{r.training_days}天" if r.training_days else "", f"{r.training_hours}学时" if r.training_hours else "")
            if p
        ]
        entries.append(
            TimelineEntry(
                r.training_started_on,
                "短期集中培训",
                [("时长", "、".join(parts) or "—")],
                until=r.training_ended_on,
                fact="training",
            )
        )
    if r.publicity_started_on:
        facts = [("公示期", f"{r.publicity_working_days}个工作日")] if r.publicity_working_days is not None else []
        entries.append(TimelineEntry(r.publicity_started_on, "公示", facts, until=r.publicity_ended_on, fact="publicity"))
    if r.pre_reviewed_on:
        entries.append(TimelineEntry(r.pre_reviewed_on, "党委预审", fact="pre_review"))
    if r.admission_voted_on:
        facts = _vote_facts(*r.vote_counts("admission"))
        entries.append(
            TimelineEntry(
                r.admission_voted_on,
                "支部党员大会讨论接收预备党员",
                [*facts, ("党委审批期限", _d(r.approval_due_on))],
                fact="admission_vote",
            )
        )
    if r.approved_on:
        entries.append(
            TimelineEntry(
                r.approved_on,
                "党委审批，接收为预备党员",
                [("入党日期", _d(r.admission_voted_on)), ("预备期", f"至{_d(r.probation_ends_on)}")],
            )
        )
    if r.extension_decided_on:
        entries.append(
            TimelineEntry(
                r.extension_decided_on,
                "延长预备期",
                [("延长", f"{r.extension_months}个月"), ("原因", r.extension_reason), ("预备期", f"至{_d(r.probation_ends_on)}")],
            )
        )
    if r.confirmation_voted_on:
        facts = _vote_facts(*r.vote_counts("confirmation"))
        entries.append(
            TimelineEntry(
                r.confirmation_voted_on,
                "支部党员大会讨论转正",
                [*facts, ("转正审批期限", _d(r.confirmation_approval_due_on))],
                fact="confirmation_vote",
            )
        )
    if r.confirmation_approved_on:
        entries.append(
            TimelineEntry(
                r.confirmation_approved_on, "党委审批，转为正式党员", [("转正日期", _d(r.probation_ends_on))], kind="done"
            )
        )
    if r.ended_on:
        title = {
            DevelopmentStage.TERMINATED: "终止培养",
            DevelopmentStage.DISQUALIFIED: "取消预备党员资格",
            DevelopmentStage.TRANSFERRED_OUT: "发展党员记录在本系统结束（组织关系转出）",
        }[DevelopmentStage(r.stage)]
        entries.append(TimelineEntry(r.ended_on, title, [("原因", r.end_reason)], kind="end"))
    return entries


def _local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def _development_entries(member: Member, scope: Any) -> list[TimelineEntry]:
    record = DevelopmentRecord.objects.filter(member=member).select_related("branch").first()
    if record is None:
        # Joined before the portal kept development records: the roster's dates.
        entries = [TimelineEntry(member.joined_on, "入党，成为预备党员")]
        if member.confirmed_on:
            entries.append(TimelineEntry(member.confirmed_on, "转为正式党员", kind="done"))
        return entries
    cultivators = list(Cultivator.objects.filter(record=record).select_related("member").order_by("assigned_on", "pk"))
    entries = development_timeline(record, cultivators)
    # The roster's 转正日期 is the end of the 预备期; the record's last step is the 党委's approval.
    link = reverse("development:detail", args=[record.pk]) if scope.sees_orgs and scope.covers_path(record.branch.path) else ""
    for entry in entries:
        entry.link = link
    return entries


def _org_name(org: Any, name: str) -> str:
    return org.name if org is not None else (name or "—")


def member_transfers(member: Member) -> list[Transfer]:
    """The member's transfers with both branches, oldest first (one query)."""
    return list(Transfer.objects.filter(member=member).select_related("from_org", "to_org").order_by("created_at", "pk"))


def _transfer_entries(transfers: Sequence[Transfer], scope: Any) -> list[TimelineEntry]:
    if not transfers:
        return []
    steps: dict[int, list[Any]] = defaultdict(list)
    for row in (
        Transfer.history.filter(id__in=[t.pk for t in transfers])
        .only("id", "status", "status_reason", "history_date", "history_id")
        .order_by("history_date", "history_id")
    ):
        steps[row.id].append(row)
    entries: list[TimelineEntry] = []
    for t in transfers:
        sees = scope.sees_orgs and any(o is not None and scope.covers_path(o.path) for o in (t.from_org, t.to_org))
        link = reverse("transfers:detail", args=[t.pk]) if sees else ""
        route = f"{_org_name(t.from_org, t.from_name)} → {_org_name(t.to_org, t.to_name)}"
        entries.append(
            TimelineEntry(
                _local_date(t.created_at),
                f"申请组织关系转接（{t.get_kind_display()}）",
                [("转接", route), ("范围", t.get_scope_display()), ("原因", t.reason)]
                + ([("介绍信编号", t.letter_no)] if t.letter_no else []),
                category=Category.TRANSFER,
                link=link,
            )
        )
        previous = TransferStatus.APPLIED
        for row in steps.get(t.pk, []):
            if row.status == previous:
                continue
            resumed = previous == TransferStatus.SUSPENDED and row.status in (TransferStatus.APPLIED, TransferStatus.OUT_APPROVED)
            previous = row.status
            on = _local_date(row.history_date)
            if resumed:
                entry = TimelineEntry(on, "恢复办理转接", [("状态", TransferStatus(row.status).label)])
            elif row.status == TransferStatus.OUT_APPROVED:
                entry = TimelineEntry(on, "转出方审核同意", [("转接", route)])
            elif row.status == TransferStatus.ACCEPTED:
                title = "转入方接收，列入本党支部" if t.kind == TransferKind.INTERNAL else "接收转入，列入党员花名册"
                entry = TimelineEntry(on, title, [("转入", _org_name(t.to_org, t.to_name))], kind="done")
            elif row.status == TransferStatus.COMPLETED:
                entry = TimelineEntry(on, "组织关系转出系统", [("转至", _org_name(t.to_org, t.to_name))], kind="end")
            elif row.status == TransferStatus.RETURNED:
                entry = TimelineEntry(on, "转接被退回", [("原因", row.status_reason)], kind="warn")
            elif row.status == TransferStatus.SUSPENDED:
                entry = TimelineEntry(on, "转接挂起", [("原因", row.status_reason)], kind="warn")
            else:
                entry = TimelineEntry(on, f"转接{TransferStatus(row.status).label}")
            entry.category, entry.link = Category.TRANSFER, link
            entries.append(entry)
    return entries


_STATE_KIND = {
    MemberState.NORMAL: "done",
    MemberState.LOST: "warn",
    MemberState.SUSPENDED: "warn",
    MemberState.EXPELLED: "end",
    MemberState.DECEASED: "end",
    MemberState.TRANSFERRED_OUT: "end",
}


def _state_entries(rows: Sequence[Any], transferred_out_by_transfer: bool) -> list[TimelineEntry]:
    """A state change wherever the history's state differs from the version before (and the state
    the member was entered in, if not 正常). ``rows``: the member's history, oldest first."""
    entries: list[TimelineEntry] = []
    previous = MemberState.NORMAL
    for row in rows:
        if row.state == previous:
            continue
        old, previous = previous, row.state
        if row.state == MemberState.TRANSFERRED_OUT and transferred_out_by_transfer:
            continue  # the transfer's own entry says it
        facts = [("原状态", MemberState(old).label), ("原因", row.state_reason or "—")]
        if row.state == MemberState.MOBILE and row.mobile_destination:
            facts.append(("流入地", row.mobile_destination))
        if row.state == MemberState.LOST and row.lost_on:
            facts.append(("失联日期", _d(row.lost_on)))
        title = "恢复正常状态" if row.state == MemberState.NORMAL else f"变更为{MemberState(row.state).label}"
        entries.append(
            TimelineEntry(
                row.state_changed_on or _local_date(row.history_date),
                title,
                facts,
                kind=_STATE_KIND.get(row.state, "step"),
                category=Category.STATE,
            )
        )
    return entries


def _position_entries(positions: Sequence[Position]) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = []
    for p in positions:
        what = f"{p.get_title_display()}（{p.organization.short_name}）"
        entries.append(TimelineEntry(p.started_on, f"任{what}", category=Category.POSITION))
        if p.ended_on:
            facts = [("原因", p.end_reason)] if p.end_reason else []
            entries.append(TimelineEntry(p.ended_on, f"不再担任{what}", facts, category=Category.POSITION))
    return entries


def _money(value: Decimal) -> str:
    return f"{value:,.2f}元"


def member_dues_records(member: Member) -> tuple[list[DuesAssessment], list[DuesPayment]]:
    """All the member's dues assessments and payments (two queries): the timeline's, and the dues
    card's on the same page."""
    return (
        list(DuesAssessment.objects.filter(member=member).order_by("year")),
        list(DuesPayment.objects.filter(member=member).order_by("month")),
    )


def _dues_entries(assessments: Sequence[DuesAssessment], payments: Sequence[DuesPayment]) -> list[TimelineEntry]:
    """The year's monthly amount as set (dated when it was set), and back-payments (paid after the
    month they are for), one entry per day paid."""
    entries = [
        TimelineEntry(
            _local_date(a.set_at),
            f"核定{a.year}年度党费",
            [("党费类别", a.get_category_display()), ("每月应交", _money(a.amount))]
            + ([("调整理由", a.override_reason)] if a.override_reason else []),
            category=Category.DUES,
        )
        for a in assessments
    ]
    back: dict[datetime.date, list[DuesPayment]] = defaultdict(list)
    for p in payments:
        if p.is_back_payment:
            back[p.paid_on].append(p)
    for paid_on, payments in back.items():
        months = "、".join(f"{p.month.year}年{p.month.month}月" for p in payments)
        total = sum((p.amount_paid for p in payments), Decimal("0"))
        entries.append(
            TimelineEntry(
                paid_on, "补交党费", [("所属月份", months), ("金额", _money(total))], kind="warn", category=Category.DUES
            )
        )
    return entries


def member_timeline(
    user: User,
    member: Member,
    *,
    positions: Sequence[Position],
    history_rows: Sequence[Any] | None = None,
    transfers: Sequence[Transfer] | None = None,
    dues: tuple[Sequence[DuesAssessment], Sequence[DuesPayment]] | None = None,
) -> list[TimelineEntry]:
    """The member's life in the party, oldest first (same-day steps in the order they were made).
    ``positions``, ``history_rows`` (oldest first), ``transfers`` (member_transfers) and ``dues``
    (member_dues_records) may come from the page, which has them; what is not given is fetched."""
    if history_rows is None:
        history_rows = member.history.order_by("history_date", "history_id")
    if transfers is None:
        transfers = member_transfers(member)
    assessments, payments = dues if dues is not None else member_dues_records(member)
    scope = scope_for(user)
    moves = _transfer_entries(transfers, scope)
    out_by_transfer = any(e.kind == "end" for e in moves)
    entries = [
        *_development_entries(member, scope),
        *moves,
        *_state_entries(history_rows, out_by_transfer),
        *_position_entries(positions),
        *_dues_entries(assessments, payments),
    ]
    # sorted() is stable: steps of one day keep their order within each source.
    return sorted(entries, key=lambda e: e.on or datetime.date.min)


def timeline_categories(entries: Sequence[TimelineEntry]) -> list[tuple[str, str]]:
    """The categories present, in a fixed order, for the filter chips."""
    present = {e.category for e in entries}
    return [(value, label) for value, label in Category.LABELS.items() if value in present]
