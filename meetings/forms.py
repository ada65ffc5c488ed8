"""Forms of the meeting pages. They clean and normalize input; meetings.services decides and writes.

The meeting form carries the attendance table (meetings.roll) as plain inputs, one pair per member
of the roll: ``att-<member pk>`` (present / leave / absent, pre-set to present) and
``reason-<member pk>``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

from branches.fields import OrgChoiceField, OrgFilterSelect
from branches.models import Organization, OrgStatus
from branches.selectors import org_filter_options, visible_orgs, writable_orgs
from meetings.listing import DEFAULT_SORT, SORTS, STATUS_CHOICES, STATUS_DEFAULT, MeetingFilters
from meetings.models import AttachmentKind, Attendance, Meeting, MeetingStatus, MeetingType
from meetings.roll import Roll, build_roll
from meetings.services import MEETING_FIELDS
from members.roster.models import Member
from members.roster.selectors import managed_members
from partybuild.accounts.models import User
from partybuild.web.forms import DateTimeLocalInput, PeriodField, PortalForm, add_service_errors

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
_INDENT = "\u3000"  # a <select> shows no CSS padding on options: indent with full-width spaces


# --- the list's filters --------------------------------------------------------------------------


class MeetingFilterForm(PortalForm):
    """The GET filters of the meeting list (and its export). Invalid values are shown and ignored."""

    q = forms.CharField(label="搜索主题", required=False, max_length=50)
    org = forms.IntegerField(
        label="党组织", required=False, widget=OrgFilterSelect, error_messages={"invalid": "请从列表中选择党组织"}
    )
    exact = forms.BooleanField(label="不含下级组织", required=False)
    type = forms.ChoiceField(label="计入类型", required=False, choices=[("", "全部类型"), *MeetingType.choices])
    status = forms.ChoiceField(label="状态", required=False, choices=STATUS_CHOICES)
    period = PeriodField(label="期间", required=False, max_length=20)
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, with_options: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        # The export reads the filters without drawing the form: no need for the options.
        self.fields["org"].widget.options_html = org_filter_options(user).html if with_options else ""
        for name in ("q", "period"):
            self.fields[name].widget.attrs["class"] = "form-control form-control-sm"
        for name in ("org", "type", "status"):
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["exact"].widget.attrs["class"] = "form-check-input"
        self.fields["q"].widget.attrs["placeholder"] = "会议主题中的字词"
        self.fields["period"].widget.attrs.update(
            {"placeholder": "如 2026Q3", "list": "period-options", "title": "2026-10（月）、2026Q3（季度）或 2026（年）"}
        )
        self.fields["status"].initial = STATUS_DEFAULT

    def clean_org(self) -> Organization | None:
        """An organization the user sees (a dissolved one too: its meetings stay on record)."""
        pk = self.cleaned_data.get("org")
        if pk is None:
            return None
        org = visible_orgs(self.user).filter(pk=pk).first()
        if org is None:
            raise forms.ValidationError("所选党组织不存在或不在您的管理范围内", code="invalid_choice")
        return org

    def filters(self) -> MeetingFilters:
        """The valid filters; an invalid field counts as not set."""
        data = self.cleaned_data if self.is_bound else {}
        valid = {k: v for k, v in data.items() if k not in self.errors}
        sort = valid.get("sort") or DEFAULT_SORT
        if sort.lstrip("-") not in SORTS:
            sort = DEFAULT_SORT
        return MeetingFilters(
            org=valid.get("org"),
            exact=bool(valid.get("exact")),
            meeting_type=valid.get("type") or "",
            status=valid.get("status") or STATUS_DEFAULT,
            period=valid.get("period"),
            q=(valid.get("q") or "").strip(),
            sort=sort,
        )


# --- recording a meeting -------------------------------------------------------------------------


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Member) -> str:
        return obj.name


class MeetingForm(PortalForm):
    """A meeting: what, when, where, who, and (for a held one) the attendance of its roll. On
    edit the organization is fixed (a meeting does not move to another organization)."""

    organization = OrgChoiceField(
        label="党组织",
        queryset=Organization.objects.none(),
        empty_label="—— 请选择党组织 ——",
        error_messages={"required": "请选择党组织。", "invalid_choice": "所选党组织不存在或不在您的管理范围内。"},
    )
    meeting_type = forms.ChoiceField(
        label="会议类型",
        choices=[("", "—— 请选择 ——"), *MeetingType.choices],
        error_messages={"required": "请选择会议类型。", "invalid_choice": "请从列表中选择会议类型。"},
    )
    extra_types = forms.MultipleChoiceField(
        label="同时计为",
        required=False,
        choices=MeetingType.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "请从列表中选择。"},
    )
    topic = forms.CharField(label="会议主题", max_length=200, required=False)
    status = forms.ChoiceField(
        label="状态",
        choices=[(MeetingStatus.HELD.value, "已召开"), (MeetingStatus.PLANNED.value, "计划召开")],
        initial=MeetingStatus.HELD.value,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择会议状态。", "invalid_choice": "请选择已召开或计划召开。"},
    )
    held_at = forms.DateTimeField(
        label="召开时间",
        required=False,
        widget=DateTimeLocalInput,
        input_formats=DATETIME_FORMATS,
        error_messages={"invalid": "请填写有效的时间，如 2026-10-12 14:30。"},
    )
    planned_at = forms.DateTimeField(
        label="计划时间",
        required=False,
        widget=DateTimeLocalInput,
        input_formats=DATETIME_FORMATS,
        error_messages={"invalid": "请填写有效的时间，如 2026-10-12 14:30。"},
    )
    place = forms.CharField(label="地点", max_length=200, required=False)
    host = MemberChoiceField(label="主持人", queryset=Member.objects.none(), required=False, empty_label="—— 未指定 ——")
    recorder = MemberChoiceField(label="记录人", queryset=Member.objects.none(), required=False, empty_label="—— 未指定 ——")
    lecturer = MemberChoiceField(label="授课人", queryset=Member.objects.none(), required=False, empty_label="—— 本组织党员 ——")
    lecturer_name = forms.CharField(
        label="外单位授课人", max_length=100, required=False, help_text="党课授课人不是本组织党员时填写"
    )
    minutes = forms.CharField(label="会议记录", required=False, widget=forms.Textarea(attrs={"rows": 8}))
    resolutions = forms.CharField(label="会议决议", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    decides = forms.BooleanField(label="有表决事项", required=False, help_text="党员大会表决须有表决权的党员过半数到会。")

    PEOPLE = ("host", "recorder", "lecturer")
    MEETING_FIELDS = MEETING_FIELDS  # what the services take, one list for the form, API and services

    def __init__(
        self,
        *args: Any,
        user: User,
        meeting: Meeting | None = None,
        recorded: Sequence[Attendance] = (),
        roll_source: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.meeting = meeting
        self.attendance: dict[int, tuple[str, str]] = {}
        self.attendance_errors: list[str] = []
        org_field = self.fields["organization"]
        if meeting is not None:
            org_field.queryset = Organization.objects.filter(pk=meeting.organization_id)
            org_field.disabled = True
            orgs = [meeting.organization]
            self.initial.setdefault("organization", meeting.organization_id)
        else:
            org_field.queryset = writable_orgs(user).filter(status=OrgStatus.ACTIVE).order_by("path")
            orgs = list(org_field.queryset.only("pk", "short_name", "depth", "kind", "path", "status"))
        top = min((o.depth for o in orgs), default=1)
        org_field.choices = [("", org_field.empty_label)] + [(o.pk, _INDENT * (o.depth - top) + o.short_name) for o in orgs]
        self._orgs = {o.pk: o for o in orgs}
        people = managed_members(user)
        if meeting is not None:
            # Who hosted, recorded or lectured stays a valid choice on this meeting even after they
            # moved out of the user's scope (the service keeps unchanged people as they were).
            current = [pk for pk in (meeting.host_id, meeting.recorder_id, meeting.lecturer_id) if pk]
            people = people | Member.objects.filter(pk__in=current)
        for name in self.PEOPLE:
            self.fields[name].queryset = people
        # Changing the organization or the type re-draws the roll region; POST carries the form as
        # it is, so what was typed in the table stays.
        roll_attrs = {
            "hx-post": reverse("meetings:roll"),
            "hx-trigger": "change",
            "hx-target": "#meeting-roll",
            "hx-swap": "outerHTML",
            # A second change while the first reload runs replaces it (both swap the same region).
            "hx-sync": "closest form:replace",
        }
        for name in ("organization", "meeting_type"):
            self.fields[name].widget.attrs.update(roll_attrs)
        self.fields["topic"].show_required = True  # type: ignore[attr-defined]  # required, and the service says so
        self.fields["topic"].widget.attrs["placeholder"] = "如：学习贯彻党的二十届四中全会精神"
        self.fields["place"].widget.attrs["placeholder"] = "如：三楼党员活动室"
        # A roll refresh keeps what was typed in the table; a bound form reads it from its data.
        source = roll_source if roll_source is not None else (self.data if self.is_bound else None)
        self.roll: Roll = build_roll(self.chosen_org(), self.chosen_type(), source=source, recorded=recorded)
        self._offer_people()

    # --- what is chosen ----------------------------------------------------------------------
    def _raw(self, name: str) -> Any:
        if self.is_bound and not self.fields[name].disabled:
            return self.data.get(name)
        value = self.initial.get(name, self.fields[name].initial)
        return value() if callable(value) else value

    def chosen_org(self) -> Organization | None:
        raw = self._raw("organization")
        if isinstance(raw, Organization):
            raw = raw.pk
        try:
            return self._orgs.get(int(raw)) if raw not in (None, "") else None
        except (TypeError, ValueError):
            return None

    def chosen_type(self) -> str:
        raw = self._raw("meeting_type")
        return raw if raw in MeetingType.values else ""

    def chosen_status(self) -> str:
        raw = self._raw("status")
        return raw if raw in (MeetingStatus.HELD, MeetingStatus.PLANNED) else MeetingStatus.HELD.value

    def _offer_people(self) -> None:
        """The host, recorder and lecturer selects offer the roll (and whoever is chosen now)."""
        offered = [(m.member.pk, m.member.name) for m in self.roll.rows]
        offered_ids = {pk for pk, _ in offered}
        current: dict[int, str] = {}
        if self.meeting is not None:
            for name in self.PEOPLE:
                person = getattr(self.meeting, name)
                if person is not None and person.pk not in offered_ids:
                    current[person.pk] = f"{person.name}（不在名单中）"
        for name in self.PEOPLE:
            extra = [(pk, label) for pk, label in current.items()]
            self.fields[name].widget.choices = [("", self.fields[name].empty_label), *offered, *extra]

    # --- cleaning ----------------------------------------------------------------------------
    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.attendance = self._posted_attendance()
        return data

    def _posted_attendance(self) -> dict[int, tuple[str, str]]:
        """Every ``att-<pk>`` posted, as the service takes it; which members belong on the roll
        and whether the statuses are valid is the service's to say."""
        result: dict[int, tuple[str, str]] = {}
        for key in self.data:
            if not key.startswith("att-"):
                continue
            try:
                pk = int(key[4:])
            except ValueError:
                continue
            result[pk] = (str(self.data.get(key) or ""), str(self.data.get(f"reason-{pk}") or "").strip())
        return result

    def _meeting_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields = {name: data.get(name) for name in self.MEETING_FIELDS}
        for name in ("topic", "place", "lecturer_name", "minutes", "resolutions"):
            fields[name] = (fields[name] or "").strip()
        fields["decides"] = bool(fields["decides"])
        return fields

    def _attendance_for_service(self) -> dict[int, tuple[str, str]] | None:
        return self.attendance if self.cleaned_data.get("status") == MeetingStatus.HELD else None

    def record_kwargs(self) -> dict[str, Any]:
        """Arguments for services.meeting_record."""
        return {
            "organization": self.cleaned_data["organization"],
            "meeting_type": self.cleaned_data["meeting_type"],
            "extra_types": list(self.cleaned_data.get("extra_types") or []),
            "attendance": self._attendance_for_service(),
            **self._meeting_fields(),
        }

    def update_kwargs(self) -> dict[str, Any]:
        """Arguments for services.meeting_update."""
        return {
            "meeting_type": self.cleaned_data["meeting_type"],
            "extra_types": list(self.cleaned_data.get("extra_types") or []),
            "attendance": self._attendance_for_service(),
            **self._meeting_fields(),
        }

    def add_service_errors(self, exc: ValidationError) -> None:
        """The service's errors next to their fields; those about the attendance (``attendance``)
        are kept for the table to show above itself."""
        self.attendance_errors = add_service_errors(self, exc, set_aside={"attendance"}).get("attendance", [])


