"""The demo members: about 300, drawn with a fixed seed against a fixed day so that every run draws
the same people, with a few 流动党员 and a 失联党员."""

from __future__ import annotations

import datetime
import random

from branches.models import Organization, OrgKind
from members.roster.choices import Degree, DuesCategory, Education, MemberState, MemberType
from members.roster.models import Member
from members.roster.services import member_change_state, member_create
from members.roster.validators import make_id_number

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

# Ages and dates are drawn against a fixed day so that every run draws the same people.
REFERENCE_DAY = datetime.date(2026, 10, 1)


def seed_members(rng: random.Random, orgs: dict[str, Organization], target: int) -> int:
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


def seed_states() -> None:
    """A few 流动党员 and a 失联党员, so the roster shows every common state."""
    if Member.objects.exclude(state=MemberState.NORMAL).exists():
        return
    candidates = list(Member.objects.filter(member_type=MemberType.FULL, positions__isnull=True).order_by("pk")[20:24])
    day = REFERENCE_DAY - datetime.timedelta(days=90)
    for member, destination in zip(candidates[:3], ["广东省深圳市", "上海市浦东新区", "浙江省杭州市"], strict=False):
        member_change_state(member=member, state=MemberState.MOBILE, on=day, reason="外出务工", destination=destination)
    if len(candidates) == 4:
        member_change_state(member=candidates[3], state=MemberState.LOST, on=day, reason="多次联系未果")
