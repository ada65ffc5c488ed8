"""Forms of the 组织关系转接 pages. They clean and normalize input; the transfer services decide and
write, and its errors are put next to the fields they name (``incoming.id_number`` next to the
公民身份号码 of the person coming in, and so on).

One form records the three kinds (members.transfers.models.TransferKind):
- 系统内转接: a member the user manages → any active 党支部 of the portal;
- 转出系统外: a member the user manages → an organization outside, by name;
- 从系统外转入: the person's roster facts → a 党支部 the user manages, from an organization by name.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse

from branches.fields import OrgFilterSelect
from branches.models import Organization, OrgKind, OrgStatus
from branches.selectors import writable_orgs
from members.roster.choices import Education, Gender, MemberType
from members.roster.models import Member
from members.transfers.incoming import INCOMING_FIELDS, incoming_fact_errors
from members.transfers.models import TransferKind, TransferScope
from members.transfers.selectors import destination_options_html, dues_paid_up_to, member_options, transferable_members
from partybuild.accounts.models import User
from partybuild.web.forms import DateInput, MonthField, PortalForm, SearchInput

# Which form fields each kind needs, with the message when one is empty (the services' words).
REQUIRED_BY_KIND: dict[str, dict[str, str]] = {
    TransferKind.INTERNAL: {"member": "请选择党员。", "to_org": "请选择党支部。"},
    TransferKind.OUT: {"member": "请选择党员。", "to_name": "请填写转入单位名称。"},
    TransferKind.IN: {"in_org": "请选择党支部。", "from_name": "请填写转出单位名称。"},
}


COMMON_REQUIRED = {"scope": "请选择转接范围。", "reason": "请填写转接原因。"}


# A 系统内转接's scope may be left empty: members.transfers derives it from the two 党支部.
OPTIONAL_BY_KIND: dict[str, set[str]] = {TransferKind.INTERNAL: {"scope"}}


# The fields of each kind's own section (the common ones are shown for every kind).
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    TransferKind.INTERNAL: ("member", "to_org"),
    TransferKind.OUT: ("member", "to_name"),
    TransferKind.IN: (
        "in_org",
        "from_name",
        "incoming_name",
        "incoming_id_number",
        "incoming_gender",
        "incoming_birth_date",
        "incoming_ethnicity",
        "incoming_member_type",
        "incoming_joined_on",
        "incoming_confirmed_on",
        "incoming_education",
        "incoming_phone",
        "incoming_work_unit_position",
    ),
}


class DestinationSelect(OrgFilterSelect):
    """The destination 党支部: every active 党支部 of the portal under its parent (cached HTML)."""

    empty_label = "—— 请选择转入党支部 ——"


class NamedOrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return obj.name


class TransferForm(PortalForm):
    """Apply for a transfer (the sending side) or record one from outside (the receiving side)."""

    kind = forms.ChoiceField(
        label="转接类型",
        choices=TransferKind.choices,
        initial=TransferKind.INTERNAL.value,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择转接类型。", "invalid_choice": "请选择转接类型。"},
    )
    # 系统内转接 and 转出系统外: who goes, and where.
    member_q = forms.CharField(label="查找党员", required=False, max_length=50, widget=SearchInput)
    member = forms.ModelChoiceField(
        label="党员",
        queryset=Member.objects.none(),
        required=False,
        empty_label="—— 请选择党员 ——",
        error_messages={"invalid_choice": "所选党员不存在、不在您的管理范围内或已不在册。"},
    )
    to_org = forms.ModelChoiceField(
        label="转入党支部",
        queryset=Organization.objects.none(),
        required=False,
        widget=DestinationSelect,
        error_messages={"invalid_choice": "请从列表中选择正常状态的党支部。"},
    )
    to_name = forms.CharField(label="转入单位名称", max_length=200, required=False, help_text="接收组织关系的党组织全称")
    # 从系统外转入: where from, where to, and who.
    from_name = forms.CharField(label="转出单位名称", max_length=200, required=False, help_text="开具介绍信的党组织全称")
    in_org = NamedOrgChoiceField(
        label="接收党支部",
        queryset=Organization.objects.none(),
        required=False,
        empty_label="—— 请选择党支部 ——",
        error_messages={"invalid_choice": "所选党支部不存在或不在您的管理范围内。"},
    )
    incoming_name = forms.CharField(label="姓名", max_length=50, required=False)
    incoming_id_number = forms.CharField(label="公民身份号码", max_length=40, required=False, help_text="18位，最后一位可为X。")
    incoming_gender = forms.ChoiceField(label="性别", required=False, choices=[("", "按身份证号自动识别"), *Gender.choices])
    incoming_birth_date = forms.DateField(label="出生日期", required=False, widget=DateInput, help_text="留空则按身份证号填写。")
    incoming_ethnicity = forms.CharField(label="民族", max_length=20, required=False, initial="汉族")
    incoming_joined_on = forms.DateField(label="入党日期", required=False, widget=DateInput)
    incoming_confirmed_on = forms.DateField(label="转正日期", required=False, widget=DateInput, help_text="正式党员必填。")
    incoming_member_type = forms.ChoiceField(
        label="人员类别", required=False, choices=MemberType.choices, initial=MemberType.FULL.value
    )
    incoming_education = forms.ChoiceField(label="学历", required=False, choices=[("", "—— 请选择 ——"), *Education.choices])
    incoming_phone = forms.CharField(label="手机号码", max_length=20, required=False)
    incoming_work_unit_position = forms.CharField(label="工作单位及职务", max_length=200, required=False)
    # Every kind.
    scope = forms.ChoiceField(
        label="转接范围",
        choices=[("", "—— 请选择 ——"), *TransferScope.choices],
        required=False,
        error_messages={"invalid_choice": "请选择转接范围。"},
        help_text="系统内转接可不选：按转出、转入党支部是否同属一个党委自动确定。",
    )
    reason = forms.CharField(label="转接原因", max_length=200, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    dues_paid_to = MonthField(
        label="党费交至", required=False, help_text="已交党费的最后一个月；选择党员后按其党费记录填写，可修改。"
    )
    letter_no = forms.CharField(label="介绍信编号", max_length=50, required=False)
    valid_until = forms.DateField(label="介绍信有效期至", required=False, widget=DateInput)

    # Required for their kind (the label carries the red star; clean() checks them).
    SHOWN_REQUIRED = (
        "member",
        "to_org",
        "to_name",
        "from_name",
        "in_org",
        "incoming_name",
        "incoming_id_number",
        "incoming_joined_on",
        "scope",
        "reason",
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["member"].queryset = transferable_members(user).select_related("branch")
        self.fields["to_org"].queryset = Organization.objects.filter(kind=OrgKind.BRANCH, status=OrgStatus.ACTIVE)
        self.fields["to_org"].widget.options_html = destination_options_html()
        self.fields["in_org"].queryset = writable_orgs(user).filter(kind=OrgKind.BRANCH, status=OrgStatus.ACTIVE).order_by("path")
        for name in self.SHOWN_REQUIRED:
            self.fields[name].show_required = True  # type: ignore[attr-defined]
        self._offer_members()
        self._prefill_dues_paid_to()
        self.fields["member"].widget.attrs["data-dues-url"] = reverse("transfers:member_dues_paid_to")
        self.fields["member_q"].widget.attrs.update(
            {
                "placeholder": "输入姓名查找",
                "autocomplete": "off",
                "hx-get": reverse("transfers:member_options"),
                "hx-trigger": "input changed delay:300ms, search",
                "hx-target": "#id_member",
                "hx-swap": "innerHTML",
                "hx-params": "member_q",
            }
        )
        self.fields["to_org"].widget.attrs["data-filter-input"] = "id_to_org_q"
        self.fields["incoming_id_number"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.fields["to_name"].widget.attrs["placeholder"] = "如：中共某省某县委组织部"
        self.fields["from_name"].widget.attrs["placeholder"] = "如：中共某区教育局机关支部委员会"
        self.fields["letter_no"].widget.attrs["placeholder"] = "如：组转〔2026〕15号"
        self.fields["dues_paid_to"].widget.attrs["placeholder"] = "如 2026-10"  # browsers without a month picker

    # --- the member select ------------------------------------------------------------------
    def _chosen_member_pk(self) -> int | None:
        raw = self.data.get("member") if self.is_bound else self.initial.get("member")
        if isinstance(raw, Member):
            return raw.pk
        try:
            return int(raw) if raw not in (None, "") else None
        except (TypeError, ValueError):
            return None

    def _offer_members(self) -> None:
        """The select offers the first members of the user's scope (a secretary: the whole
        branch) and the chosen one; typing in 查找党员 reloads it (transfers:member_options)."""
        options = member_options(self.user, include=self._chosen_member_pk())
        self.more_members = options.more
        self.fields["member"].widget.choices = [("", self.fields["member"].empty_label), *options.groups]

    def _prefill_dues_paid_to(self) -> None:
        """党费交至 of a member known when the form opens (``?member=``): the last month they paid
        in full. The page's script does the same when a member is chosen; the field stays editable."""
        if self.is_bound or self.initial.get("dues_paid_to"):
            return
        pk = self._chosen_member_pk()
        if pk is not None:
            self.initial["dues_paid_to"] = dues_paid_up_to(pk, among=self.fields["member"].queryset)

    # --- cleaning ---------------------------------------------------------------------------
    def chosen_kind(self) -> str:
        raw = self.data.get("kind") if self.is_bound else self.initial.get("kind", self.fields["kind"].initial)
        return raw if raw in TransferKind.values else TransferKind.INTERNAL.value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("kind")
        if kind not in TransferKind.values:
            return data
        optional = OPTIONAL_BY_KIND.get(kind, set())
        for name, message in {**REQUIRED_BY_KIND[kind], **COMMON_REQUIRED}.items():
            if name not in optional and name not in self.errors and data.get(name) in (None, ""):
                self.add_error(name, message)
        if kind == TransferKind.IN:
            for name, message in incoming_fact_errors(self.incoming()).items():
                field = f"incoming_{name}"
                if field in self.fields and field not in self.errors:
                    self.add_error(field, message)
        return data

    def incoming(self) -> dict[str, Any]:
        """The person's facts, as the service takes them (``incoming=``)."""
        data = self.cleaned_data
        return {name: data.get(f"incoming_{name}") for name in INCOMING_FIELDS if f"incoming_{name}" in self.fields}

    def apply_kwargs(self) -> dict[str, Any]:
        """cleaned_data as members.transfers.transfer_apply takes it, for the chosen kind."""
        data = self.cleaned_data
        kind = data["kind"]
        kwargs: dict[str, Any] = {
            "kind": kind,
            "scope": data.get("scope") or "",
            "reason": data.get("reason") or "",
            "dues_paid_to": data.get("dues_paid_to"),
            "valid_until": data.get("valid_until"),
            "letter_no": data.get("letter_no") or "",
        }
        if kind == TransferKind.INTERNAL:
            kwargs.update(member=data.get("member"), to_org=data.get("to_org"))
        elif kind == TransferKind.OUT:
            kwargs.update(member=data.get("member"), to_name=data.get("to_name") or "")
        else:
            kwargs.update(to_org=data.get("in_org"), from_name=data.get("from_name") or "", incoming=self.incoming())
        return kwargs

    def service_errors(self, errors: dict[str, list[str]]) -> dict[str, list[str]]:
        """The service's keys as this form's fields (for partybuild.web.forms.add_service_errors):
        ``incoming.id_number`` is ``incoming_id_number``; a 从系统外转入's ``to_org`` is ``in_org``."""
        kind = self.cleaned_data.get("kind")
        moved: dict[str, list[str]] = {}
        for key, messages in errors.items():
            name = key
            if key.startswith("incoming."):
                name = f"incoming_{key.removeprefix('incoming.')}"
            elif key == "to_org" and kind == TransferKind.IN:
                name = "in_org"
            moved.setdefault(name, []).extend(messages)
        return moved

    def kind_sections(self) -> dict[str, list[forms.BoundField]]:
        return {kind: [self[name] for name in names] for kind, names in KIND_FIELDS.items()}


class ReasonForm(PortalForm):
    """The reason of a 退回 or 挂起 (the service says when it is missing)."""

    reason = forms.CharField(label="原因", max_length=200, required=False)

    def __init__(self, *args: Any, placeholder: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # ``required`` in the page: the browser asks for the reason before the confirmation; the
        # service still refuses a blank one.
        attrs = {"class": "form-control form-control-sm", "placeholder": placeholder, "required": True}
        self.fields["reason"].widget.attrs.update(attrs)


class InboxFilterForm(PortalForm):
    """The GET filters of the inbox, besides the tab. Invalid values are ignored."""

    kind = forms.ChoiceField(label="转接类型", required=False, choices=[("", "全部类型"), *TransferKind.choices])
    q = forms.CharField(label="姓名", required=False, max_length=50)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["q"].widget.attrs.update({"class": "form-control form-control-sm", "placeholder": "党员姓名"})

    def values(self) -> tuple[str, str]:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return data.get("kind") or "", (data.get("q") or "").strip()
