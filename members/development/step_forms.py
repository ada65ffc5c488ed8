"""Forms of the 发展党员 pages that move a record on: the new application, and one small form per
stage service, with the steps the record page offers next (``next_steps``).

The forms clean and normalize; the services in ``members.development`` decide. Most fields are
optional here on purpose: a missing date or number reaches the service, whose refusal ("请填写谈话
日期。") is shown next to the field with the service's own words. Each stage form's fields are
named as the service's keyword arguments, so its ValidationError lands next to the right field.

The forms that correct what is already recorded are members.development.correction_forms.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django import forms

from branches.fields import OrgChoiceField
from branches.models import Organization, OrgKind, OrgStatus
from branches.selectors import writable_orgs
from members.development import services
from members.development.models import DevelopmentRecord, DevelopmentStage
from members.roster.choices import Education, Gender, MemberState, MemberType
from members.roster.models import Member
from partybuild.accounts.models import User
from partybuild.web.forms import DateInput, PortalForm

_NAME_SPLIT = re.compile(r"[、，,；;\s]+")


class ApplicationForm(PortalForm):
    """入党申请: the 党支部 that receives it, the person's facts and the application date."""

    branch = OrgChoiceField(label="受理党支部", queryset=Organization.objects.none(), empty_label="—— 请选择党支部 ——")
    applied_on = forms.DateField(label="入党申请日期", widget=DateInput, required=False)
    name = forms.CharField(label="姓名", max_length=50, required=False)
    id_number = forms.CharField(label="公民身份号码", max_length=40, required=False, help_text="18位，最后一位可为X。")
    gender = forms.ChoiceField(label="性别", required=False, choices=[("", "按身份证号自动识别"), *Gender.choices])
    birth_date = forms.DateField(label="出生日期", required=False, widget=DateInput, help_text="留空则按身份证号填写。")
    ethnicity = forms.CharField(label="民族", max_length=20, initial="汉族")
    education = forms.ChoiceField(label="学历", required=False, choices=[("", "—— 请选择 ——"), *Education.choices])
    phone = forms.CharField(label="手机号码", max_length=20, required=False)
    work_unit_position = forms.CharField(label="工作单位及职务", max_length=200, required=False)

    SHOWN_REQUIRED = ("applied_on", "name", "id_number")

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = writable_orgs(user).filter(kind=OrgKind.BRANCH, status=OrgStatus.ACTIVE).order_by("path")
        for name in self.SHOWN_REQUIRED:
            self.fields[name].show_required = True  # type: ignore[attr-defined]
        self.fields["id_number"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def service_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class StepForm(PortalForm):
    """One stage service's form. ``title`` is what the page calls it; ``service`` what it calls."""

    title = ""
    button = "登记"
    service: Callable[..., DevelopmentRecord]
    # Fields where the rule allows a late step with a reason (shown with a hint).
    reason_hint = ""

    def __init__(self, *args: Any, record: DevelopmentRecord, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.record = record

    def service_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)

    def submit(self, actor: User) -> DevelopmentRecord:
        return type(self).service(record=self.record, actor=actor, **self.service_kwargs())


def _date(label: str, **kwargs: Any) -> forms.DateField:
    field = forms.DateField(label=label, widget=DateInput, required=False, **kwargs)
    field.show_required = True  # type: ignore[attr-defined]
    return field


def _count(label: str) -> forms.IntegerField:
    field = forms.IntegerField(label=label, required=False, min_value=0, max_value=10000)
    field.show_required = True  # type: ignore[attr-defined]
    return field


def _text(label: str, *, required: bool = True, help_text: str = "", rows: int = 0) -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput
    field = forms.CharField(label=label, max_length=200, required=False, help_text=help_text, widget=widget)
    field.show_required = required  # type: ignore[attr-defined]
    return field


class TalkForm(StepForm):
    title = "谈话"
    service = staticmethod(services.development_talk_record)
    talked_on = _date("谈话日期")
    talked_by = _text("谈话人")
    reason = _text("超过期限的原因", required=False, help_text="谈话晚于期限时必填，记入例外情况。")


class ActivistForm(StepForm):
    title = "确定为入党积极分子"
    service = staticmethod(services.development_activist_record)
    activist_on = _date("确定为入党积极分子日期")
    cultivators = forms.ModelMultipleChoiceField(
        label="培养联系人（本支部正式党员）",
        queryset=Member.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    cultivator_names = _text(
        "其他培养联系人", required=False, help_text="不在本系统花名册中的正式党员，填写姓名，多人以顿号分隔。"
    )

    def __init__(self, *args: Any, record: DevelopmentRecord, **kwargs: Any) -> None:
        super().__init__(*args, record=record, **kwargs)
        self.fields["cultivators"].queryset = Member.objects.filter(
            branch_id=record.branch_id, member_type=MemberType.FULL, state=MemberState.NORMAL
        ).order_by("name", "pk")
        self.fields["cultivators"].show_required = True  # type: ignore[attr-defined]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        names = [n for n in _NAME_SPLIT.split(data.get("cultivator_names") or "") if n]
        return {"activist_on": data.get("activist_on"), "cultivators": [*data.get("cultivators", []), *names]}


class CandidateForm(StepForm):
    title = "列为发展对象"
    service = staticmethod(services.development_candidate_record)
    candidate_on = _date("确定为发展对象日期")


class PoliticalReviewForm(StepForm):
    title = "政治审查"
    service = staticmethod(services.development_political_review_record)
    reviewed_on = _date("政治审查日期")
    conclusion = _text("政治审查结论")


class TrainingForm(StepForm):
    title = "短期集中培训"
    service = staticmethod(services.development_training_record)
    started_on = _date("培训开始日期")
    ended_on = _date("培训结束日期")
    days = forms.IntegerField(label="培训天数", required=False, min_value=0, max_value=365)
    class_hours = forms.IntegerField(
        label="培训学时", required=False, min_value=0, max_value=2000, help_text="天数、学时至少填一项。"
    )


class PublicityForm(StepForm):
    title = "公示"
    service = staticmethod(services.development_publicity_record)
    started_on = _date("公示开始日期")
    ended_on = _date("公示结束日期", help_text="公示尚未结束时可填预定结束日期。")


class PreReviewForm(StepForm):
    title = "党委预审"
    service = staticmethod(services.development_pre_review_record)
    pre_reviewed_on = _date("党委预审日期")


class VoteForm(StepForm):
    button = "登记表决结果"
    voted_on = _date("支部党员大会日期")
    entitled = _count("应到会有表决权的正式党员")
    present = _count("实到会有表决权的正式党员")
    votes_for = _count("赞成")
    votes_against = _count("反对")
    abstentions = _count("弃权")


class AdmissionVoteForm(VoteForm):
    title = "支部党员大会表决（接收预备党员）"
    service = staticmethod(services.development_admission_vote_record)


class ConfirmationVoteForm(VoteForm):
    title = "支部党员大会表决（预备党员转正）"
    service = staticmethod(services.development_confirmation_vote_record)


class AdmissionApproveForm(StepForm):
    title = "党委审批（接收为预备党员）"
    button = "登记审批"
    service = staticmethod(services.development_admission_approve)
    approved_on = _date("党委审批日期")
    reason = _text("超过审批期限的特殊情况", required=False, help_text="超过审批期限时必填，记入例外情况。")


class ConfirmForm(StepForm):
    title = "党委审批（转为正式党员）"
    button = "登记审批"
    service = staticmethod(services.development_confirm)
    approved_on = _date("转正审批日期")
    reason = _text("超过审批期限的特殊情况", required=False, help_text="超过审批期限时必填，记入例外情况。")


class ExtendForm(StepForm):
    title = "延长预备期"
    button = "延长预备期"
    service = staticmethod(services.development_probation_extend)
    decided_on = _date("决定日期")
    months = forms.IntegerField(label="延长月数", required=False, min_value=0, max_value=120)
    reason = _text("延长原因", rows=2)

    def __init__(self, *args: Any, record: DevelopmentRecord, **kwargs: Any) -> None:
        super().__init__(*args, record=record, **kwargs)
        self.fields["months"].show_required = True  # type: ignore[attr-defined]


class ProbationCancelForm(StepForm):
    title = "取消预备党员资格"
    button = "取消预备党员资格"
    service = staticmethod(services.development_probation_cancel)
    decided_on = _date("决定日期")
    reason = _text("原因", rows=2)


class TerminateForm(StepForm):
    title = "终止培养"
    button = "终止培养"
    service = staticmethod(services.development_terminate)
    ended_on = _date("终止日期")
    reason = _text("终止原因", rows=2)


# The step names of ``development:step``, each with its form (and so its service).
STEP_FORMS: dict[str, type[StepForm]] = {
    "talk": TalkForm,
    "activist": ActivistForm,
    "candidate": CandidateForm,
    "political_review": PoliticalReviewForm,
    "training": TrainingForm,
    "publicity": PublicityForm,
    "pre_review": PreReviewForm,
    "admission_vote": AdmissionVoteForm,
    "admission_approve": AdmissionApproveForm,
    "confirmation_vote": ConfirmationVoteForm,
    "confirm": ConfirmForm,
    "extend": ExtendForm,
    "probation_cancel": ProbationCancelForm,
    "terminate": TerminateForm,
}


# Steps that end a record: shown apart from the next steps, in a quieter box.
ENDING_STEPS = ("terminate", "probation_cancel")


def next_steps(record: DevelopmentRecord) -> list[str]:
    """The steps the page offers for the record as it stands, in the order they come. The services
    still decide: a step offered here can be refused (e.g. 预审 before the 公示 has ended)."""
    stage = record.stage
    steps: list[str] = []
    if stage == DevelopmentStage.APPLICANT:
        steps.append("activist" if record.talked_on else "talk")
    elif stage == DevelopmentStage.ACTIVIST:
        steps.append("candidate")
    elif stage == DevelopmentStage.CANDIDATE:
        if record.admission_voted_on:
            steps.append("admission_approve")
        elif record.pre_reviewed_on:
            steps.append("admission_vote")
        else:
            missing = [
                step
                for step, done in (
                    ("political_review", record.political_review_on),
                    ("training", record.training_ended_on),
                    ("publicity", record.publicity_ended_on),
                )
                if done is None
            ]
            steps.extend(missing)
            steps.append("pre_review")
    elif stage == DevelopmentStage.PROBATIONARY:
        if record.confirmation_voted_on:
            steps.append("confirm")
        else:
            # Offered even after an extension: the rule table says how many are allowed, and
            # the service refuses one too many with the rule's words.
            steps.extend(["confirmation_vote", "extend"])
    if stage in (DevelopmentStage.APPLICANT, DevelopmentStage.ACTIVIST, DevelopmentStage.CANDIDATE):
        steps.append("terminate")
    elif stage == DevelopmentStage.PROBATIONARY:
        steps.append("probation_cancel")
    return steps
