"""Reads of roster imports: which imports a user sees (access.py decides)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from members.imports.models import RosterImport
from partybuild.accounts import access
from partybuild.accounts.access import AnyUser


def visible_imports(user: AnyUser) -> QuerySet[RosterImport]:
    """Admins see every import; other importers the ones they uploaded; everyone else none."""
    q = access.imports_q(user, owner="created_by")
    return RosterImport.objects.none() if q is None else RosterImport.objects.filter(q)


def get_import_for_user(user: AnyUser, pk: int | str) -> RosterImport:
    try:
        return visible_imports(user).select_related("created_by").get(pk=int(pk))
    except (RosterImport.DoesNotExist, TypeError, ValueError):
        raise Http404("导入记录不存在") from None
