"""A year of demo dues: this year's assessments and the months paid so far."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from branches.models import Organization
from members.dues.models import DuesAssessment
from members.dues.services import DuesEntry, DuesSetting, dues_assess_many, dues_record_month
from members.roster.choices import ON_ROSTER_STATES, DuesCategory
from members.roster.models import Member
from partybuild.periods import Period, add_months


def seed_dues(rng: random.Random) -> int:
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
