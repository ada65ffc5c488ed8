"""Forms of the roster pages. They clean and normalize input; the services decide and write."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.urls import reverse
from django.utils import timezone

from branches.fields import OrgChoiceField, OrgFilterSelect
from branches.models import Organization, OrgKind, OrgStatus
from branches.selectors import org_filter_options, org_filter_org, writable_orgs
from members.roster import selectors
from members.roster.choices import ENDED_STATES, Degree, DuesCategory, Education, Gender, MemberState, MemberType
from members.roster.models import Member
from members.roster.services import MEMBER_EDITABLE_FIELDS, STATE_TRANSITIONS
from partybuild.accounts.models import User
from partybuild.web.forms import DateInput, PortalForm


def _blank(label: str = "请选择") -> list[tuple[str, str]]:
    return [("", f"—— {label} ——")]


class MemberFilterForm(PortalForm):
    """The GET filters of the roster list. Invalid values are shown and otherwise ignored."""

    q = forms.CharField(label="搜索", required=False, max_length=50)
    org = forms.IntegerField(
        label="党组织", required=False, widget=OrgFilterSelect, error_messages={"invalid": "请从列表中选择党组织"}
    )
    member_type = forms.ChoiceField(label="人员类别", required=False, choices=selectors.member_type_choices)
    state = forms.ChoiceField(label="党员状态", required=False, choices=selectors.state_filter_choices)
    education = forms.ChoiceField(label="学历", required=False, choices=selectors.education_choices)
    age = forms.ChoiceField(
        label="年龄段", required=False, choices=[("", "全部"), *[(v, label) for v, label, _a, _b in selectors.AGE_BANDS]]
    )
    joined_year = forms.IntegerField(label="入党年份", required=False, min_value=1921, max_value=2100)
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.org_options = org_filter_options(user)
        self.fields["org"].widget.options_html = self.org_options.html
        for name in ("q", "joined_year"):
            self.fields[name].widget.attrs["class"] = "form-control form-control-sm"
        for name in ("org", "member_type", "state", "education", "age"):
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["q"].widget.attrs["placeholder"] = "姓名、手机号或身份证号后4-6位"
        self.fields["joined_year"].widget.attrs["placeholder"] = "如 2010"

    def clean_org(self) -> Organization | None:
        """An organization the user sees and that is active; checked in the database, whatever
        the (cached) options offered."""
        pk = self.cleaned_data.get("org")
        if pk is None:
            return None
        org = org_filter_org(self.user, pk, self.org_options)
        if org is None:
            raise forms.ValidationError("所选党组织不存在或不在您的管理范围内", code="invalid_choice")
        return org

    def filters(self, today: datetime.date) -> selectors.MemberFilters:
        """The valid filters; an invalid field counts as not set."""
        data = self.cleaned_data if self.is_bound else {}
        valid = {k: v for k, v in data.items() if k not in self.errors}
        sort = valid.get("sort") or selectors.DEFAULT_SORT
        if sort.lstrip("-") not in selectors.SORTS:
            sort = selectors.DEFAULT_SORT
        return selectors.MemberFilters(
            org=valid.get("org"),
            member_type=valid.get("member_type") or "",
            state=valid.get("state") or selectors.STATE_FILTER_ON_ROSTER,
            education=valid.get("education") or "",
            age=valid.get("age") or "",
            joined_year=valid.get("joined_year"),
            q=valid.get("q") or "",
            sort=sort,
            today=today,
        )


class MemberForm(PortalForm):
    """A roster record. 出生日期 and 性别 may be left empty: they follow from the 公民身份号码."""

    # 基本信息
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="公民身份号码", max_length=40, help_text="18位，最后一位可为X；全角数字会自动转换。")
    gender = forms.ChoiceField(label="性别", required=False, choices=[("", "按身份证号自动识别"), *Gender.choices])
    birth_date = forms.DateField(label="出生日期", required=False, widget=DateInput, help_text="留空则按身份证号填写。")
    ethnicity = forms.CharField(label="民族", max_length=20, initial="汉族")
    native_place = forms.CharField(label="籍贯", max_length=50, required=False)
    education = forms.ChoiceField(label="学历", required=False, choices=_blank() + list(Education.choices))
    degree = forms.ChoiceField(label="学位", required=False, choices=Degree.choices)
    phone = forms.CharField(label="手机号码", max_length=20, required=False)
    residence = forms.CharField(label="现居住地", max_length=200, required=False)
    household_registration = forms.CharField(label="户籍所在地", max_length=200, required=False)
    # 党内信息
    member_type = forms.ChoiceField(label="人员类别", choices=MemberType.choices, initial=MemberType.FULL)
    branch = OrgChoiceField(label="所在党支部", queryset=Organization.objects.none(), empty_label="—— 请选择党支部 ——")
    group = OrgChoiceField(
        label="所在党小组", queryset=Organization.objects.none(), required=False, empty_label="（不属于党小组）"
    )
    joined_on = forms.DateField(label="入党日期", widget=DateInput)
    confirmed_on = forms.DateField(label="转正日期", required=False, widget=DateInput, help_text="正式党员必填，预备党员不填。")
    is_leader = forms.BooleanField(label="党员领导干部", required=False)
    dues_category = forms.ChoiceField(label="党费类别", choices=DuesCategory.choices, initial=DuesCategory.EMPLOYED)
    # 工作信息
    work_unit_position = forms.CharField(label="工作单位及职务", max_length=200, required=False)
    job_post = forms.CharField(label="工作岗位", max_length=100, required=False)
    work_started_on = forms.DateField(label="参加工作日期", required=False, widget=DateInput)
    # 记录
    reason = forms.CharField(label="修改原因", max_length=200, required=False, help_text="记入变更历史，可留空。")

    SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
        (
            "基本信息",
            (
                "name",
                "id_number",
                "gender",
                "birth_date",
                "ethnicity",
                "native_place",
                "education",
                "degree",
                "phone",
                "residence",
                "household_registration",
            ),
        ),
        ("党内信息", ("member_type", "branch", "group", "joined_on", "confirmed_on", "is_leader", "dues_category")),
        ("工作信息", ("work_unit_position", "job_post", "work_started_on")),
    )

    def __init__(self, *args: Any, user: User, member: Member | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member = member
        branches = writable_orgs(user).filter(kind=OrgKind.BRANCH, status=OrgStatus.ACTIVE)
        if member is not None:
            # A member of a branch since dissolved can still be edited (and moved out of it).
            branches = branches | writable_orgs(user).filter(pk=member.branch_id)
        self.fields["branch"].queryset = branches.order_by("path")
        # Every group under a writable branch is valid input; clean() checks it is under the chosen one.
        self.fields["group"].queryset = writable_orgs(user).filter(kind=OrgKind.GROUP, status=OrgStatus.ACTIVE).order_by("path")
        self._offer_groups_of_chosen_branch()
        self.fields["id_number"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        # Reload the group select when the branch changes; clean() is what enforces the pairing.
        self.fields["branch"].widget.attrs.update(
            {"hx-get": reverse("members:groups"), "hx-target": "#id_group", "hx-trigger": "change", "hx-swap": "innerHTML"}
        )

    def _chosen_branch_id(self) -> int | None:
        raw = self.data.get("branch") if self.is_bound else self.initial.get("branch")
        if isinstance(raw, Organization):
            return raw.pk
        try:
            return int(raw) if raw not in (None, "") else None
        except (TypeError, ValueError):
            return None

    def _offer_groups_of_chosen_branch(self) -> None:
        """Only the chosen branch's groups are offered in the select (server-side check in clean)."""
        branch_id = self._chosen_branch_id()
        group_field = self.fields["group"]
        branch = next((b for b in self.fields["branch"].queryset if b.pk == branch_id), None)
        if branch is None:
            group_field.widget.choices = [("", "（请先选择党支部）")]
            return
        shown = [g for g in group_field.queryset if g.path.startswith(branch.path) and g.depth == branch.depth + 1]
        group_field.widget.choices = [("", "（不属于党小组）")] + [(g.pk, g.short_name) for g in shown]

    def service_fields(self) -> dict[str, Any]:
        """cleaned_data as the member services take it (empty birth date and gender left for the
        service to derive)."""
        return {k: v for k, v in self.cleaned_data.items() if k != "reason"}

    def full_render_fields(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]


