"""A large, realistic roster for benchmarks, built fast with bulk inserts.

The shape is a city's 机关工委: one 工委 at the top, about 2% of the organizations are 机关党委
under it, 4% are 党总支 under those, 75% are 党支部 (two thirds directly under a 机关党委, one third
under a 党总支) and the rest are 党小组 in the larger branches. Branch sizes follow a log-normal
spread (a few tiny branches, a few very large ones), about 10% of branches are 离退休 branches with
older members, and members carry valid 公民身份号码, a realistic mix of education, states and
types, and a committee (班子) for each organization.

Going through ``organization_create`` for 2,000 organizations takes minutes (treebeard locks and
re-reads the parent for every child), so the materialized paths are computed here exactly as
treebeard would (``Organization.steplen`` characters per level, ``Organization.alphabet``, the
n-th child of P at ``P + n`` in base 36) and the rows go in with ``bulk_create``. ``check_tree``
asks treebeard to look for problems and adds one organization through the service, in a
transaction that is rolled back, to prove the service puts it where this module would.

``bulk_create`` writes no simple-history rows; only the member the benchmark opens gets a
history (two edits through ``member_update``), as a real record would have.
"""

from __future__ import annotations

import datetime
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from branches.models import Organization, OrgCategory, OrgKind, Position, PositionTitle
from branches.services import organization_create, refresh_term_statuses
from members.roster.choices import Degree, DuesCategory, Education, Gender, MemberState, MemberType
from members.roster.models import Member
from members.roster.services import member_update
from members.roster.validators import make_id_number
from partybuild.accounts.models import Role, RoleAssignment
from partybuild.periods import add_years

SEED = 20261001
BATCH = 5_000

ADMIN_USERNAME = "bench_admin"
STAFF_USERNAME = "bench_staff"
SECRETARY_USERNAME = "bench_secretary"

DEPARTMENTS = [
    "发展和改革委员会",
    "教育局",
    "科学技术局",
    "工业和信息化局",
    "民族宗教事务局",
    "公安局",
    "民政局",
    "司法局",
    "财政局",
    "人力资源和社会保障局",
    "自然资源和规划局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
    "水务局",
    "农业农村局",
    "商务局",
    "文化广电旅游局",
    "卫生健康委员会",
    "退役军人事务局",
    "应急管理局",
    "审计局",
    "国有资产监督管理委员会",
    "市场监督管理局",
    "体育局",
    "统计局",
    "医疗保障局",
    "城市管理局",
    "机关事务管理局",
    "信访局",
    "人民防空办公室",
    "地方金融监督管理局",
    "大数据管理局",
    "档案馆",
    "政务服务管理局",
    "林业局",
    "粮食和物资储备局",
    "总工会",
    "妇女联合会",
    "科学技术协会",
]
UNITS = ["机关", "直属单位", "事业单位", "执法总队", "服务中心", "研究院", "监测站", "信息中心"]
CN_NUMERALS = "一二三四五六七八九十"

# Surname frequencies roughly as in the population: 王李张刘陈 about 7% each.
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
SURNAME_WEIGHTS = [7.2, 7.1, 6.8, 5.4, 4.5] + [2.0] * 10 + [0.6] * (len(SURNAMES) - 15)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红玉梅海燕文斌晓东鹏飞丹宇浩然子涵欣怡思远嘉俊婷雪立新卫春秋菊冬生振宏佳琪辉永"
REGIONS = ["110101", "110105", "120101", "310104", "320102", "330106", "340104", "350102", "360102", "370102"]
REGIONS += ["410105", "420106", "430102", "440106", "450103", "500103", "510104", "610113", "620102", "130102"]
POSTS = ["科员", "副科长", "科长", "副处长", "处长", "主任科员", "一级主任科员", "四级调研员", "工程师", "会计师", "办事员"]
EDUCATION_WEIGHTS = {
    Education.POSTGRADUATE: 22,
    Education.UNDERGRADUATE: 52,
    Education.JUNIOR_COLLEGE: 15,
    Education.SECONDARY_VOCATIONAL: 4,
    Education.HIGH_SCHOOL: 5,
    Education.JUNIOR_HIGH_OR_BELOW: 2,
}


@dataclass
class _Node:
    kind: str
    name: str
    short_name: str
    parent: _Node | None = None
    children: list[_Node] = field(default_factory=list)
    path: str = ""
    retired: bool = False
    size: int = 0  # members, for branches
    org: Organization | None = None

    def add(self, child: _Node) -> _Node:
        child.parent = self
        self.children.append(child)
        return child


