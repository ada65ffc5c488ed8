"""The roster as a django-import-export resource, for the Django admin's import and export.

The columns are those of members/imports/columns.py (one Field per stored column, generated from
``COLUMNS``, matched by the Chinese header), cleaned by the same parsers as the portal's import,
judged by the same rules (``members.roster.field_checks.check_member_record``), with 所在党支部/所在党小组 found the
same way (``rows.ScopeIndex``: code, full name or short name, in the importer's scope).
Rows are saved through ``member_create`` / ``member_update`` (the state flags as the portal's
import writes them), so every change lands in the member's history with the import as its cause;
nothing is ever deleted.
Export writes the cells the portal export writes (``export.export_values``).

This is the slow, per-row path (a few hundred rows a second): fine for the admin's occasional
file; the portal's import (members/imports/pipeline.py) is the fast path for whole rosters.
"""

from __future__ import annotations

import datetime
from collections import OrderedDict
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from import_export import fields, resources, widgets

from branches.models import Organization
from members.imports import normalize as n
from members.imports.columns import BY_HEADER, STORED_COLUMNS, Column, normalize_header
from members.imports.export import export_values
from members.imports.rows import HEADER_OF, KEPT_WHEN_BLANK, ScopeIndex, state_from_flags
from members.roster.choices import ENDED_STATES, MemberState
from members.roster.field_checks import check_member_record
from members.roster.models import Member
from members.roster.services import MEMBER_EDITABLE_FIELDS, member_create, member_update
from members.roster.validators import id_number_birth_date, id_number_gender
from partybuild.accounts.access import Scope, can_import_roster, scope_for
from partybuild.accounts.models import User
from partybuild.xlsx import neutralize_formula

# Fields the resource writes besides the roster fields of MEMBER_EDITABLE_FIELDS: the state
# (from 是否失联党员/是否流动党员) and its details, written as members/imports/rows.py does.
STATE_DETAIL_FIELDS = ("mobile_destination", "lost_on")


COMPARED = (*(f for f in MEMBER_EDITABLE_FIELDS if f not in ("branch", "group")), "branch_id", "group_id", "state")


COMPARED += STATE_DETAIL_FIELDS


# Service error keys that are not model fields, shown under the column that caused them.
_SERVICE_KEYS = {"on": "失联日期", "destination": "流入地", "state": "是否流动党员", "reason": NON_FIELD_ERRORS}


class ColumnWidget(widgets.Widget):
    """A cell cleaned by its column's parser (members/imports/normalize.py); a value it cannot
    understand raises ValueError with the parser's Chinese message, shown next to the cell."""

    def __init__(self, column: Column) -> None:
        super().__init__(coerce_to_string=False)
        self.column = column

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        try:
            return self.column.parse(value)
        except n.CellError as exc:
            raise ValueError(str(exc)) from None

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        # Cells are written by MemberResource.export_field, with the portal export's labels.
        return value


class _OrgWidget(ColumnWidget):
    """所在党支部 / 所在党小组 → an organization id, found in the importer's scope."""

    index: ScopeIndex | None = None

    def _index(self) -> ScopeIndex:
        if self.index is None:
            raise ValueError("导入人未知，无法确定管理范围。")
        return self.index


