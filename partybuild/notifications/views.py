from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from partybuild.notifications.models import Notification
from partybuild.notifications.selectors import by_weight
from partybuild.notifications.services import notification_mark_read


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    """Any logged-in user: their own notifications, the unread first; within each, 严重 before 预警
    before 提示, newest first."""
    qs = by_weight(Notification.objects.filter(recipient=request.user))
    qs = qs.annotate(is_read=Case(When(read_at__isnull=True, then=Value(0)), default=Value(1))).order_by(
        "is_read", "weight", "-created_at", "-id"
    )
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one of the user's notifications read and go to what it is about. Others' are 404."""
    try:
        note = Notification.objects.get(pk=pk, recipient=request.user)
    except Notification.DoesNotExist:
        raise Http404("通知不存在") from None
    notification_mark_read(user=request.user, pk=note.pk)
    if note.url and url_has_allowed_host_and_scheme(note.url, allowed_hosts={request.get_host()}):
        return redirect(note.url)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    """Mark all of the user's notifications read."""
    notification_mark_read(user=request.user)
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:list")
