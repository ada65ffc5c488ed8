"""django-simple-history in the admin: history may be read, never reverted.

Reverting writes an old version of a row straight to the database, past the services that keep
the tree, terms and member states consistent (and past treebeard: an old path would corrupt the
tree). ``revert_disabled`` only hides the button, so the POST itself is refused here too.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from simple_history.admin import SimpleHistoryAdmin


class ViewOnlyHistoryAdmin(SimpleHistoryAdmin):
    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if request.method != "GET":
            raise PermissionDenied("历史版本只能查看，不能恢复。")
        return super().history_form_view(request, object_id, version_id, extra_context)


class VersionedRuleAdmin(ViewOnlyHistoryAdmin):
    """Rules that are versioned by ``effective_from`` (meeting frequencies, dues bands): a rule
    that has taken effect has judged periods that began under it, so its ``versioned_fields`` are
    read-only (add a rule with a later date instead) and no rule is ever deleted. A rule that has
    not taken effect yet may still be corrected."""

    versioned_fields: tuple[str, ...] = ()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        from django.utils import timezone

        if obj is not None and obj.effective_from <= timezone.localdate():
            return self.versioned_fields
        return ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