class BranchWidget(_OrgWidget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> int:
        name = super().clean(value)
        if not name:
            raise ValueError("不能为空。")
        try:
            return self._index().branch(name).pk
        except n.CellError as exc:
            raise ValueError(str(exc)) from None


class GroupWidget(_OrgWidget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> int | None:
        name = super().clean(value)
        if not name:
            return None
        branch_name = n.text((row or {}).get("所在党支部"))
        if not branch_name:
            raise ValueError("填写所在党小组时，请同时填写所在党支部。")
        index = self._index()
        try:
            branch = index.branch(branch_name)
        except n.CellError:
            return None  # the branch's own error is shown on 所在党支部
        try:
            return index.group(branch, name).pk
        except n.CellError as exc:
            raise ValueError(str(exc)) from None


class FlagField(fields.Field):
    """是否失联党员 / 是否流动党员: not attributes of their own but the member's state, which
    MemberResource.import_instance works out from both flags (as the portal's import does)."""

    def save(self, instance: Any, row: Any, is_m2m: bool = False, **kwargs: Any) -> None:
        instance.__dict__.setdefault("_import_flags", {})[self.attribute] = self.clean(row, **kwargs)


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date()
    return value


def _column_fields() -> OrderedDict[str, fields.Field]:
    """One Field per stored column of COLUMNS, keyed by the Member field it fills."""
    out: OrderedDict[str, fields.Field] = OrderedDict()
    for column in STORED_COLUMNS:
        name = column.field
        assert name is not None
        if name == "branch":
            out[name] = fields.Field(attribute="branch_id", column_name=column.header, widget=BranchWidget(column))
        elif name == "group":
            out[name] = fields.Field(attribute="group_id", column_name=column.header, widget=GroupWidget(column))
        elif name in ("is_lost", "is_mobile"):
            out[name] = FlagField(attribute=name, column_name=column.header, widget=ColumnWidget(column))
        else:
            out[name] = fields.Field(attribute=name, column_name=column.header, widget=ColumnWidget(column))
    return out


class MemberDiff(resources.Diff):
    """The preview's before/after cells, written as the export writes them (labels, not codes)."""

    @classmethod
    def _read_field_values(cls, resource: Any, instance: Any) -> list[Any]:
        return [resource.export_field(f, instance) for f in resource.get_import_fields()]


class MemberResource(resources.ModelResource):
    """Import and export of the roster in the admin. ``user`` (the importer or exporter) sets
    the scope: which 党支部 a file may name, whose ID numbers an export shows unmasked."""

    class Meta:
        model = Member
        fields: tuple[str, ...] = ()  # the columns are set below from COLUMNS
        import_id_fields = ["id_number"]
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def __init__(self, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.user = user
        self.index: ScopeIndex | None = None
        self.reason = "导入花名册（系统管理后台）"
        self._orgs: dict[int, Organization] = {}
        self._seen: dict[str, int] = {}
        self._today = timezone.localdate()

    # --- import -------------------------------------------------------------------------------

    @classmethod
    def get_diff_class(cls) -> type[resources.Diff]:
        return MemberDiff

    def get_queryset(self) -> QuerySet[Member]:
        return Member.objects.select_related("branch", "group")

    def import_data(self, dataset: Any, dry_run: bool = False, raise_errors: bool = False, **kwargs: Any) -> Any:
        """All rows or none: any invalid row rolls the whole file back, as in the portal."""
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors, **kwargs)

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        user = self.user or kwargs.get("user")
        if user is None or not can_import_roster(user):
            raise PermissionDenied("只有系统管理员和党务干部可以导入花名册。")
        self.user = user
        file_name = kwargs.get("file_name")
        self.reason = f"导入花名册：{file_name}（系统管理后台）" if file_name else "导入花名册（系统管理后台）"
        # Headers by their canonical name (身份证号 → 公民身份号码, stray spaces and * removed).
        if dataset.headers:
            canonical: list[str] = []
            for raw in dataset.headers:
                column = BY_HEADER.get(normalize_header(raw))
                header = column.header if column is not None and column.header not in canonical else str(raw or "")
                canonical.append(header)
            dataset.headers = canonical
            # Empty cells as blanks and midnight datetimes as dates: what the parsers read the
            # same way, and what the preview shows instead of "None" and "00:00".
            rows = [tuple(_plain(v) for v in row) for row in dataset]
            dataset.wipe()
            dataset.headers = canonical
            dataset.extend(rows)
        self.index = ScopeIndex(user)
        for field in self.fields.values():
            if isinstance(field.widget, _OrgWidget):
                field.widget.index = self.index
        self._seen = {}

    def get_instance(self, instance_loader: Any, row: Any) -> Member | None:
        try:
            return super().get_instance(instance_loader, row)
        except ValueError:
            return None  # an unreadable ID number: reported by import_instance, next to the cell

    def after_init_instance(self, instance: Member, new: bool, row: Any, **kwargs: Any) -> None:
        instance._import_new = new  # type: ignore[attr-defined]
        instance._import_before = {name: getattr(instance, name) for name in COMPARED}  # type: ignore[attr-defined]
        instance._import_before_path = "" if new else instance.branch.path  # type: ignore[attr-defined]

    def _header_errors(self, error: ValidationError) -> dict[str, list[str]]:
        """A ValidationError keyed by model field (or attribute) re-keyed by the Chinese header."""
        by_attribute = {f.attribute: f.column_name for f in self.fields.values()}
        out: dict[str, list[str]] = {}
        if not hasattr(error, "error_dict"):
            out[NON_FIELD_ERRORS] = list(error.messages)
            return out
        for key, errors in error.error_dict.items():
            header = by_attribute.get(key) or _SERVICE_KEYS.get(key) or HEADER_OF.get(key) or key
            for message in ValidationError(errors).messages:
                if message not in out.get(header, []):
                    out.setdefault(header, []).append(message)
        return out

    def import_instance(self, instance: Member, row: Any, **kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = self._header_errors(exc)
        flags = instance.__dict__.pop("_import_flags", {})
        if flags:
            try:
                instance.state = state_from_flags(dict(flags), instance._import_before["state"])  # type: ignore[attr-defined]
            except n.CellError as exc:
                errors.setdefault("是否流动党员", []).append(str(exc))
        number = instance.id_number or ""
        if len(number) == 18 and number[:17].isdigit():
            # Birth date and gender follow from the number when their cells were blank.
            instance.birth_date = instance.birth_date or id_number_birth_date(number)
            instance.gender = instance.gender or id_number_gender(number)
        before: dict[str, Any] = instance._import_before  # type: ignore[attr-defined]
        for name in KEPT_WHEN_BLANK:
            # A blank cell means "not given": a new member gets the default, an existing one keeps theirs.
            if getattr(instance, name) == "":
                setattr(instance, name, before[name] or Member._meta.get_field(name).get_default())
        if number and "公民身份号码" not in errors:
            first = self._seen.setdefault(number, kwargs.get("row_number") or 0)
            if first != (kwargs.get("row_number") or 0):
                errors.setdefault("公民身份号码", []).append(f"与第{first}行的公民身份号码重复。")
        if errors:
            raise ValidationError(errors)

    def _refusal(self, instance: Member) -> dict[str, str]:
        """Why an existing member may not be changed by this importer (out of scope, ended)."""
        if instance._import_new:  # type: ignore[attr-defined]
            return {}
        if not scope_for(self.user).covers_path(instance._import_before_path):  # type: ignore[attr-defined]
            return {"公民身份号码": "该党员已在其他党组织登记，不在您的管理范围内，请通过组织关系转接办理。"}
        before = instance._import_before["state"]  # type: ignore[attr-defined]
        if before in ENDED_STATES:
            return {"姓名": f"该党员已{MemberState(before).label.removeprefix('已')}，档案不能再修改。"}
        return {}

    def skip_row(self, instance: Member, original: Any, row: Any, import_validation_errors: Any = None) -> bool:
        if self._refusal(instance):
            return False  # reported as an error, not as unchanged
        return super().skip_row(instance, original, row, import_validation_errors)

    def validate_instance(self, instance: Member, import_validation_errors: Any = None, validate_unique: bool = True) -> None:
        """The roster form's rules (check_member_record: the field checks and the rules), keyed by the Chinese header."""
        errors: dict[str, list[str]] = {k: list(ValidationError(v).messages) for k, v in (import_validation_errors or {}).items()}
        for header, message in self._refusal(instance).items():
            errors.setdefault(header, []).append(message)
        index = self.index
        if index is None:  # before_import refused the importer (a base error says why)
            raise ValidationError("导入人未知，或无权导入花名册。")
        values = {name: getattr(instance, name) for name in COMPARED}
        branch = index.by_pk.get(instance.branch_id) if instance.branch_id else None
        group = index.by_pk.get(instance.group_id) if instance.group_id else None
        for name, message in check_member_record(values, branch=branch, group=group).items():
            header = HEADER_OF.get(name, name)
            if header not in errors:  # the cell's own error says it already
                errors[header] = [message]
        if errors:
            raise ValidationError(errors)

    def save_instance(self, instance: Member, is_create: bool, row: Any, **kwargs: Any) -> None:
        """Through the services (never Model.save): history names the import as the cause."""
        self.before_save_instance(instance, row, **kwargs)
        if self._is_using_transactions(kwargs) or not self._is_dry_run(kwargs):
            try:
                member = self._save(instance, is_create)
            except ValidationError as exc:
                raise ValidationError(self._header_errors(exc)) from None
            instance.pk = member.pk
        self.after_save_instance(instance, row, **kwargs)

    def _org(self, pk: int | None) -> Organization | None:
        if pk is None:
            return None
        if pk not in self._orgs:
            self._orgs[pk] = Organization.objects.get(pk=pk)
        return self._orgs[pk]

    def _save(self, instance: Member, is_create: bool) -> Member:
        before: dict[str, Any] = instance._import_before  # type: ignore[attr-defined]
        values: dict[str, Any] = {
            name: getattr(instance, name) for name in MEMBER_EDITABLE_FIELDS if name not in ("branch", "group")
        }
        values["branch"] = self._org(instance.branch_id)
        values["group"] = self._org(instance.group_id)
        actor, reason = self.user, self.reason
        if is_create:
            member = member_create(actor=actor, reason=reason, **values)
            before_state = MemberState.NORMAL
        else:
            changed = {name: value for name, value in values.items() if name not in ("branch", "group") and before[name] != value}
            if before["branch_id"] != instance.branch_id:
                changed["branch"] = values["branch"]
            if before["group_id"] != instance.group_id:
                changed["group"] = values["group"]
            member = Member.objects.get(pk=instance.pk)
            if changed:
                member = member_update(member=member, actor=actor, reason=reason, **changed)
            before_state = before["state"]
        # The state and its details, as the portal's import writes them: 是否流动党员/是否失联党员
        # move only between 正常, 流动 and 失联 (legal in member_change_state's table), and a
        # national export has no 流入地 column, which member_change_state would require.
        changed_state = [name for name in ("state", *STATE_DETAIL_FIELDS) if getattr(member, name) != getattr(instance, name)]
        if instance.state != before_state:
            member.state_changed_on = self._today
            member.state_reason = reason
            changed_state += ["state_changed_on", "state_reason"]
        if changed_state:
            for name in ("state", *STATE_DETAIL_FIELDS):
                setattr(member, name, getattr(instance, name))
            member._history_user = actor  # type: ignore[attr-defined]
            member._change_reason = reason  # type: ignore[attr-defined]
            member.save(update_fields=[*changed_state, "updated_at"])
        return member

    # --- export -------------------------------------------------------------------------------

    def filter_export(self, queryset: QuerySet[Member], **kwargs: Any) -> QuerySet[Member]:
        return queryset.select_related("branch", "group")

    def _scope(self) -> Scope:
        return scope_for(self.user) if self.user is not None else Scope()

    def _cells(self, instance: Member) -> dict[str, Any]:
        """The portal export's cells for this member (labels; ID number masked out of scope)."""
        index = self.index
        branch_ref = index.by_pk.get(instance.branch_id) if index and instance.branch_id else None
        group_ref = index.by_pk.get(instance.group_id) if index and instance.group_id else None
        if branch_ref is not None:
            branch_name, branch_path = branch_ref.name, branch_ref.path
        elif instance.branch_id:
            branch_name, branch_path = instance.branch.name, instance.branch.path
        else:
            branch_name, branch_path = "", ""
        if group_ref is not None:
            group_name = group_ref.name
        else:
            group_name = instance.group.name if instance.group_id else ""
        row = {name: getattr(instance, name) for name in COMPARED}
        row.update({"branch__name": branch_name, "branch__path": branch_path, "group__name": group_name})
        show = not instance.id_number or (bool(branch_path) and self._scope().covers_path(branch_path))
        return export_values(row, number="", today=self._today, show_id_number=show)

    def export_field(self, field: fields.Field, instance: Member, **kwargs: Any) -> Any:
        return neutralize_formula(self._cells(instance).get(field.column_name, ""))

    def export_resource(self, instance: Member, selected_fields: Any = None, **kwargs: Any) -> list[Any]:
        cells = self._cells(instance)
        return [neutralize_formula(cells.get(f.column_name, "")) for f in self.get_export_fields(selected_fields)]


MemberResource.fields = _column_fields()
