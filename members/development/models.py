"""发展党员: one person's way from the application to full membership, and the rule table.

Gathered by ``members/models.py`` (so Django finds the models in the ``members`` app). The writes,
with the rules they check, are in ``members/development/services/``; the reads in
``members/development/selectors.py``.

A ``DevelopmentRecord`` belongs to a 党支部 and holds the person's roster facts from the
application on, so they are typed once: when the 党委 approves the admission, the roster member
is created from them. Each stage's dates and facts are fields of the record; the deadlines that
follow from them (talk due, eligible as 发展对象, approval due, end of the 预备期) are computed from
the rules when the stage is recorded and stored, so a later change to the rule table does not move
a deadline that has already been set. Records are never deleted: they end as 正式党员, 终止培养
or 取消预备党员资格, and every change is kept by django-simple-history.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from branches.models import OrgKind
from members.roster.choices import Education, Gender
from members.roster.models import Member
from members.roster.validators import id_number_birth_date, id_number_gender, mask_id_number, validate_id_number, validate_phone
from partybuild.periods import add_months, add_years

__all__ = [
    "OPEN_STAGES",
    "RULE_UNITS",
    "Cultivator",
    "DevelopmentRecord",
    "DevelopmentRule",
    "DevelopmentStage",
    "RuleKey",
    "RuleUnit",
]


class DevelopmentStage(models.TextChoices):
    APPLICANT = "applicant", "入党申请人"
    ACTIVIST = "activist", "入党积极分子"
    CANDIDATE = "candidate", "发展对象"
    PROBATIONARY = "probationary", "预备党员"
    FULL = "full", "正式党员"
    TERMINATED = "terminated", "终止培养"
    DISQUALIFIED = "disqualified", "取消预备党员资格"
    # A 预备党员 whose 组织关系 went out of the portal (转出系统外): the record ends here; the
    # receiving organization keeps the 预备期 going.
    TRANSFERRED_OUT = "transferred_out", "组织关系已转出"


# The date a record entered its stage, per stage.
STAGE_ENTERED = {
    DevelopmentStage.APPLICANT: "applied_on",
    DevelopmentStage.ACTIVIST: "activist_on",
    DevelopmentStage.CANDIDATE: "candidate_on",
    DevelopmentStage.PROBATIONARY: "approved_on",
    DevelopmentStage.FULL: "confirmation_approved_on",
    DevelopmentStage.TERMINATED: "ended_on",
    DevelopmentStage.DISQUALIFIED: "ended_on",
    DevelopmentStage.TRANSFERRED_OUT: "ended_on",
}


# The stages of a record still under way; a person has at most one such record.
OPEN_STAGES = (
    DevelopmentStage.APPLICANT,
    DevelopmentStage.ACTIVIST,
    DevelopmentStage.CANDIDATE,
    DevelopmentStage.PROBATIONARY,
)


class RuleUnit(models.TextChoices):
    YEAR = "year", "年"
    MONTH = "month", "个月"
    DAY = "day", "天"
    WORKING_DAY = "working_day", "个工作日"
    CLASS_HOUR = "class_hour", "学时"
    PERSON = "person", "人"
    TIMES = "times", "次"


class RuleKey(models.TextChoices):
    MIN_AGE = "min_age", "申请入党最低年龄"
    TALK_WITHIN = "talk_within", "收到入党申请后谈话期限"
    CULTIVATORS_MIN = "cultivators_min", "培养联系人最少人数"
    CULTIVATORS_MAX = "cultivators_max", "培养联系人最多人数"
    ACTIVIST_MIN = "activist_min", "入党积极分子最短培养考察期"
    TRAINING_MIN_DAYS = "training_min_days", "发展对象集中培训最少天数"
    TRAINING_MIN_HOURS = "training_min_hours", "发展对象集中培训最少学时"
    PUBLICITY_MIN = "publicity_min", "发展对象公示最短期限"
    APPROVAL_WITHIN = "approval_within", "党委审批期限"
    APPROVAL_WITHIN_SPECIAL = "approval_within_special", "特殊情况党委审批最长期限"
    PROBATION = "probation", "预备期"
    EXTENSION_MIN = "extension_min", "延长预备期最短"
    EXTENSION_MAX = "extension_max", "延长预备期最长（累计）"
    EXTENSION_TIMES = "extension_times", "延长预备期最多次数"


# The units each rule may be expressed in (the services read the value in that unit).
RULE_UNITS: dict[str, tuple[str, ...]] = {
    RuleKey.MIN_AGE: (RuleUnit.YEAR,),
    RuleKey.TALK_WITHIN: (RuleUnit.MONTH, RuleUnit.DAY),
    RuleKey.CULTIVATORS_MIN: (RuleUnit.PERSON,),
    RuleKey.CULTIVATORS_MAX: (RuleUnit.PERSON,),
    RuleKey.ACTIVIST_MIN: (RuleUnit.YEAR, RuleUnit.MONTH),
    RuleKey.TRAINING_MIN_DAYS: (RuleUnit.DAY,),
    RuleKey.TRAINING_MIN_HOURS: (RuleUnit.CLASS_HOUR,),
    RuleKey.PUBLICITY_MIN: (RuleUnit.WORKING_DAY, RuleUnit.DAY),
    RuleKey.APPROVAL_WITHIN: (RuleUnit.MONTH, RuleUnit.DAY),
    RuleKey.APPROVAL_WITHIN_SPECIAL: (RuleUnit.MONTH, RuleUnit.DAY),
    RuleKey.PROBATION: (RuleUnit.YEAR, RuleUnit.MONTH),
    RuleKey.EXTENSION_MIN: (RuleUnit.MONTH,),
    RuleKey.EXTENSION_MAX: (RuleUnit.MONTH,),
    RuleKey.EXTENSION_TIMES: (RuleUnit.TIMES,),
}


class DevelopmentRule(models.Model):
    """One number of the development rules, as data (seeded by migration 0009): e.g. 谈话期限 1 个月,
    公示 5 个工作日. The services read the table each time a stage is recorded."""

    key = models.CharField("规则", max_length=40, choices=RuleKey.choices, unique=True)
    value = models.PositiveSmallIntegerField("数值")
    unit = models.CharField("单位", max_length=20, choices=RuleUnit.choices)
    basis = models.CharField("依据", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "发展党员规则"
        verbose_name_plural = "发展党员规则"
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.get_key_display()}：{self.text}"

    @property
    def text(self) -> str:
        """The number as users read it: 1个月, 5个工作日, 18周岁."""
        if self.key == RuleKey.MIN_AGE:
            return f"{self.value}周岁"
        return f"{self.value}{self.get_unit_display()}"

    def shift(self, day: datetime.date) -> datetime.date:
        """``day`` moved forward by this rule's period (years, months or calendar days)."""
        if self.unit == RuleUnit.YEAR:
            return add_years(day, self.value)
        if self.unit == RuleUnit.MONTH:
            return add_months(day, self.value)
        if self.unit == RuleUnit.DAY:
            return day + datetime.timedelta(days=self.value)
        raise ValueError(f"rule {self.key} in {self.unit} is not a period")

    def clean(self) -> None:
        allowed = RULE_UNITS.get(self.key, ())
        if self.unit and allowed and self.unit not in allowed:
            labels = "、".join(RuleUnit(u).label for u in allowed)
            raise ValidationError({"unit": f"该规则的单位只能是：{labels}。"})


