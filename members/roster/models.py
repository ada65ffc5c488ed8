"""The member roster.

Fields follow the national 党员管理信息系统 export. Members are never deleted: they change state
(转出, 出党, 去世 end membership in the portal) and every change is kept by django-simple-history.
"""

from __future__ import annotations

import contextlib
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from members.roster.checks import OrgRef, check_member
from members.roster.choices import (
    ON_ROSTER_STATES,
    Degree,
    DuesCategory,
    Education,
    Gender,
    MemberState,
    MemberType,
)
from members.roster.validators import mask_id_number, validate_id_number, validate_phone


class Member(models.Model):
    # 基本信息
    name = models.CharField("姓名", max_length=50, db_index=True)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    id_number = models.CharField(
        "公民身份号码", max_length=18, unique=True, error_messages={"unique": "该公民身份号码已登记，不能重复录入。"}
    )
    ethnicity = models.CharField("民族", max_length=20, default="汉族")
    birth_date = models.DateField("出生日期", db_index=True)
    native_place = models.CharField("籍贯", max_length=50, blank=True)
    education = models.CharField("学历", max_length=30, choices=Education.choices, blank=True, db_index=True)
    degree = models.CharField("学位", max_length=20, choices=Degree.choices, blank=True)
    phone = models.CharField("手机号码", max_length=20, blank=True, db_index=True, validators=[validate_phone])
    residence = models.CharField("现居住地", max_length=200, blank=True)
    household_registration = models.CharField("户籍所在地", max_length=200, blank=True)

    # 党内信息
    member_type = models.CharField("人员类别", max_length=20, choices=MemberType.choices, default=MemberType.FULL, db_index=True)
    branch = models.ForeignKey(
        "branches.Organization", on_delete=models.PROTECT, related_name="members", verbose_name="所在党支部"
    )
    group = models.ForeignKey(
        "branches.Organization",
        on_delete=models.PROTECT,
        related_name="group_members",
        null=True,
        blank=True,
        verbose_name="所在党小组",
    )
    joined_on = models.DateField("入党日期", db_index=True)
    confirmed_on = models.DateField("转正日期", null=True, blank=True)
    is_leader = models.BooleanField("党员领导干部", default=False)
    dues_category = models.CharField("党费类别", max_length=20, choices=DuesCategory.choices, default=DuesCategory.EMPLOYED)

    # 工作信息
    work_unit_position = models.CharField("工作单位及职务", max_length=200, blank=True)
    job_post = models.CharField("工作岗位", max_length=100, blank=True)
    work_started_on = models.DateField("参加工作日期", null=True, blank=True)

    # 状态
    state = models.CharField("党员状态", max_length=20, choices=MemberState.choices, default=MemberState.NORMAL, db_index=True)
    state_changed_on = models.DateField("状态变更日期", null=True, blank=True)
    state_reason = models.CharField("状态变更原因", max_length=200, blank=True)
    mobile_destination = models.CharField("流入地", max_length=200, blank=True)
    lost_on = models.DateField("失联日期", null=True, blank=True)

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="member", verbose_name="登录账号"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "党员"
        verbose_name_plural = "党员"
        indexes = [models.Index(fields=["branch", "state"]), models.Index(fields=["state", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def is_on_roster(self) -> bool:
        return self.state in ON_ROSTER_STATES

    @property
    def is_lost(self) -> bool:
        return self.state == MemberState.LOST

    @property
    def is_mobile(self) -> bool:
        return self.state == MemberState.MOBILE

    def age_on(self, day: datetime.date) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))

    def party_standing_years(self, day: datetime.date) -> int | None:
        """党龄: whole years since 转正日期."""
        if not self.confirmed_on:
            return None
        c = self.confirmed_on
        return max(0, day.year - c.year - ((day.month, day.day) < (c.month, c.day)))

    def clean(self) -> None:
        if self.id_number:
            with contextlib.suppress(ValidationError):  # reported by check_member, next to the field
                self.id_number = validate_id_number(self.id_number)
        values = {f: getattr(self, f) for f in ("id_number", "birth_date", "joined_on", "confirmed_on", "member_type")}
        errors = check_member(
            values,
            branch=OrgRef.of(self.branch) if self.branch_id else None,
            group=OrgRef.of(self.group) if self.group_id else None,
        )
        if errors:
            raise ValidationError(errors)
