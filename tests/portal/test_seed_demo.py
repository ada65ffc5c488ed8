from __future__ import annotations

import io

from django.core.management import call_command

from branches.models import Organization
from branches.selectors import visible_orgs
from meetings.models import Meeting, MeetingCredit
from members.development.models import DevelopmentRecord
from members.roster.models import Member
from members.roster.selectors import visible_members
from members.roster.validators import validate_id_number
from partybuild.accounts import access
from partybuild.accounts.models import User


def test_seed_demo_builds_the_demo_world_and_is_idempotent(db) -> None:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    orgs, members = Organization.objects.count(), Member.objects.count()
    assert 25 <= orgs <= 40
    assert 250 <= members <= 400
    assert "Dangjian@2026" in out.getvalue()
    for m in Member.objects.all()[:50]:
        assert validate_id_number(m.id_number) == m.id_number
    assert set(Organization.objects.values_list("kind", flat=True)) == {"committee", "general_branch", "branch", "group"}

    meetings = Meeting.objects.count()
    assert meetings > 300  # about a year of organizational life
    assert MeetingCredit.objects.filter(meeting_type="member_review").exists()  # held with the 组织生活会
    assert sorted(DevelopmentRecord.objects.values_list("stage", flat=True)) == ["activist", "applicant", "applicant"]

    # This year's dues set for everyone on the roster, months paid up to last month, a few behind.
    from django.utils import timezone

    from members.dues.models import DuesAssessment, DuesPayment
    from members.dues.selectors import arrears
    from members.roster.choices import ON_ROSTER_STATES

    year = timezone.localdate().year
    assert DuesAssessment.objects.filter(year=year).count() == Member.objects.filter(state__in=ON_ROSTER_STATES).count()
    payments = DuesPayment.objects.count()
    if timezone.localdate().month > 1:
        assert payments > members
        behind = arrears(Member.objects.all(), today=timezone.localdate())
        assert behind and len(behind) < members // 5

    call_command("seed_demo", stdout=io.StringIO())
    assert (Organization.objects.count(), Member.objects.count(), Meeting.objects.count()) == (orgs, members, meetings)
    assert DuesPayment.objects.count() == payments
    assert DevelopmentRecord.objects.count() == 3

    users = {u.username: u for u in User.objects.all()}
    assert {"admin", "staff", "secretary_a", "secretary_b", "member_a"} <= set(users)
    assert users["admin"].check_password("Dangjian@2026")
    assert access.scope_for(users["admin"]).is_admin
    assert visible_orgs(users["staff"]).count() == orgs
    a_orgs = set(visible_orgs(users["secretary_a"]).values_list("pk", flat=True))
    b_orgs = set(visible_orgs(users["secretary_b"]).values_list("pk", flat=True))
    assert a_orgs and b_orgs and not (a_orgs & b_orgs)
    own = visible_members(users["member_a"])
    assert own.count() == 1 and own.get().branch_id in a_orgs
