"""系统管理 of the roster: members (with the Excel import and export)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from import_export.admin import ImportExportMixin
from import_export.forms import SelectableFieldsExportForm

from members.imports.resources import MemberResource
from members.roster.models import Member
from members.roster.services import MEMBER_EDITABLE_FIELDS, gender_mismatch_errors, member_edit_refusal, member_update
from partybuild.accounts.access import can_import_roster
from partybuild.history_admin import ViewOnlyHistoryAdmin


class MemberAdminForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = [*MEMBER_EDITABLE_FIELDS, "user"]

    def _post_clean(self) -> None:
        super()._post_clean()
        # The service's rule, checked here so that it shows on the form instead of failing the save.
        if "gender" in self.changed_data:
            for name, message in gender_mismatch_errors(self.instance).items():
                self.add_error(name, message)


class RosterExportForm(SelectableFieldsExportForm):
    """The export's column choices labelled by their Chinese header alone."""

    def _get_field_label(self, resource: Any, field_name: str) -> str:
        field = resource.fields.get(field_name)
        return str(field.column_name) if field else field_name


@admin.register(Member)
class MemberAdmin(ImportExportMixin, ViewOnlyHistoryAdmin):
    """Read and correct roster fields. New members, ID numbers and state changes (流动, 失联,
    转出, 出党, 去世...) are kept in the portal, whose services check them; a save here goes through
    ``member_update``. Records of ended membership are read only.

    Import/export (django-import-export, ``MemberResource``): 系统管理员 and 党务干部 import an
    Excel or CSV roster with the national headers into the organizations in their scope; rows are
    saved through the services (history names the import) and a file with any bad row changes
    nothing. Export writes the portal export's columns, ID numbers masked outside the scope."""

    form = MemberAdminForm
    resource_classes = [MemberResource]
    export_form_class = RosterExportForm
    list_display = ("name", "gender", "branch", "member_type", "state", "joined_on")
    list_filter = ("member_type", "state", "education", "dues_category")
    search_fields = ("name", "phone", "id_number")
    raw_id_fields = ("branch", "group", "user")
    readonly_fields = ("id_number", "state", "state_changed_on", "state_reason", "mobile_destination", "lost_on")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_import_permission(self, request: HttpRequest) -> bool:
        return can_import_roster(request.user)

    def has_export_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def get_resource_kwargs(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return {"user": request.user}

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Member | None = None) -> bool:
        if obj is not None and member_edit_refusal(obj):
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Member, form: forms.ModelForm, change: bool) -> None:
        fields: dict[str, Any] = {name: form.cleaned_data[name] for name in MEMBER_EDITABLE_FIELDS if name in form.cleaned_data}
        member = member_update(member=obj, actor=request.user, reason="系统管理后台修改", **fields)
        if "user" in form.changed_data:  # the login link is the admin's to set; not a roster field
            member.user = form.cleaned_data["user"]
            member._history_user = request.user
            member._change_reason = "系统管理后台修改登录账号"
            member.save(update_fields=["user", "updated_at"])
        obj.refresh_from_db()
