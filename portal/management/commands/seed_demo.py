"""Demo data: a 机关工委 tree of about 30 organizations, about 300 members, and the demo accounts.

Idempotent: organizations are matched on 党组织编码 and members on 公民身份号码, so running it
again changes nothing (the demo accounts get their password reset to the demo password).
"""

from __future__ import annotations

import random
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from branches.models import Organization
from branches.services import refresh_term_statuses
from meetings.models import Meeting
from members.roster.models import Member
from portal.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_accounts
from portal.demo.development import seed_development
from portal.demo.dues import seed_dues
from portal.demo.meetings import seed_meetings
from portal.demo.roster import seed_members, seed_states
from portal.demo.tree import seed_positions, seed_tree


class Command(BaseCommand):
    help = "载入演示数据（约30个党组织、约300名党员和演示账号），可重复运行"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--members", type=int, default=300, help="演示党员人数（约数）")

    @transaction.atomic
    def handle(self, *args: Any, members: int = 300, **options: Any) -> None:
        rng = random.Random(20261001)
        orgs = seed_tree()
        created_members = seed_members(rng, orgs, members)
        seed_positions(orgs)
        seed_states()
        seed_accounts(orgs)
        held = seed_meetings(rng, orgs)
        seed_development(orgs)
        payments = seed_dues(rng)
        refresh_term_statuses()
        self.stdout.write(
            f"演示数据就绪：党组织 {Organization.objects.count()} 个，党员 {Member.objects.count()} 名"
            f"（本次新增 {created_members} 名），会议记录 {Meeting.objects.count()} 条（本次新增 {held} 条），"
            f"党费交纳记录本次新增 {payments} 条。"
        )
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, what in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<12} {what}")