# A 支部党员大会 vote (接收预备党员, then 转正) is six columns of the record under a prefix
# (``admission_``, ``confirmation_``): one definition here, for the model, its forms, serializers,
# services and timeline. The arguments are the names the forms, API and services use (``for`` is a
# Python keyword); the parts are the column suffixes.
VOTE_PARTS: dict[str, str] = {
    "voted_on": "voted_on",
    "entitled": "entitled",
    "present": "present",
    "votes_for": "for",
    "votes_against": "against",
    "abstentions": "abstain",
}


def vote_columns(prefix: str) -> dict[str, str]:
    """Each vote argument's column: ``vote_columns("admission")["votes_for"] == "admission_for"``."""
    return {argument: f"{prefix}_{part}" for argument, part in VOTE_PARTS.items()}


def vote_fields(
    date_label: str, count_label_prefix: str = ""
) -> tuple[
    models.DateField,
    models.PositiveSmallIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveSmallIntegerField,
]:
    """The six columns of a vote, in the order of VOTE_PARTS."""

    def count(label: str) -> models.PositiveSmallIntegerField:
        return models.PositiveSmallIntegerField(f"{count_label_prefix}{label}", null=True, blank=True)

    return (
        models.DateField(date_label, null=True, blank=True),
        count("应到会有表决权的正式党员"),
        count("实到会有表决权的正式党员"),
        count("赞成"),
        count("反对"),
        count("弃权"),
    )


