"""Demo data: a 机关工委 tree of about 30 organizations, about 300 members, and the demo accounts.

Idempotent: organizations are matched on 党组织编码 and members on 公民身份号码, so running it
again changes nothing (the demo accounts get their password reset to the demo password).
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from branches.models import Organization, OrgKind, Position, PositionTitle
from branches.services import organization_create, position_assign, refresh_term_statuses
from meetings.models import AttendanceStatus, Meeting, MeetingStatus, MeetingType
from meetings.selectors import roll_members
from meetings.services import meeting_record
from members.development.models import DevelopmentRecord
from members.development.services import development_activist_record, development_apply, development_talk_record
from members.dues.models import DuesAssessment
from members.dues.services import DuesEntry, DuesSetting, dues_assess_many, dues_record_month
from members.roster.models import ON_ROSTER_STATES, Degree, DuesCategory, Education, Member, MemberState, MemberType
from members.roster.services import member_change_state, member_create
from members.roster.validators import make_id_number
from partybuild.accounts.models import Role, RoleAssignment
from partybuild.periods import Period, add_months

DEMO_PASSWORD = "Dangjian@2026"
DEMO_ACCOUNTS = [
    ("admin", "系统管理员"),
    ("staff", "党务干部（市直机关工委）"),
    ("secretary_a", "支部书记（发改委第一党支部）"),
    ("secretary_b", "支部书记（财政局第一党支部）"),
    ("member_a", "党员（发改委第一党支部）"),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉梅海燕文斌晓东鹏飞丹宇浩然子涵欣怡思远嘉怡俊杰婷婷雪梅立新建华卫东春梅秋菊冬生振华宏伟晓燕佳琪明辉国强永红玉兰"
REGIONS = [
    "110101",
    "110105",
    "120101",
    "310104",
    "320102",
    "330106",
    "340104",
    "350102",
    "360102",
    "370102",
    "410105",
    "420106",
    "430102",
    "440106",
    "450103",
    "500103",
    "510104",
    "610113",
    "620102",
    "130102",
]
POSTS = ["科员", "副科长", "科长", "副处长", "处长", "主任科员", "一级主任科员", "四级调研员", "工程师", "会计师", "办事员"]

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
# Ages and dates are drawn against a fixed day so that every run draws the same people.
REFERENCE_DAY = datetime.date(2026, 10, 1)


def _months_ago(months: int | None) -> datetime.date | None:
    if months is None:
        return None
    return add_months(timezone.localdate(), -months).replace(day=1)


class Command(BaseCommand):
    help = "载入演示数据（约30个党组织、约300名党员和演示账号），可重复运行"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--members", type=int, default=300, help="演示党员人数（约数）")

    @transaction.atomic
    def handle(self, *args: Any, members: int = 300, **options: Any) -> None:
        rng = random.Random(20261001)
        orgs = self._tree()
        created_members = self._members(rng, orgs, members)
        self._positions(orgs)
        self._states()
        self._accounts(orgs)
        held = self._meetings(rng, orgs)
        self._development(orgs)
        payments = self._dues(rng)
        refresh_term_statuses()
        self.stdout.write(
            f"演示数据就绪：党组织 {Organization.objects.count()} 个，党员 {Member.objects.count()} 名"
            f"（本次新增 {created_members} 名），会议记录 {Meeting.objects.count()} 条（本次新增 {held} 条），"
            f"党费交纳记录本次新增 {payments} 条。"
        )
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, what in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<12} {what}")

    def _tree(self) -> dict[str, Organization]:
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
                term_start=_months_ago(term_start),
            )
        return existing

    def _members(self, rng: random.Random, orgs: dict[str, Organization], target: int) -> int:
        branches = [o for o in orgs.values() if o.kind == OrgKind.BRANCH]
        groups_by_branch: dict[int, list[Organization]] = {}
        for g in (o for o in orgs.values() if o.kind == OrgKind.GROUP):
            parent = Organization.objects.get_parent(g)
            groups_by_branch.setdefault(parent.pk, []).append(g)
        existing_ids = set(Member.objects.values_list("id_number", flat=True))
        per_branch = max(3, target // len(branches))
        created = 0
        today = REFERENCE_DAY
        seq = 0
        for b_index, branch in enumerate(branches):
            retired = "离退休" in branch.name
            # A deliberately small branch and a large one so the warnings show.
            count = 2 if branch.code == "100502" else per_branch + (30 if branch.code == "100301" else 0)
            for i in range(count):
                seq += 1
                age = rng.randint(62, 85) if retired else rng.randint(24, 59)
                birth = datetime.date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))
                region = REGIONS[(b_index * 7 + i) % len(REGIONS)]
                id_number = make_id_number(region, birth, seq * 7 + 1)
                name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
                joined = birth.replace(year=birth.year + rng.randint(20, min(age - 1, 40)))
                probationary = i == 0 and not retired and branch.code != "100502"
                if probationary:
                    joined = today - datetime.timedelta(days=rng.randint(30, 300))
                groups = groups_by_branch.get(branch.pk, [])
                education = rng.choices(
                    [Education.POSTGRADUATE, Education.UNDERGRADUATE, Education.JUNIOR_COLLEGE, Education.HIGH_SCHOOL],
                    weights=[25, 55, 15, 5],
                )[0]
                phone = f"1{rng.choice('3578')}{rng.randint(100000000, 999999999)}"
                ethnicity = rng.choice(["汉族"] * 9 + ["回族", "满族", "蒙古族"])
                residence = "某市" + rng.choice(["东城区", "西城区", "南湖区", "北山区", "高新区"])
                native = rng.choice(["江苏南京", "浙江杭州", "山东济南", "湖北武汉", "四川成都", "河南郑州", "湖南长沙"])
                leader = not retired and rng.random() < 0.08
                post = rng.choice(POSTS)
                if id_number in existing_ids:
                    continue
                member_create(
                    name=name,
                    id_number=id_number,
                    ethnicity=ethnicity,
                    education=education,
                    degree={Education.POSTGRADUATE: Degree.MASTER, Education.UNDERGRADUATE: Degree.BACHELOR}.get(education, ""),
                    phone=phone,
                    residence=residence,
                    household_registration="某市",
                    native_place=native,
                    member_type=MemberType.PROBATIONARY if probationary else MemberType.FULL,
                    branch=branch,
                    group=groups[i % len(groups)] if groups else None,
                    joined_on=joined,
                    confirmed_on=None if probationary else joined.replace(year=joined.year + 1),
                    is_leader=leader,
                    dues_category=DuesCategory.RETIRED if retired else DuesCategory.EMPLOYED,
                    work_unit_position=branch.short_name.replace("党支部", "") + " " + post,
                    job_post="离退休人员" if retired else "公务员",
                    work_started_on=birth.replace(year=birth.year + 22),
                    reason="载入演示数据",
                )
                existing_ids.add(id_number)
                created += 1
        return created

    def _positions(self, orgs: dict[str, Organization]) -> None:
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

    def _states(self) -> None:
        """A few 流动党员 and a 失联党员, so the roster shows every common state."""
        if Member.objects.exclude(state=MemberState.NORMAL).exists():
            return
        candidates = list(Member.objects.filter(member_type=MemberType.FULL, positions__isnull=True).order_by("pk")[20:24])
        day = REFERENCE_DAY - datetime.timedelta(days=90)
        for member, destination in zip(candidates[:3], ["广东省深圳市", "上海市浦东新区", "浙江省杭州市"], strict=False):
            member_change_state(member=member, state=MemberState.MOBILE, on=day, reason="外出务工", destination=destination)
        if len(candidates) == 4:
            member_change_state(member=candidates[3], state=MemberState.LOST, on=day, reason="多次联系未果")

    def _accounts(self, orgs: dict[str, Organization]) -> None:
        User = get_user_model()

        def account(username: str, full_name: str, *, superuser: bool = False) -> Any:
            user, _ = User.objects.get_or_create(username=username, defaults={"full_name": full_name})
            user.full_name = full_name
            user.is_staff = superuser
            user.is_superuser = superuser
            user.is_active = True
            user.set_password(DEMO_PASSWORD)
            user.save()
            return user

        def grant(user: Any, role: str, org: Organization | None) -> None:
            RoleAssignment.objects.get_or_create(user=user, role=role, organization=org, revoked_at=None)

        admin = account("admin", "系统管理员", superuser=True)
        grant(admin, Role.ADMIN, None)
        staff = account("staff", "工委组织部 周建华")
        grant(staff, Role.STAFF, orgs["100000"])

        for username, code in (("secretary_a", BRANCH_A), ("secretary_b", BRANCH_B)):
            branch = orgs[code]
            secretary_position = (
                Position.objects.filter(organization=branch, title=PositionTitle.SECRETARY).select_related("member").first()
            )
            name = secretary_position.member.name if secretary_position else username
            user = account(username, f"{branch.short_name}书记 {name}")
            grant(user, Role.SECRETARY, branch)
            if secretary_position and secretary_position.member.user_id in (None, user.pk):
                Member.objects.filter(pk=secretary_position.member.pk).update(user=user)
                grant(user, Role.MEMBER, branch)

        branch_a = orgs[BRANCH_A]
        member = (
            Member.objects.filter(branch=branch_a, user__isnull=True, member_type=MemberType.FULL)
            .exclude(positions__isnull=False)
            .order_by("pk")
            .first()
        )
        existing_member_a = Member.objects.filter(user__username="member_a").first()
        member_a = account("member_a", existing_member_a.name if existing_member_a else (member.name if member else "党员"))
        if existing_member_a is None and member is not None:
            Member.objects.filter(pk=member.pk).update(user=member_a)
        grant(member_a, Role.MEMBER, branch_a)

    def _meetings(self, rng: random.Random, orgs: dict[str, Organization]) -> int:
        """About a year of organizational life, relative to today: most required meetings held
        (about nine in ten, so the compliance pages show red cells too), last December's 组织生活会
        held with the 民主评议党员, and this month half done: branch A has held its 主题党日 but
        not yet its 支部委员会 (planned for later in the month)."""
        if Meeting.objects.exists():
            return 0
        today = timezone.localdate()
        this_month = Period.containing("month", today)
        months = [this_month]
        for _ in range(12):
            months.insert(0, months[0].previous())
        topics = {
            MeetingType.COMMITTEE_MEETING: [
                "研究本月党建工作安排",
                "研究发展党员工作",
                "讨论党费收缴情况",
                "研究主题党日活动方案",
            ],
            MeetingType.THEME_DAY: ["重温入党誓词", "参观党史教育基地", "志愿服务进社区", "学习党章党规"],
            MeetingType.GENERAL_MEETING: ["通报支部工作情况", "接收预备党员", "学习全会精神"],
            MeetingType.LECTURE: ["书记讲党课：坚定理想信念", "党课：作风建设永远在路上"],
            MeetingType.STUDY: ["专题学习研讨：新时代党的建设", "专题学习研讨：党纪学习教育"],
            MeetingType.GROUP_MEETING: ["党小组学习", "党小组谈心谈话"],
            MeetingType.DEMOCRATIC_LIFE: ["年度民主生活会"],
        }
        plan: list[tuple[Organization, str, Period, tuple[str, ...]]] = []
        for org in orgs.values():
            for month in months:
                if org.kind == OrgKind.GROUP:
                    plan.append((org, MeetingType.GROUP_MEETING, month, ()))
                    continue
                if org.kind in (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH):
                    plan.append((org, MeetingType.COMMITTEE_MEETING, month, ()))
                if org.kind == OrgKind.BRANCH:
                    plan.append((org, MeetingType.THEME_DAY, month, ()))
                    if month.index % 3 == 2:
                        plan.append((org, MeetingType.GENERAL_MEETING, month, (MeetingType.LECTURE,)))
                        plan.append((org, MeetingType.STUDY, month, ()))
                    if month.index == 12:
                        plan.append((org, MeetingType.LIFE_MEETING, month, (MeetingType.MEMBER_REVIEW,)))
                if org.kind == OrgKind.COMMITTEE and month.index % 3 == 2:
                    plan.append((org, MeetingType.STUDY, month, ()))
                if org.kind == OrgKind.COMMITTEE and month.index == 12:
                    plan.append((org, MeetingType.DEMOCRATIC_LIFE, month, ()))
        held = 0
        branch_a = orgs[BRANCH_A]
        for org, meeting_type, month, extra in plan:
            last_day = min(month.end, today - datetime.timedelta(days=1))
            if last_day < month.start:
                continue
            if month == this_month and not (org == branch_a and meeting_type == MeetingType.THEME_DAY):
                continue  # this month: only branch A's 主题党日 so far
            if month != this_month and rng.random() > 0.9:
                continue  # not held: a red cell
            day = month.start + datetime.timedelta(days=rng.randint(0, (last_day - month.start).days))
            when = timezone.make_aware(datetime.datetime.combine(day, datetime.time(rng.choice([9, 10, 14, 15]), 0)))
            roll = list(roll_members(org, meeting_type))
            if not roll:
                continue
            attendance = {}
            for member in roll:
                draw = rng.random()
                if draw < 0.06:
                    attendance[member.pk] = (AttendanceStatus.LEAVE, rng.choice(["出差", "病假", "年休假", "参加上级培训"]))
                elif draw < 0.08:
                    attendance[member.pk] = (AttendanceStatus.ABSENT, "")
                else:
                    attendance[member.pk] = (AttendanceStatus.PRESENT, "")
            present = [m for m in roll if attendance[m.pk][0] == AttendanceStatus.PRESENT] or roll
            counts_as = {meeting_type, *extra}
            meeting_record(
                actor=None,
                organization=org,
                meeting_type=meeting_type,
                extra_types=extra,
                topic=rng.choice(topics.get(meeting_type, ["组织生活会暨民主评议党员"])),
                status=MeetingStatus.HELD,
                held_at=when,
                place=rng.choice(["三楼党员活动室", "机关会议室", "党建活动中心"]),
                host=present[0],
                recorder=present[-1],
                lecturer=present[0] if MeetingType.LECTURE in counts_as else None,
                minutes="会议按议程进行，与会党员结合工作实际逐一发言，会议形成了明确意见。",
                resolutions="按会议议定事项抓好落实。" if meeting_type == MeetingType.COMMITTEE_MEETING else "",
                attendance=attendance,
            )
            held += 1
        planned_day = today + datetime.timedelta(days=3)
        if this_month.contains(planned_day):
            meeting_record(
                actor=None,
                organization=branch_a,
                meeting_type=MeetingType.COMMITTEE_MEETING,
                topic="研究年度党员民主评议工作",
                status=MeetingStatus.PLANNED,
                planned_at=timezone.make_aware(datetime.datetime.combine(planned_day, datetime.time(15, 0))),
                place="三楼党员活动室",
            )
            held += 1
        return held

    def _development(self, orgs: dict[str, Organization]) -> None:
        """Three people on their way in at branch A, relative to today: an application whose talk
        is due soon, one talked with, and an 入党积极分子 with two 培养联系人 (through the services)."""
        branch = orgs[BRANCH_A]
        if DevelopmentRecord.objects.filter(branch=branch).exists():
            return
        today = timezone.localdate()
        actor = get_user_model().objects.filter(username="secretary_a").first()
        people = [
            ("吴新申", make_id_number("110105", datetime.date(1999, 4, 12), 61), today - datetime.timedelta(days=12)),
            ("郑向党", make_id_number("110105", datetime.date(1997, 9, 3), 72), today - datetime.timedelta(days=70)),
            ("冯积极", make_id_number("110105", datetime.date(1995, 1, 20), 83), today - datetime.timedelta(days=300)),
        ]
        cultivators = list(
            Member.objects.filter(branch=branch, member_type=MemberType.FULL, state=MemberState.NORMAL).order_by("pk")[:2]
        )
        for i, (name, number, applied_on) in enumerate(people):
            record = development_apply(
                branch=branch, applied_on=applied_on, actor=actor, name=name, id_number=number, education="undergraduate"
            )
            if i >= 1:
                record = development_talk_record(
                    record=record, talked_on=applied_on + datetime.timedelta(days=15), talked_by="支部书记", actor=actor
                )
            if i >= 2 and cultivators:
                development_activist_record(
                    record=record, activist_on=applied_on + datetime.timedelta(days=60), cultivators=cultivators, actor=actor
                )

    def _dues(self, rng: random.Random) -> int:
        """This year's dues set for every member on the roster (incomes drawn by category), and
        the months paid from January to last month, branch by branch through the services. Most
        are paid up; a few members stop paying 3 or 7 months ago (the 欠费提醒 page's warned and
        flagged) and a few pay a month late (补交). This month is left to enter."""
        today = timezone.localdate()
        if DuesAssessment.objects.filter(year=today.year).exists():
            return 0
        actor = get_user_model().objects.filter(username="staff").first()
        members = list(Member.objects.filter(state__in=ON_ROSTER_STATES).select_related("branch").order_by("pk"))
        settings: dict[int, DuesSetting] = {}
        for m in members:
            if m.dues_category == DuesCategory.EMPLOYED:
                settings[m.pk] = DuesSetting(base_income=Decimal(rng.randrange(2800, 16000, 50)))
            elif m.dues_category == DuesCategory.RETIRED:
                settings[m.pk] = DuesSetting(base_income=Decimal(rng.randrange(2500, 8000, 50)))
            else:
                settings[m.pk] = DuesSetting(flat=Decimal("0.20"))
        assessed = {a.member_id: a for a in dues_assess_many(year=today.year, settings=settings, actor=actor)}
        stops_after: dict[int, int] = {}  # member → the last month index they pay
        for i, m in enumerate(members):
            if i % 37 == 5:
                stops_after[m.pk] = today.month - 4  # 3 months behind by last month
            elif i % 53 == 7:
                stops_after[m.pk] = today.month - 8  # 7 months behind: flagged
        recorded = 0
        month = Period.containing("month", datetime.date(today.year, 1, 1))
        this_month = Period.containing("month", today)
        by_branch: dict[Organization, list[Member]] = {}
        for m in members:
            by_branch.setdefault(m.branch, []).append(m)
        while month != this_month:
            for branch, people in by_branch.items():
                entries = {}
                for m in people:
                    joined = (m.joined_on.year, m.joined_on.month) > (month.year, month.index)
                    if joined or month.index > stops_after.get(m.pk, 12):
                        continue
                    # One in 25 pays in the following month (补交); the rest in the month itself.
                    paid_in = add_months(month.start, 1) if rng.random() < 0.04 else month.start
                    paid_on = min(paid_in + datetime.timedelta(days=rng.randrange(0, 20)), today)
                    method = rng.choice(["wechat", "wechat", "bank", "cash", "payroll"])
                    entries[m.pk] = DuesEntry(assessed[m.pk].amount, paid_on, method)
                if entries:
                    payments, _ = dues_record_month(branch=branch, month=month, entries=entries, actor=actor)
                    recorded += len(payments)
            month = month.next()
        return recorded
