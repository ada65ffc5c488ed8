"""A member's 组织生活出勤 card, loaded into the member record (members:detail) with htmx.

The member record belongs to members, a layer below meetings: it cannot import meetings, so the
card is rendered here and the record loads it (``hx-trigger="load"``). Same access as the record.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from meetings.selectors import attendance_summary, member_attendance
from members.roster.selectors import get_member_for_user
from partybuild.accounts.access import scope_for
from partybuild.periods import Period

ATTENDANCE_SHOWN = 20


@login_required
@require_GET
def member_attendance_card(request: HttpRequest, member_pk: int) -> HttpResponse:
    """Whoever may open the member's record (those who manage the member, and the member themself):
    the last 20 meetings and this year's counts. Anyone else: 404."""
    member = get_member_for_user(request.user, member_pk)
    scope = scope_for(request.user)
    # A meeting links to its page only for those who see it (a member with no other role sees no
    # meeting pages).
    attendance = list(member_attendance(member, limit=ATTENDANCE_SHOWN))
    own_record = member.pk == scope.own_member_id
    for row in attendance:
        row.meeting_visible = scope.covers_path(row.meeting.organization.path)
        # A meeting outside the viewer's scope (before a transfer, say) shows its type and the
        # member's attendance, not its topic or the reason given, except to the member.
        row.show_details = row.meeting_visible or own_record
    attendance_year = Period.of_year(timezone.localdate().year)
    context = {
        "member": member,
        "attendance": attendance,
        "attendance_year": attendance_year,
        "attendance_summary": attendance_summary(member, attendance_year),
    }
    return render(request, "meetings/_member_attendance.html", context)
