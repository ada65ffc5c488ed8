"""Forms for the organization pages. They clean input; the services in branches/services.py decide
what may change, and their ValidationErrors are put back on these forms by
``partybuild.web.forms.add_service_errors``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from branches.models import (
    ALLOWED_PARENT_KINDS,
    KINDS_WITH_TERM,
    Organization,
    OrgCategory,
    OrgKind,
    PositionTitle,
    TermLengthRule,
)
from branches.roster import Candidate
from partybuild.web.forms import DateInput, PortalForm

TERM_FIELDS = ("term_start", "term_years", "term_extended_until", "term_adjust_note")


def kinds_allowed_under(parent: Organization | None) -> list[str]:
    parent_kind = parent.kind if parent else None
    return [k.value for k in OrgKind if parent_kind in ALLOWED_PARENT_KINDS[k]]


class OrganizationForm(PortalForm):
    """Create or edit an organization. ``kinds`` limits the 类型 choices (to what may sit under the
    parent); the term fields are left off when none of those kinds has a term."""

    name = forms.CharField(label="全称", max_length=120)
    short_name = forms.CharField(label="简称", max_length=40)
    code = forms.CharField(label="党组织编码", max_length=40)
    kind = forms.ChoiceField(label="类型", choices=OrgKind.choices)
    category = forms.ChoiceField(label="单位类别", choices=OrgCategory.choices, initial=OrgCategory.GOVERNMENT)
    founded_on = forms.DateField(label="成立日期", required=False, widget=DateInput())
    contact_phone = forms.CharField(label="联系电话", max_length=30, required=False)
    address = forms.CharField(label="地址", max_length=200, required=False)
    term_start = forms.DateField(label="本届开始日期", required=False, widget=DateInput())
    # Its range (1-10 years) is the model's rule, reported by the service next to this field.
    term_years = forms.IntegerField(label="每届年限", required=False)
    term_extended_until = forms.DateField(
        label="经批准延期至", required=False, widget=DateInput(), help_text="仅在经批准延期换届时填写，一般不超过1年。"
    )
    term_adjust_note = forms.CharField(
        label="延期或提前换届批准情况", max_length=200, required=False, help_text="批准机关、文号、日期。"
    )

    def __init__(self, *args: Any, kinds: Iterable[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = list(kinds)
        self.fields["kind"].choices = [(k, OrgKind(k).label) for k in kinds]
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0]
        self.has_term_fields = any(k in KINDS_WITH_TERM for k in kinds)
        if not self.has_term_fields:
            for name in TERM_FIELDS:
                del self.fields[name]
            self.term_rules: dict[str, int] = {}
            return
        # For the placeholder of 每届年限 (and the script that updates it when 类型 changes).
        self.term_rules = {f"{r.kind}|{r.category}": r.years for r in TermLengthRule.objects.all()}
        kind = self._value("kind") or (kinds[0] if kinds else "")
        years = self.default_years(kind, self._value("category") or "")
        self.fields["term_years"].widget.attrs["placeholder"] = f"默认{years}年" if years else "该类型不设届期"
        self.fields["term_years"].help_text = "留空按规定年限：党委5年，党总支、党支部3年（街道社区、乡镇农村5年）。"

    def _value(self, name: str) -> str:
        if self.is_bound:
            return str(self.data.get(self.add_prefix(name), "") or "")
        return str(self.initial.get(name) or self.fields[name].initial or "")

    def default_years(self, kind: str, category: str) -> int | None:
        if kind not in KINDS_WITH_TERM:
            return None
        return self.term_rules.get(f"{kind}|{category}") or self.term_rules.get(f"{kind}|")

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()


class _OrgSelect(forms.Select):
    """A select whose options for organizations that cannot be chosen are shown but disabled."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.disabled_values: set[str] = set()

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        if str(value) in self.disabled_values:
            option["attrs"]["disabled"] = True
        return option


class _OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return f"{'　' * (obj.depth - 1)}{obj.name}（{obj.get_kind_display()}）"


class MoveForm(PortalForm):
    parent = _OrgChoiceField(
        label="新的上级党组织", queryset=Organization.objects.none(), empty_label="请选择", widget=_OrgSelect
    )

    def __init__(self, *args: Any, org: Organization, targets: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["parent"]
        field.queryset = targets
        # Shown for orientation, but not choosable: the organization's own subtree, its current
        # parent, and kinds it may not sit under. The service checks the same rules on submit.
        allowed = ALLOWED_PARENT_KINDS[org.kind]
        current_parent_path = org.path[: -Organization.steplen]
        field.widget.disabled_values = {
            str(t.pk) for t in targets if t.path.startswith(org.path) or t.path == current_parent_path or t.kind not in allowed
        }


class DissolveForm(PortalForm):
    dissolved_on = forms.DateField(label="撤销日期", widget=DateInput())
    dissolve_reason = forms.CharField(
        label="撤销原因",
        max_length=200,
        error_messages={"required": "请填写撤销原因。"},
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dissolved_on"].initial = timezone.localdate()

    def clean_dissolve_reason(self) -> str:
        reason = self.cleaned_data["dissolve_reason"].strip()
        if not reason:
            raise ValidationError("请填写撤销原因。")
        return reason


class _MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Candidate) -> str:
        return f"{obj.name}（{obj.branch.short_name}）"


class PositionForm(PortalForm):
    title = forms.ChoiceField(label="职务", choices=PositionTitle.choices)
    member = _MemberChoiceField(label="党员", queryset=None, empty_label="请选择")  # the candidates: set in __init__
    started_on = forms.DateField(label="任职日期", widget=DateInput())
    trained_on = forms.DateField(
        label="最近培训日期", required=False, widget=DateInput(), help_text="书记应在任职6个月内参加培训，此后每年至少一次。"
    )

    def __init__(
        self, *args: Any, org: Organization, members: QuerySet[Any], shown: Iterable[Candidate] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["member"]
        # Every candidate is valid input; only ``shown`` (and the one chosen) are drawn as options:
        # a committee's subtree may hold 100,000 members. The search box loads others.
        field.queryset = members
        options = {m.pk: m for m in shown}
        chosen = self.data.get(self.add_prefix("member")) if self.is_bound else None
        if chosen and str(chosen).isdigit() and int(chosen) not in options:
            picked = members.filter(pk=int(chosen)).first()
            if picked is not None:
                options = {picked.pk: picked, **options}
        field.widget.choices = [("", "请选择")] + [(pk, field.label_from_instance(m)) for pk, m in options.items()]
        if org.kind == OrgKind.GROUP:
            titles = [PositionTitle.GROUP_LEADER]
        else:
            titles = [t for t in PositionTitle if t != PositionTitle.GROUP_LEADER]
        self.fields["title"].choices = [(t.value, t.label) for t in titles]


class PositionEndForm(PortalForm):
    ended_on = forms.DateField(label="离任日期", widget=DateInput())
    end_reason = forms.CharField(label="离任原因", max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ended_on"].initial = timezone.localdate()
