"""The demo organization tree (a 机关工委 with about 30 organizations, terms started relative to
today) and its 班子 (secretary, organization and publicity members, most of them trained)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from branches.models import Organization, OrgKind, Position, PositionTitle
from branches.services import organization_create, position_assign
from members.roster.choices import MemberType
from members.roster.models import Member
from partybuild.periods import add_months

# (code, parent code, kind, full name, short name, term started how many months ago)
# Relative to today so the demo always shows a mix of normal, due-soon and overdue terms.
TREE: list[tuple[str, str | None, str, str, str, int | None]] = [
    ("100000", None, "committee", "中共某市直属机关工作委员会", "市直机关工委", 20),
    ("100100", "100000", "committee", "中共某市发展和改革委员会机关委员会", "市发改委机关党委", 62),
    ("100101", "100100", "branch", "中共某市发展和改革委员会机关第一支部委员会", "发改委第一党支部", 8),
    ("10010101", "100101", "group", "发改委第一党支部第一党小组", "第一党小组", None),
    ("10010102", "100101", "group", "发改委第一党支部第二党小组", "第二党小组", None),
    ("100102", "100100", "branch", "中共某市发展和改革委员会机关第二支部委员会", "发改委第二党支部", 32),
    ("100103", "100100", "branch", "中共某市发展和改革委员会离退休干部支部委员会", "发改委离退休党支部", 14),
    ("100200", "100000", "committee", "中共某市财政局机关委员会", "市财政局机关党委", 30),
    ("100201", "100200", "branch", "中共某市财政局机关第一支部委员会", "财政局第一党支部", 10),
    ("10020101", "100201", "group", "财政局第一党支部第一党小组", "第一党小组", None),
    ("10020102", "100201", "group", "财政局第一党支部第二党小组", "第二党小组", None),
    ("100202", "100200", "branch", "中共某市财政局机关第二支部委员会", "财政局第二党支部", 40),
    ("100210", "100200", "general_branch", "中共某市财政局直属单位总支部委员会", "财政局直属单位党总支", 18),
    ("100211", "100210", "branch", "中共某市国库支付中心支部委员会", "国库支付中心党支部", 12),
    ("100212", "100210", "branch", "中共某市财政投资评审中心支部委员会", "评审中心党支部", 22),
    ("100300", "100000", "committee", "中共某市教育局机关委员会", "市教育局机关党委", 26),
    ("100301", "100300", "branch", "中共某市教育局机关支部委员会", "教育局机关党支部", 4),
    ("10030101", "100301", "group", "教育局机关党支部第一党小组", "第一党小组", None),
    ("10030102", "100301", "group", "教育局机关党支部第二党小组", "第二党小组", None),
    ("10030103", "100301", "group", "教育局机关党支部第三党小组", "第三党小组", None),
    ("100302", "100300", "branch", "中共某市教育考试院支部委员会", "教育考试院党支部", 16),
    ("100400", "100000", "committee", "中共某市卫生健康委员会机关委员会", "市卫健委机关党委", 34),
    ("100401", "100400", "branch", "中共某市卫生健康委员会机关第一支部委员会", "卫健委第一党支部", 9),
    ("100402", "100400", "branch", "中共某市卫生健康委员会机关第二支部委员会", "卫健委第二党支部", 33),
    ("100410", "100400", "general_branch", "中共某市疾病预防控制中心总支部委员会", "市疾控中心党总支", 15),
    ("100411", "100410", "branch", "中共某市疾病预防控制中心第一支部委员会", "疾控中心第一党支部", 6),
    ("10041101", "100411", "group", "疾控中心第一党支部第一党小组", "第一党小组", None),
    ("100412", "100410", "branch", "中共某市疾病预防控制中心第二支部委员会", "疾控中心第二党支部", 20),
    ("100501", "100000", "branch", "中共某市机关事务管理局支部委员会", "机关事务局党支部", 28),
    ("100502", "100000", "branch", "中共某市档案馆支部委员会", "档案馆党支部", 9),
]

BRANCH_A = "100101"
BRANCH_B = "100201"
UNTRAINED = {"100102", "100412"}


def months_ago(months: int | None) -> datetime.date | None:
    if months is None:
        return None
    return add_months(timezone.localdate(), -months).replace(day=1)


def seed_tree() -> dict[str, Organization]:
    existing = {o.code: o for o in Organization.objects.filter(code__in=[row[0] for row in TREE])}
    for code, parent_code, kind, name, short, term_start in TREE:
        if code in existing:
            continue
        parent = existing.get(parent_code) if parent_code else None
        if parent is not None:
            parent.refresh_from_db()
        existing[code] = organization_create(
            parent=parent,
            code=code,
            kind=kind,
            name=name,
            short_name=short,
            category="government",
            founded_on=datetime.date(1998, 7, 1),
            term_start=months_ago(term_start),
        )
    return existing


def seed_positions(orgs: dict[str, Organization]) -> None:
    if Position.objects.exists():
        return
    titles = [PositionTitle.SECRETARY, PositionTitle.ORGANIZATION, PositionTitle.PUBLICITY]
    for org in orgs.values():
        if org.kind == OrgKind.GROUP:
            continue
        pool = list(Member.objects.filter(branch__path__startswith=org.path, member_type=MemberType.FULL).order_by("pk")[:5])
        started = org.term_start or datetime.date(2023, 1, 1)
        for title, member in zip(titles, pool, strict=False):
            # Most secretaries were trained a month after taking office; a few were not (a warning shows).
            # (and again within the last year).
            today = timezone.localdate()
            trained = min(today, max(started + datetime.timedelta(days=30), today - datetime.timedelta(days=90)))
            trained = None if org.code in UNTRAINED else trained
            position_assign(org=org, member=member, title=title, started_on=started, trained_on=trained)