def vote_constraint(prefix: str) -> models.CheckConstraint:
    """No more present than entitled to vote."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{prefix}_present__isnull": True})
        | models.Q(**{f"{prefix}_present__lte": models.F(f"{prefix}_entitled")}),
        name=f"development_{prefix}_present_not_above_entitled",
        violation_error_message="到会人数不能多于应到会人数。",
    )


class DevelopmentRecord(models.Model):
    """发展党员 record of one person in one 党支部 (see the module docstring)."""

    branch = models.ForeignKey(
        "branches.Organization", on_delete=models.PROTECT, related_name="development_records", verbose_name="党支部"
    )
    stage = models.CharField(
        "所处阶段", max_length=20, choices=DevelopmentStage.choices, default=DevelopmentStage.APPLICANT, db_index=True
    )

    # 个人信息: copied to the roster when the person is admitted as a 预备党员.
    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    id_number = models.CharField("公民身份号码", max_length=18, db_index=True)
    birth_date = models.DateField("出生日期")
    ethnicity = models.CharField("民族", max_length=20, default="汉族")
    education = models.CharField("学历", max_length=30, choices=Education.choices, blank=True)
    phone = models.CharField("手机号码", max_length=20, blank=True, validators=[validate_phone])
    work_unit_position = models.CharField("工作单位及职务", max_length=200, blank=True)

    # 入党申请人
    applied_on = models.DateField("入党申请日期")
    talk_due_on = models.DateField("谈话期限")
    talked_on = models.DateField("谈话日期", null=True, blank=True)
    talked_by = models.CharField("谈话人", max_length=100, blank=True)

    # 入党积极分子
    activist_on = models.DateField("确定为入党积极分子日期", null=True, blank=True)
    candidate_eligible_on = models.DateField("可列为发展对象日期", null=True, blank=True)

    # 发展对象
    candidate_on = models.DateField("确定为发展对象日期", null=True, blank=True)
    political_review_on = models.DateField("政治审查日期", null=True, blank=True)
    political_review_conclusion = models.CharField("政治审查结论", max_length=200, blank=True)
    training_started_on = models.DateField("集中培训开始日期", null=True, blank=True)
    training_ended_on = models.DateField("集中培训结束日期", null=True, blank=True)
    training_days = models.PositiveSmallIntegerField("集中培训天数", null=True, blank=True)
    training_hours = models.PositiveSmallIntegerField("集中培训学时", null=True, blank=True)
    publicity_started_on = models.DateField("公示开始日期", null=True, blank=True)
    publicity_ended_on = models.DateField("公示结束日期", null=True, blank=True)
    publicity_working_days = models.PositiveSmallIntegerField("公示工作日数", null=True, blank=True)
    pre_reviewed_on = models.DateField("党委预审日期", null=True, blank=True)

    # 支部党员大会讨论接收预备党员
    (admission_voted_on, admission_entitled, admission_present, admission_for, admission_against, admission_abstain) = (
        vote_fields("支部党员大会日期")
    )
    approval_due_on = models.DateField("党委审批期限", null=True, blank=True)
    approved_on = models.DateField("党委审批日期", null=True, blank=True)

    # 预备期
    probation_ends_on = models.DateField("预备期满日期", null=True, blank=True)
    extension_count = models.PositiveSmallIntegerField("延长预备期次数", default=0)
    extension_months = models.PositiveSmallIntegerField("延长预备期（月，累计）", default=0)
    extension_decided_on = models.DateField("延长预备期决定日期", null=True, blank=True)
    extension_reason = models.CharField("延长预备期原因", max_length=200, blank=True)

    # 支部党员大会讨论转正
    (
        confirmation_voted_on,
        confirmation_entitled,
        confirmation_present,
        confirmation_for,
        confirmation_against,
        confirmation_abstain,
    ) = vote_fields("转正支部党员大会日期", "转正：")
    confirmation_approval_due_on = models.DateField("转正审批期限", null=True, blank=True)
    confirmation_approved_on = models.DateField("转正审批日期", null=True, blank=True)

    # 终止培养 / 取消预备党员资格
    ended_on = models.DateField("终止日期", null=True, blank=True)
    end_reason = models.CharField("终止原因", max_length=200, blank=True)

    member = models.OneToOneField(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="development_record",
        verbose_name="党员花名册记录",
    )
    # Rules met late with a reason: [{"rule", "rule_label", "detail", "reason", "on", "recorded_on"}].
    exceptions = models.JSONField("例外情况", default=list, blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="登记人")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "发展党员记录"
        verbose_name_plural = "发展党员记录"
        ordering = ["branch", "applied_on", "pk"]
        indexes = [models.Index(fields=["branch", "stage"])]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"],
                condition=models.Q(stage__in=OPEN_STAGES),
                name="unique_open_development_record",
                violation_error_message="该公民身份号码已有正在进行的发展党员记录。",
            ),
            vote_constraint("admission"),
            vote_constraint("confirmation"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_stage_display()}）"

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    def age_on(self, day: datetime.date) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))

    def vote_store(self, prefix: str, **vote: Any) -> None:
        """Set the vote under ``prefix`` from its arguments (voted_on, entitled, … abstentions)."""
        for argument, column in vote_columns(prefix).items():
            setattr(self, column, vote[argument])

    def vote_counts(self, prefix: str) -> tuple[int | None, ...]:
        """The vote's numbers: entitled, present, for, against, abstain."""
        return tuple(getattr(self, column) for argument, column in vote_columns(prefix).items() if argument != "voted_on")

    def exceptions_for(self, rule: str) -> list[dict[str, Any]]:
        return [e for e in self.exceptions if e.get("rule") == rule]

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.id_number:
            try:
                self.id_number = validate_id_number(self.id_number)
            except ValidationError as exc:
                errors["id_number"] = exc.messages[0]
            else:
                birth = id_number_birth_date(self.id_number)
                if self.birth_date and birth and birth != self.birth_date:
                    errors["birth_date"] = f"出生日期与公民身份号码不符（号码中为{birth:%Y-%m-%d}）。"
                if self.gender and self.gender != id_number_gender(self.id_number):
                    errors["gender"] = "性别与公民身份号码不符（第17位奇数为男，偶数为女）。"
        if self.branch_id and self.branch.kind != OrgKind.BRANCH:
            errors["branch"] = "发展党员记录须属于党支部，不能是党委、党总支或党小组。"
        if errors:
            raise ValidationError(errors)


class Cultivator(models.Model):
    """培养联系人 of an 入党积极分子: a member on the roster, or a name (a 正式党员 not in the portal)."""

    record = models.ForeignKey(
        DevelopmentRecord, on_delete=models.PROTECT, related_name="cultivators", verbose_name="发展党员记录"
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="cultivating", verbose_name="党员"
    )
    name = models.CharField("姓名", max_length=50, blank=True, help_text="不在本系统花名册中的培养联系人")
    assigned_on = models.DateField("指定日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "培养联系人"
        verbose_name_plural = "培养联系人"
        ordering = ["record", "assigned_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(member__isnull=False) & models.Q(name=""))
                | (models.Q(member__isnull=True) & ~models.Q(name="")),
                name="cultivator_member_or_name",
                violation_error_message="培养联系人须选择党员或填写姓名（二者选一）。",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.member.name if self.member_id else self.name