@dataclass(frozen=True)
class Targets:
    """What the benchmark opens: pks chosen the same way on every run."""

    committee_pk: int  # the 机关党委 with the most members
    branch_pk: int  # the secretary's branch, a branch of typical size
    member_pk: int  # a member of that branch, with history
    admin_id: int
    staff_id: int
    secretary_id: int


def child_path(parent_path: str, index: int) -> str:
    """The path treebeard gives the ``index``-th child (1-based) of ``parent_path``."""
    alphabet = Organization.alphabet
    base = len(alphabet)
    digits = ""
    n = index
    while n:
        n, rem = divmod(n, base)
        digits = alphabet[rem] + digits
    if len(digits) > Organization.steplen:
        raise ValueError(f"too many children under {parent_path!r}: {index}")
    return parent_path + digits.rjust(Organization.steplen, alphabet[0])


def _shape(orgs: int) -> tuple[int, int, int, int]:
    """Committees, general branches, branches and groups for ``orgs`` organizations in all."""
    if orgs < 10:
        raise ValueError("at least 10 organizations")
    committees = max(1, round(orgs * 0.02))
    generals = round(orgs * 0.04)
    branches = round(orgs * 0.75)
    groups = orgs - 1 - committees - generals - branches
    return committees, generals, branches, groups


