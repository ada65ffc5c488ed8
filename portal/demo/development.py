"""The demo people on their way into the Party (入党申请人, 入党积极分子) at branch A."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from branches.models import Organization
from members.development.models import DevelopmentRecord
from members.development.services import development_activist_record, development_apply, development_talk_record
from members.roster.choices import MemberState, MemberType
from members.roster.models import Member
from members.roster.validators import make_id_number
from portal.demo.tree import BRANCH_A


def seed_development(orgs: dict[str, Organization]) -> None:
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
