"""Forms of the 发展党员 record page that correct what is already recorded: the person's facts
(``PersonForm``, ``development:person``) and a recorded stage fact sent again (``CorrectionForm``
and one per fact, ``development:correct``), each prefilled with what is recorded and asking for the
reason the change history keeps.

The forms of the steps themselves (which these corrections reuse) are members.development.step_forms.
"""

from __future__ import annotations

from typing import Any

from django import forms

from members.development import services
from members.development.models import DevelopmentRecord
from members.development.step_forms import (
    AdmissionVoteForm,
    ConfirmationVoteForm,
    PoliticalReviewForm,
    PreReviewForm,
    PublicityForm,
    StepForm,
    TalkForm,
    TrainingForm,
)
from members.roster.choices import Education, Gender
from partybuild.accounts.models import User
from partybuild.web.forms import DateInput, PortalForm

# A correction's reason goes to the change history (a text column) behind its prefix, e.g.
# "更正支部党员大会表决结果（接收预备党员）：": as long as the reasons the record itself keeps.
CORRECTION_REASON_MAX = 200


def _reason(label: str) -> forms.CharField:
    field = forms.CharField(label=label, max_length=CORRECTION_REASON_MAX, required=False, help_text="记入变更记录。")
    field.show_required = True  # type: ignore[attr-defined]
    field.wide = True  # type: ignore[attr-defined]
    return field


class PersonForm(PortalForm):
    """修改个人信息 (``development_person_update``): the person's facts prefilled, a reason
    required. The service changes only what differs, so a new 公民身份号码 brings its own birth
    date and gender unless those were changed too; it refuses a form with nothing changed."""

    title = "修改个人信息"
    button = "保存修改"
    name = forms.CharField(label="姓名", max_length=50, required=False)
    gender = forms.ChoiceField(label="性别", required=False, choices=[("", "按身份证号自动识别"), *Gender.choices])
    id_number = forms.CharField(
        label="公民身份号码", max_length=40, required=False, help_text="改号码时，未改动的出生日期、性别按新号码填写。"
    )
    birth_date = forms.DateField(label="出生日期", required=False, widget=DateInput)
    ethnicity = forms.CharField(label="民族", max_length=20, required=False)
    education = forms.ChoiceField(label="学历", required=False, choices=[("", "—— 请选择 ——"), *Education.choices])
    phone = forms.CharField(label="手机号码", max_length=20, required=False)
    work_unit_position = forms.CharField(label="工作单位及职务", max_length=200, required=False)
    change_reason = _reason("修改原因")

    def __init__(self, *args: Any, record: DevelopmentRecord, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {name: getattr(record, name) for name in services.PERSON_FIELDS})
        super().__init__(*args, **kwargs)
        self.record = record
        for name in ("name", "id_number", "ethnicity"):
            self.fields[name].show_required = True  # type: ignore[attr-defined]
        self.fields["id_number"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        for name in ("id_number", "work_unit_position"):
            self.fields[name].wide = True  # type: ignore[attr-defined]

    def service_errors(self, errors: dict[str, list[str]]) -> dict[str, list[str]]:
        """The service's ``reason`` is this form's ``change_reason``. It refuses an age on the
        application date (``applied_on``): the birth date changed here caused it, or else the
        number it follows from, unless that number is refused itself (its birth date then means
        nothing)."""
        errors = dict(errors)
        if "reason" in errors:
            errors["change_reason"] = errors.pop("reason")
        age = errors.pop("applied_on", None)
        birth_date = self.cleaned_data.get("birth_date")
        if age and birth_date is not None and birth_date != self.record.birth_date:
            errors.setdefault("birth_date", age)
        elif age and "id_number" not in errors:
            errors["id_number"] = age
        return errors

    def submit(self, actor: User) -> DevelopmentRecord:
        """The service changes what differs from the record, and refuses a form with no reason,
        no 民族 or no change."""
        facts = {name: self.cleaned_data.get(name) for name in services.PERSON_FIELDS}
        return services.development_person_update(
            record=self.record, actor=actor, reason=self.cleaned_data.get("change_reason") or "", **facts
        )


class CorrectionForm(StepForm):
    """A recorded stage fact sent again, through ``development_correct``, to the service that
    recorded it, which accepts it until the step that relies on it (see ``offered``). Prefilled
    with what is recorded; the reason (kept in the history, in place of the service's "登记…") and
    a change are the service's to require. ``fact`` names it in ``services.CORRECTABLE_FACTS``."""

    button = "保存更正"
    fact = ""
    what = ""
    correction_reason = _reason("更正原因")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.what = services.CORRECTABLE_FACTS[cls.fact].what

    def __init__(self, *args: Any, record: DevelopmentRecord, **kwargs: Any) -> None:
        kwargs.setdefault("initial", services.CORRECTABLE_FACTS[self.fact].recorded_values(record))
        super().__init__(*args, record=record, **kwargs)

    @classmethod
    def offered(cls, record: DevelopmentRecord) -> bool:
        return services.CORRECTABLE_FACTS[cls.fact].open(record)

    def submit(self, actor: User) -> DevelopmentRecord:
        return services.development_correct(record=self.record, fact=self.fact, actor=actor, **self.service_kwargs())


class TalkCorrection(CorrectionForm, TalkForm):
    title = "更正谈话情况"
    fact = "talk"


class PoliticalReviewCorrection(CorrectionForm, PoliticalReviewForm):
    title = "更正政治审查"
    fact = "political_review"


class TrainingCorrection(CorrectionForm, TrainingForm):
    title = "更正集中培训"
    fact = "training"


class PublicityCorrection(CorrectionForm, PublicityForm):
    title = "更正公示"
    fact = "publicity"


class PreReviewCorrection(CorrectionForm, PreReviewForm):
    title = "更正党委预审日期"
    fact = "pre_review"


class AdmissionVoteCorrection(CorrectionForm, AdmissionVoteForm):
    title = "更正表决结果"
    fact = "admission_vote"


class ConfirmationVoteCorrection(CorrectionForm, ConfirmationVoteForm):
    title = "更正表决结果"
    fact = "confirmation_vote"


# The facts of ``development:correct``: each a recorded stage fact whose service accepts it again.
CORRECTION_FORMS: dict[str, type[CorrectionForm]] = {
    "talk": TalkCorrection,
    "political_review": PoliticalReviewCorrection,
    "training": TrainingCorrection,
    "publicity": PublicityCorrection,
    "pre_review": PreReviewCorrection,
    "admission_vote": AdmissionVoteCorrection,
    "confirmation_vote": ConfirmationVoteCorrection,
}


def person_editable(record: DevelopmentRecord) -> bool:
    """The person's facts can be corrected here while the record is under way and before the
    roster has them (then in the member's file)."""
    return record.is_open and record.member_id is None