def member_initial(member: Member) -> dict[str, Any]:
    initial = {name: getattr(member, name) for name in MEMBER_EDITABLE_FIELDS if name not in ("branch", "group")}
    initial["branch"] = member.branch_id
    initial["group"] = member.group_id
    return initial


class MemberStateForm(PortalForm):
    """Move a member to another state. Field names match member_change_state's arguments."""

    state = forms.ChoiceField(
        label="变更为",
        # 已转出 is never offered: a member leaves the portal by a transfer (转出系统外).
        error_messages={"invalid_choice": "请从列表中选择新状态；转出须通过组织关系转接办理。"},
    )
    on = forms.DateField(label="变更日期", widget=DateInput)
    # Required, but the service says so (with the other errors of the same submission).
    reason = forms.CharField(label="变更原因", max_length=200, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    destination = forms.CharField(label="流入地", max_length=200, required=False, help_text="变更为流动党员时必填。")

    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member = member
        allowed = STATE_TRANSITIONS.get(member.state, set())
        self.fields["state"].choices = _blank() + [(s.value, s.label) for s in MemberState if s in allowed]
        self.fields["on"].initial = timezone.localdate()
        self.fields["reason"].show_required = True  # type: ignore[attr-defined]

    @property
    def ended_states(self) -> list[str]:
        return [s.value for s in ENDED_STATES]