def meeting_initial(meeting: Meeting) -> dict[str, Any]:
    """The edit form as the meeting stands."""
    initial: dict[str, Any] = {
        name: getattr(meeting, name) for name in MeetingForm.MEETING_FIELDS if name not in MeetingForm.PEOPLE
    }
    for name in MeetingForm.PEOPLE:
        initial[name] = getattr(meeting, f"{name}_id")
    initial["organization"] = meeting.organization_id
    initial["meeting_type"] = meeting.meeting_type
    initial["extra_types"] = [t for t in meeting.credits.values_list("meeting_type", flat=True) if t != meeting.meeting_type]
    return initial


def roll_initial(data: Mapping[str, Any]) -> dict[str, Any]:
    """The fields a roll refresh re-draws, as they were on the page."""
    initial: dict[str, Any] = {name: data.get(name) for name in ("organization", "meeting_type", "status", *MeetingForm.PEOPLE)}
    initial["lecturer_name"] = data.get("lecturer_name") or ""
    getlist = getattr(data, "getlist", None)
    initial["extra_types"] = getlist("extra_types") if getlist else data.get("extra_types") or []
    return {k: v for k, v in initial.items() if v not in (None, "")}


# --- cancel and attachments ----------------------------------------------------------------------


class CancelForm(PortalForm):
    # Required, but the service says so (with its own words).
    reason = forms.CharField(label="取消原因", max_length=200, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].show_required = True  # type: ignore[attr-defined]
        self.fields["reason"].widget.attrs.update({"class": "form-control", "placeholder": "如：与上级会议冲突，改期召开"})


class AttachmentForm(PortalForm):
    kind = forms.ChoiceField(label="类别", choices=AttachmentKind.choices, initial=AttachmentKind.PHOTO)
    file = forms.FileField(
        label="文件",
        help_text="JPG、PNG 照片或 PDF 扫描件，每个不超过10MB。",
        error_messages={"required": "请选择要上传的文件。", "empty": "文件是空的。", "invalid": "请选择要上传的文件。"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["file"].widget.attrs.update({"class": "form-control form-control-sm", "accept": ".jpg,.jpeg,.png,.pdf"})


__all__ = [
    "AttachmentForm",
    "CancelForm",
    "MeetingFilterForm",
    "MeetingForm",
    "meeting_initial",
    "roll_initial",
]
