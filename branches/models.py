"""The organization tree, committee positions and terms (换届).

The tree is a treebeard materialized path: a subtree is one indexed ``path LIKE 'x%'``.
Organizations are never deleted; they are dissolved (撤销) with a date and a reason.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node

from branches.validators import validate_org_date
from partybuild.periods import add_months, add_years


class OrgKind(models.TextChoices):
    COMMITTEE = "committee", "党委"
    GENERAL_BRANCH = "general_branch", "党总支"
    BRANCH = "branch", "党支部"
    GROUP = "group", "党小组"


# Which kinds may sit directly under which (None = at the top of the tree).
ALLOWED_PARENT_KINDS: dict[str, set[str | None]] = {
    OrgKind.COMMITTEE: {None, OrgKind.COMMITTEE},
    OrgKind.GENERAL_BRANCH: {OrgKind.COMMITTEE},
    OrgKind.BRANCH: {OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH},
    OrgKind.GROUP: {OrgKind.BRANCH},
}

# Kinds that elect a committee and so have a term.
KINDS_WITH_TERM = {OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH}


class OrgCategory(models.TextChoices):
    GOVERNMENT = "government", "机关"
    INSTITUTION = "institution", "事业单位"
    STATE_ENTERPRISE = "state_enterprise", "国有企业"
    PRIVATE_ENTERPRISE = "private_enterprise", "非公企业"
    SOCIAL = "social", "社会组织"
    COMMUNITY = "community", "街道社区"
    VILLAGE = "village", "乡镇农村"


class TermStatus(models.TextChoices):
    NONE = "none", "无届期"
    NORMAL = "normal", "正常"
    DUE_SOON = "due_soon", "6个月内到期"
    OVERDUE = "overdue", "已超期"


class OrgStatus(models.TextChoices):
    ACTIVE = "active", "正常"
    DISSOLVED = "dissolved", "已撤销"


class TermLengthRule(models.Model):
    """How many years a committee is elected for, by kind and (optionally) category.

    Seeded from 支部工作条例 第二十一条 and the 党章: 党委 5 years; 党总支 and 党支部 3, but 5 for
    village and community organizations. Admins may change these.
    """

    kind = models.CharField("党组织类型", max_length=20, choices=OrgKind.choices)
    category = models.CharField(
        "单位类别", max_length=30, choices=OrgCategory.choices, blank=True, help_text="留空表示该类型的默认值"
    )
    years = models.PositiveSmallIntegerField("每届年限")

    class Meta:
        verbose_name = "届期规则"
        verbose_name_plural = "届期规则"
        constraints = [models.UniqueConstraint(fields=["kind", "category"], name="unique_term_rule")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_category_display() or '默认'}：{self.years}年"

    @classmethod
    def years_for(cls, kind: str, category: str) -> int | None:
        if kind not in KINDS_WITH_TERM:
            return None
        rules = {(r.kind, r.category): r.years for r in cls.objects.filter(kind=kind)}
        return rules.get((kind, category)) or rules.get((kind, ""))


class Organization(MP_Node):
    steplen = 4
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    node_order_by: list[str] = []

    name = models.CharField("全称", max_length=120)
    short_name = models.CharField("简称", max_length=40)
    code = models.CharField("党组织编码", max_length=40, unique=True, error_messages={"unique": "该党组织编码已被使用。"})
    kind = models.CharField("类型", max_length=20, choices=OrgKind.choices)
    category = models.CharField("单位类别", max_length=30, choices=OrgCategory.choices, default=OrgCategory.GOVERNMENT)
    founded_on = models.DateField("成立日期", null=True, blank=True, validators=[validate_org_date])
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)

    status = models.CharField("状态", max_length=20, choices=OrgStatus.choices, default=OrgStatus.ACTIVE)
    dissolved_on = models.DateField("撤销日期", null=True, blank=True)
    dissolve_reason = models.CharField("撤销原因", max_length=200, blank=True)

    term_start = models.DateField("本届开始日期", null=True, blank=True, validators=[validate_org_date])
    term_years = models.PositiveSmallIntegerField(
        "每届年限",
        null=True,
        blank=True,
        validators=[MinValueValidator(1, "每届年限至少1年。"), MaxValueValidator(10, "每届年限不超过10年。")],
    )
    term_end = models.DateField("本届届满日期", null=True, blank=True, editable=False)
    term_extended_until = models.DateField("经批准延期至", null=True, blank=True, validators=[validate_org_date])
    term_adjust_note = models.CharField("延期或提前换届批准情况", max_length=200, blank=True)
    term_status = models.CharField("换届状态", max_length=20, choices=TermStatus.choices, default=TermStatus.NONE, db_index=True)

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords(excluded_fields=["path", "depth", "numchild", "term_status", "updated_at"])

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"
        indexes = [models.Index(fields=["kind"]), models.Index(fields=["term_end"])]

    def __str__(self) -> str:
        return self.name

    # --- terms ------------------------------------------------------------------------------
    @property
    def has_term(self) -> bool:
        return self.kind in KINDS_WITH_TERM

    @property
    def effective_term_end(self) -> datetime.date | None:
        return self.term_extended_until or self.term_end

    def compute_term_end(self) -> datetime.date | None:
        if not self.has_term or not self.term_start or not self.term_years:
            return None
        return add_years(self.term_start, self.term_years)

    def compute_term_status(self, today: datetime.date, warning_months: int = 6) -> str:
        end = self.effective_term_end
        if not self.has_term or end is None or self.status != OrgStatus.ACTIVE:
            return TermStatus.NONE
        if end < today:
            return TermStatus.OVERDUE
        if end <= add_months(today, warning_months):
            return TermStatus.DUE_SOON
        return TermStatus.NORMAL

    @property
    def is_active(self) -> bool:
        return self.status == OrgStatus.ACTIVE

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.term_extended_until and self.term_end:
            if self.term_extended_until <= self.term_end:
                errors["term_extended_until"] = "延期日期必须晚于本届届满日期。"
            elif self.term_extended_until > add_years(self.term_end, 1):
                errors["term_extended_until"] = "延期换届一般不超过1年。"
            if not self.term_adjust_note:
                errors["term_adjust_note"] = "延期换届须填写批准情况。"
        if self.term_extended_until and not self.term_end:
            errors["term_extended_until"] = "请先填写本届开始日期和每届年限。"
        if self.kind == OrgKind.GROUP and (self.term_start or self.term_years):
            errors["term_start"] = "党小组不设届期。"
        elif self.term_years and not self.term_start:
            errors["term_start"] = "填写每届年限时请同时填写本届开始日期。"
        if self.term_start and self.founded_on and self.term_start < self.founded_on:
            errors["term_start"] = "本届开始日期不能早于成立日期。"
        if self.status == OrgStatus.DISSOLVED and not self.dissolved_on:
            errors["dissolved_on"] = "请填写撤销日期。"
        if errors:
            raise ValidationError(errors)


class PositionTitle(models.TextChoices):
    SECRETARY = "secretary", "书记"
    DEPUTY_SECRETARY = "deputy_secretary", "副书记"
    ORGANIZATION = "organization", "组织委员"
    PUBLICITY = "publicity", "宣传委员"
    DISCIPLINE = "discipline", "纪检委员"
    YOUTH = "youth", "青年委员"
    UNITED_FRONT = "united_front", "统战委员"
    MEMBER = "member", "委员"
    GROUP_LEADER = "group_leader", "党小组组长"


class Position(models.Model):
    """A committee position held by a member from one date to another. Ended, never deleted."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="positions", verbose_name="党组织")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="positions", verbose_name="党员")
    title = models.CharField("职务", max_length=30, choices=PositionTitle.choices)
    started_on = models.DateField("任职日期")
    ended_on = models.DateField("离任日期", null=True, blank=True)
    end_reason = models.CharField("离任原因", max_length=200, blank=True)
    trained_on = models.DateField("最近培训日期", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "班子成员"
        verbose_name_plural = "班子成员"
        ordering = ["organization", "title", "started_on"]
        indexes = [models.Index(fields=["organization", "ended_on"])]

    def __str__(self) -> str:
        return f"{self.organization.short_name} {self.get_title_display()} {self.member.name}"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None

    def clean(self) -> None:
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": "离任日期不能早于任职日期。"})
        if self.title == PositionTitle.GROUP_LEADER and self.organization_id and self.organization.kind != OrgKind.GROUP:
            raise ValidationError({"title": "党小组组长只能设在党小组。"})