def _build_tree(rng: random.Random, orgs: int, members: int) -> tuple[_Node, list[_Node]]:
    n_committees, n_generals, n_branches, n_groups = _shape(orgs)
    root = _Node(OrgKind.COMMITTEE, "中共某市直属机关工作委员会", "市直机关工委")
    committees = []
    for c in range(n_committees):
        dept = DEPARTMENTS[c % len(DEPARTMENTS)] + ("" if c < len(DEPARTMENTS) else str(c // len(DEPARTMENTS) + 1))
        committees.append(root.add(_Node(OrgKind.COMMITTEE, f"中共某市{dept}机关委员会", f"{dept[:8]}机关党委")))
    generals_of: dict[int, list[_Node]] = {c: [] for c in range(n_committees)}
    for g in range(n_generals):
        c = g % n_committees
        committee = committees[c]
        unit = UNITS[1 + len(generals_of[c]) % (len(UNITS) - 1)]
        dept = committee.short_name.removesuffix("机关党委")
        node = committee.add(_Node(OrgKind.GENERAL_BRANCH, f"中共某市{dept}{unit}总支部委员会", f"{dept}{unit}党总支"))
        generals_of[c].append(node)
    branches: list[_Node] = []
    for b in range(n_branches):
        c = b % n_committees
        nth = b // n_committees
        parent = committees[c]
        if generals_of[c] and nth % 3 == 2:
            parent = generals_of[c][(nth // 3) % len(generals_of[c])]
        retired = rng.random() < 0.10
        label = "离退休干部" if retired else f"第{_numeral(len(parent.children) + 1)}"
        prefix = parent.short_name.removesuffix("机关党委").removesuffix("党总支")
        node = parent.add(_Node(OrgKind.BRANCH, f"中共某市{prefix}{label}支部委员会", f"{prefix[:10]}{label}党支部"))
        node.retired = retired
        branches.append(node)
    # Branch sizes: log-normal around the mean, at least 3 members, summing to ``members``.
    weights = [rng.lognormvariate(0, 0.7) for _ in branches]
    total = sum(weights)
    sizes = [max(3, math.floor(members * w / total)) for w in weights]
    diff = members - sum(sizes)
    order = sorted(range(len(branches)), key=lambda i: -sizes[i])
    i = 0
    while diff != 0:
        j = order[i % len(order)]
        step = 1 if diff > 0 else -1
        if sizes[j] + step >= 3:
            sizes[j] += step
            diff -= step
        i += 1
    for node, size in zip(branches, sizes, strict=True):
        node.size = size
    # Groups go to the largest branches, up to four each.
    left = n_groups
    for j in order:
        if left <= 0:
            break
        branch = branches[j]
        count = min(left, 4, max(1, branch.size // 60))
        for k in range(count):
            branch.add(_Node(OrgKind.GROUP, f"{branch.short_name}第{_numeral(k + 1)}党小组", f"第{_numeral(k + 1)}党小组"))
        left -= count
    if left:
        raise ValueError("not enough branches for the groups")
    _assign_paths(root, child_path("", 1))
    return root, branches


def _numeral(n: int) -> str:
    if n <= 10:
        return CN_NUMERALS[n - 1]
    if n < 20:
        return "十" + CN_NUMERALS[n - 11]
    tens, ones = divmod(n, 10)
    return CN_NUMERALS[tens - 1] + "十" + (CN_NUMERALS[ones - 1] if ones else "")


def _assign_paths(node: _Node, path: str) -> None:
    node.path = path
    for i, child in enumerate(node.children, start=1):
        _assign_paths(child, child_path(path, i))


def _walk(node: _Node) -> list[_Node]:
    out = [node]
    for child in node.children:
        out.extend(_walk(child))
    return out


def _insert_orgs(rng: random.Random, root: _Node, today: datetime.date) -> list[_Node]:
    nodes = _walk(root)
    years = {OrgKind.COMMITTEE: 5, OrgKind.GENERAL_BRANCH: 3, OrgKind.BRANCH: 3}
    rows = []
    for index, node in enumerate(nodes):
        org = Organization(
            path=node.path,
            depth=len(node.path) // Organization.steplen,
            numchild=len(node.children),
            name=node.name,
            short_name=node.short_name[:40],
            code=f"BM{index:06d}",
            kind=node.kind,
            category=OrgCategory.INSTITUTION if "事业" in node.name or "中心" in node.name else OrgCategory.GOVERNMENT,
            founded_on=datetime.date(rng.randint(1985, 2015), rng.randint(1, 12), 1),
            contact_phone=f"0571-{rng.randint(80000000, 89999999)}",
            address=f"某市{rng.choice(['东城区', '西城区', '南湖区', '北山区', '高新区'])}政务中心{rng.randint(1, 12)}号楼",
        )
        if node.kind in years:
            org.term_years = years[node.kind]
            # Spread so that most terms are running, about 8% end within 6 months and 5% are overdue.
            span = org.term_years * 365
            org.term_start = today - datetime.timedelta(days=rng.randint(30, span + span // 12))
            org.term_start = max(org.term_start, org.founded_on)
            org.term_end = add_years(org.term_start, org.term_years)
        rows.append(org)
        node.org = org
    Organization.objects.bulk_create(rows, batch_size=1000)
    return nodes


def _person(rng: random.Random, retired: bool, today: datetime.date) -> tuple[str, str, datetime.date, int]:
    age = rng.randint(61, 88) if retired else min(60, max(23, int(rng.gauss(41, 9))))
    birth = datetime.date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))
    name = (
        rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0] + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    )
    gender = Gender.MALE if rng.random() < 0.58 else Gender.FEMALE
    return name, gender, birth, age


def _id_number(rng: random.Random, birth: datetime.date, gender: str, used: set[str]) -> str:
    while True:
        seq = rng.randint(0, 499) * 2 + (1 if gender == Gender.MALE else 0)  # odd for men, even for women
        number = make_id_number(rng.choice(REGIONS), birth, seq)
        if number not in used:
            used.add(number)
            return number


def _insert_members(
    rng: random.Random, branches: list[_Node], today: datetime.date, progress: Callable[[str], None]
) -> dict[int, list[int]]:
    """Insert every branch's members in batches; return the first few member pks per branch."""
    used: set[str] = set()
    first_pks: dict[int, list[int]] = {}
    pending: list[tuple[int, Member]] = []
    done = 0
    total = sum(b.size for b in branches)

    def flush() -> None:
        nonlocal done
        Member.objects.bulk_create([m for _, m in pending], batch_size=BATCH)
        for branch_pk, m in pending:
            pks = first_pks.setdefault(branch_pk, [])
            if len(pks) < 5:
                pks.append(m.pk)
        done += len(pending)
        pending.clear()
        progress(f"  党员 {done:,}/{total:,}")

    for branch in branches:
        assert branch.org is not None
        groups = [c.org for c in branch.children]
        unit = branch.short_name.removesuffix("党支部")
        for i in range(branch.size):
            name, gender, birth, age = _person(rng, branch.retired, today)
            probationary = not branch.retired and rng.random() < 0.04
            if probationary:
                joined = today - datetime.timedelta(days=rng.randint(20, 360))
                confirmed = None
            else:
                joined_age = rng.randint(19, max(20, min(age - 2, 45)))
                joined = birth.replace(year=birth.year + joined_age)
                confirmed = joined.replace(year=joined.year + 1)
                if confirmed >= today:
                    joined = joined.replace(year=joined.year - 2)
                    confirmed = joined.replace(year=joined.year + 1)
            education = rng.choices(list(EDUCATION_WEIGHTS), weights=list(EDUCATION_WEIGHTS.values()))[0]
            state = rng.choices(
                [MemberState.NORMAL, MemberState.MOBILE, MemberState.LOST, MemberState.TRANSFERRED_OUT, MemberState.DECEASED],
                weights=[94, 2.5, 0.5, 2.5, 0.5 if not branch.retired else 4],
            )[0]
            changed = today - datetime.timedelta(days=rng.randint(10, 900)) if state != MemberState.NORMAL else None
            member = Member(
                name=name,
                gender=gender,
                id_number=_id_number(rng, birth, gender, used),
                ethnicity=rng.choice(["汉族"] * 12 + ["回族", "满族", "蒙古族", "壮族"]),
                birth_date=birth,
                native_place=rng.choice(["江苏南京", "浙江杭州", "山东济南", "湖北武汉", "四川成都", "河南郑州", "湖南长沙"]),
                education=education,
                degree={
                    Education.POSTGRADUATE: rng.choice([Degree.MASTER, Degree.MASTER, Degree.DOCTOR]),
                    Education.UNDERGRADUATE: Degree.BACHELOR,
                }.get(education, Degree.NONE),
                phone=f"1{rng.choice('3578')}{rng.randint(100000000, 999999999)}",
                residence="某市" + rng.choice(["东城区", "西城区", "南湖区", "北山区", "高新区"]) + f"{rng.randint(1, 300)}号",
                household_registration="某市",
                member_type=MemberType.PROBATIONARY if probationary else MemberType.FULL,
                branch=branch.org,
                group=groups[i % len(groups)] if groups else None,
                joined_on=joined,
                confirmed_on=confirmed,
                is_leader=not branch.retired and rng.random() < 0.06,
                dues_category=DuesCategory.RETIRED if branch.retired else DuesCategory.EMPLOYED,
                work_unit_position=f"{unit} {rng.choice(POSTS)}",
                job_post="离退休人员" if branch.retired else "公务员",
                work_started_on=birth.replace(year=birth.year + 22),
                state=state,
                state_changed_on=changed,
                state_reason="" if state == MemberState.NORMAL else "批量生成",
                mobile_destination="广东深圳" if state == MemberState.MOBILE else "",
                lost_on=changed if state == MemberState.LOST else None,
            )
            pending.append((branch.org.pk, member))
            if len(pending) >= BATCH:
                flush()
    if pending:
        flush()
    return first_pks


def _insert_positions(nodes: list[_Node], first_pks: dict[int, list[int]]) -> None:
    """Three committee members for every committee, general branch and branch; a leader per group."""

    def pool(node: _Node) -> list[int]:
        for n in _walk(node):
            if n.kind == OrgKind.BRANCH and n.org is not None and first_pks.get(n.org.pk):
                return first_pks[n.org.pk]
        return []

    titles = [PositionTitle.SECRETARY, PositionTitle.ORGANIZATION, PositionTitle.PUBLICITY]
    rows = []
    for node in nodes:
        assert node.org is not None
        started = node.org.term_start or datetime.date(2023, 1, 1)
        if node.kind == OrgKind.GROUP:
            assert node.parent is not None and node.parent.org is not None
            pks = first_pks.get(node.parent.org.pk, [])[-1:]
            rows += [
                Position(organization=node.org, member_id=pk, title=PositionTitle.GROUP_LEADER, started_on=started) for pk in pks
            ]
            continue
        for title, pk in zip(titles, pool(node), strict=False):
            rows.append(Position(organization=node.org, member_id=pk, title=title, started_on=started))
    Position.objects.bulk_create(rows, batch_size=BATCH)


def _insert_users(root: _Node, branch: _Node) -> None:
    User = get_user_model()

    def user(username: str, full_name: str, *, superuser: bool = False):
        u = User(username=username, full_name=full_name, is_superuser=superuser, is_staff=superuser)
        u.set_unusable_password()
        u.save()
        return u

    admin = user(ADMIN_USERNAME, "基准测试管理员", superuser=True)
    RoleAssignment.objects.create(user=admin, role=Role.ADMIN, organization=None)
    staff = user(STAFF_USERNAME, "基准测试工委干部")
    RoleAssignment.objects.create(user=staff, role=Role.STAFF, organization=root.org)
    secretary = user(SECRETARY_USERNAME, "基准测试支部书记")
    RoleAssignment.objects.create(user=secretary, role=Role.SECRETARY, organization=branch.org)


def load(*, orgs: int, members: int, progress: Callable[[str], None] = print) -> None:
    """Fill an empty database with ``orgs`` organizations and ``members`` members."""
    if Organization.objects.exists() or Member.objects.exists():
        raise RuntimeError("the database already holds organizations or members; load() needs an empty roster")
    rng = random.Random(SEED)
    today = timezone.localdate()
    root, branches = _build_tree(rng, orgs, members)
    with transaction.atomic():
        progress(f"  党组织 {orgs:,}")
        nodes = _insert_orgs(rng, root, today)
        first_pks = _insert_members(rng, branches, today, progress)
        _insert_positions(nodes, first_pks)
        # The secretary's branch: the median-sized non-retired branch of the first committee.
        candidates = sorted((b for b in branches if not b.retired and b.parent is root.children[0]), key=lambda b: b.size)
        secretary_branch = candidates[len(candidates) // 2] if candidates else branches[0]
        _insert_users(root, secretary_branch)
        refresh_term_statuses(today)
    # A couple of edits so the member the benchmark opens has a history, as a real record would.
    targets = find_targets()
    admin = get_user_model().objects.get(pk=targets.admin_id)
    member = Member.objects.get(pk=targets.member_pk)
    member_update(member=member, actor=admin, reason="更新联系方式", phone="13900001111")
    member_update(member=member, actor=admin, reason="更新学历", residence="某市高新区1号")


def find_targets() -> Targets:
    """The pages' objects, looked up the same way on every run (also on a reused database)."""
    User = get_user_model()
    admin = User.objects.get(username=ADMIN_USERNAME)
    staff = User.objects.get(username=STAFF_USERNAME)
    secretary = User.objects.get(username=SECRETARY_USERNAME)
    branch_pk = RoleAssignment.objects.get(user=secretary, role=Role.SECRETARY).organization_id
    branch = Organization.objects.get(pk=branch_pk)
    committee = _largest_committee()
    member_pk = (
        Member.objects.filter(branch=branch, state=MemberState.NORMAL, group__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
        or Member.objects.filter(branch=branch, state=MemberState.NORMAL).order_by("pk").values_list("pk", flat=True).first()
    )
    assert member_pk is not None
    return Targets(
        committee_pk=committee.pk,
        branch_pk=branch.pk,
        member_pk=member_pk,
        admin_id=admin.pk,
        staff_id=staff.pk,
        secretary_id=secretary.pk,
    )


def _largest_committee() -> Organization:
    committees = list(Organization.objects.filter(kind=OrgKind.COMMITTEE, depth=2))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT substr(o.path, 1, %s), count(*) FROM members_member m JOIN branches_organization o ON o.id = m.branch_id "
            "GROUP BY 1",
            [2 * Organization.steplen],
        )
        sizes = dict(cursor.fetchall())
    return max(committees, key=lambda c: (sizes.get(c.path, 0), -c.pk))


def check_tree() -> list[str]:
    """Problems with the loaded tree, as treebeard sees them, plus a cross-check that the service
    would place a new child exactly where ``child_path`` says (rolled back). Empty list: all good."""
    problems: list[str] = []
    names = ("evil_chars", "bad_steplen", "orphans", "wrong_depth", "wrong_numchild")
    for name, ids in zip(names, Organization.objects.find_problems(), strict=True):
        if ids:
            problems.append(f"{name}: {list(ids)[:10]}")
    branch = Organization.objects.filter(kind=OrgKind.BRANCH).order_by("path").first()
    if branch is None:
        return [*problems, "no branch"]
    expected = child_path(branch.path, branch.numchild + 1)
    try:
        with transaction.atomic():
            created = organization_create(
                parent=branch, code="BM-CHECK", kind=OrgKind.GROUP, name="校验党小组", short_name="校验党小组"
            )
            if created.path != expected or created.depth != branch.depth + 1:
                problems.append(f"service put a child at {created.path} (depth {created.depth}), generator expects {expected}")
            raise _Rollback
    except _Rollback:
        pass
    return problems


class _Rollback(Exception):
    pass
