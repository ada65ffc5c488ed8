"""Organizational life (三会一课 and the rest): meetings, attendance, and the frequency rules they
are judged by.

A meeting is never deleted: it is planned, held or cancelled. A held meeting counts for its own
type and, when the rules allow it and the secretary marks it so, for more (民主评议党员 held with the
组织生活会; a 主题党日 that includes a 党课): one ``MeetingCredit`` row per type it counts for. A
meeting's place in a month, quarter or year is its local (Asia/Shanghai) date, ``held_on``.

Frequency rules are data (``FrequencyRule``): per meeting type and organization kind, a minimum
count per month, quarter or year, from a date on. A period is judged by the rule in force on its
first day, so changing a rule never changes the verdict on a period that had already begun.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from branches.models import OrgKind
from partybuild.periods import PeriodKind


class MeetingType(models.TextChoices):
    GENERAL_MEETING = "general_meeting", "支部党员大会"
    COMMITTEE_MEETING = "committee_meeting", "支部委员会"
    GROUP_MEETING = "group_meeting", "党小组会"
    LECTURE = "lecture", "党课"
    THEME_DAY = "theme_day", "主题党日"
    STUDY = "study", "专题学习研讨"
    LIFE_MEETING = "life_meeting", "组织生活会"
    MEMBER_REVIEW = "member_review", "民主评议党员"
    DEMOCRATIC_LIFE = "democratic_life", "民主生活会"


# Which organizations hold which meetings. A 党小组 holds its 党小组会; a 党委's own organizational
# life is its 委员会 (党委会), 专题学习 and the 民主生活会 of its leading group.
TYPES_FOR_KIND: dict[str, tuple[str, ...]] = {
    OrgKind.BRANCH: (
        MeetingType.GENERAL_MEETING,
        MeetingType.COMMITTEE_MEETING,
        MeetingType.LECTURE,
        MeetingType.THEME_DAY,
        MeetingType.STUDY,
        MeetingType.LIFE_MEETING,
        MeetingType.MEMBER_REVIEW,
    ),
    OrgKind.GENERAL_BRANCH: (
        MeetingType.GENERAL_MEETING,
        MeetingType.COMMITTEE_MEETING,
        MeetingType.LECTURE,
        MeetingType.THEME_DAY,
        MeetingType.STUDY,
        MeetingType.LIFE_MEETING,
        MeetingType.MEMBER_REVIEW,
    ),
    OrgKind.COMMITTEE: (
        MeetingType.COMMITTEE_MEETING,
        MeetingType.LECTURE,
        MeetingType.STUDY,
        MeetingType.DEMOCRATIC_LIFE,
    ),
    OrgKind.GROUP: (MeetingType.GROUP_MEETING,),
}

# What one meeting may also count for, by its own type (支部工作条例 and common local rules:
# 民主评议党员 is generally held together with the 组织生活会; a 主题党日 or a 党员大会 may include
# a 党课 or a study session).
ALSO_COUNTS_AS: dict[str, tuple[str, ...]] = {
    MeetingType.LIFE_MEETING: (MeetingType.MEMBER_REVIEW,),
    MeetingType.MEMBER_REVIEW: (MeetingType.LIFE_MEETING,),
    MeetingType.THEME_DAY: (MeetingType.LECTURE, MeetingType.STUDY),
    MeetingType.GENERAL_MEETING: (MeetingType.LECTURE, MeetingType.STUDY, MeetingType.MEMBER_REVIEW),
    MeetingType.GROUP_MEETING: (),
    MeetingType.COMMITTEE_MEETING: (MeetingType.STUDY,),
    MeetingType.LECTURE: (MeetingType.STUDY,),
    MeetingType.STUDY: (MeetingType.LECTURE,),
    MeetingType.DEMOCRATIC_LIFE: (),
}

# Meetings whose roll is the organization's committee (班子成员), not all of its members.
COMMITTEE_TYPES = (MeetingType.COMMITTEE_MEETING, MeetingType.DEMOCRATIC_LIFE)


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "计划"
    HELD = "held", "已召开"
    CANCELLED = "cancelled", "已取消"


class Meeting(models.Model):
    organization = models.ForeignKey(
        "branches.Organization", on_delete=models.PROTECT, related_name="meetings", verbose_name="党组织"
    )
    meeting_type = models.CharField("会议类型", max_length=30, choices=MeetingType.choices)
    topic = models.CharField("主题", max_length=200)
    status = models.CharField("状态", max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.HELD)
    planned_at = models.DateTimeField("计划时间", null=True, blank=True)
    held_at = models.DateTimeField("召开时间", null=True, blank=True)
    # The local date of held_at, set by the service: what periods count by (one indexed column,
    # no time-zone arithmetic in SQL).
    held_on = models.DateField("召开日期", null=True, blank=True, editable=False)
    place = models.CharField("地点", max_length=200, blank=True)
    host = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="主持人"
    )
    recorder = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="记录人"
    )
    lecturer = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="授课人"
    )
    lecturer_name = models.CharField("授课人（外单位）", max_length=100, blank=True, help_text="授课人不是本组织党员时填写")
    minutes = models.TextField("会议记录", blank=True)
    resolutions = models.TextField("会议决议", blank=True)
    decides = models.BooleanField("有表决事项", default=False, help_text="党员大会表决须有表决权的党员过半数到会")
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="登记人"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at", "held_on"])

    class Meta:
        verbose_name = "会议"
        verbose_name_plural = "会议"
        # Planned meetings (no held_on) last on every database (PostgreSQL puts NULLs first).
        ordering = [models.F("held_on").desc(nulls_last=True), models.F("planned_at").desc(nulls_last=True), "-id"]
        indexes = [
            models.Index(fields=["organization", "held_on"]),
            models.Index(fields=["status", "held_on"]),
            models.Index(fields=["organization", "status", "planned_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_meeting_type_display()}：{self.topic}"

    @property
    def when(self) -> datetime.datetime | None:
        return self.held_at if self.status == MeetingStatus.HELD else self.planned_at

    @property
    def is_held(self) -> bool:
        return self.status == MeetingStatus.HELD


class MeetingCredit(models.Model):
    """One type a meeting counts for: its own, and each extra type it was marked as."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="credits", verbose_name="会议")
    meeting_type = models.CharField("计入类型", max_length=30, choices=MeetingType.choices)

    class Meta:
        verbose_name = "会议计入类型"
        verbose_name_plural = "会议计入类型"
        constraints = [models.UniqueConstraint(fields=["meeting", "meeting_type"], name="unique_meeting_credit")]

    def __str__(self) -> str:
        return f"{self.meeting_id} → {self.get_meeting_type_display()}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "出席"
    LEAVE = "leave", "请假"
    ABSENT = "absent", "缺席"


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance", verbose_name="会议")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="attendance", verbose_name="党员")
    status = models.CharField("出勤", max_length=20, choices=AttendanceStatus.choices, default=AttendanceStatus.PRESENT)
    reason = models.CharField("请假原因", max_length=200, blank=True)
    # Whether the member had a vote when the meeting was recorded (正式党员, not 停止党籍): the
    # quorum of a 党员大会 is judged by the roll as it was, not as it is now.
    voting = models.BooleanField("有表决权", default=True)
    # Attendance feeds points and the 自行脱党 reminders: who changed it, and from what, is kept.
    history = HistoricalRecords()

    class Meta:
        verbose_name = "出勤"
        verbose_name_plural = "出勤"
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="unique_attendance")]
        indexes = [models.Index(fields=["member", "status"])]

    def __str__(self) -> str:
        return f"{self.member_id} {self.get_status_display()}"

    def clean(self) -> None:
        if self.status == AttendanceStatus.LEAVE and not self.reason.strip():
            raise ValidationError({"reason": "请假须填写原因。"})


def _attachment_upload_to(instance: MeetingAttachment, filename: str) -> str:
    from django.utils import timezone

    suffix = Path(filename).suffix.lower()
    return f"meetings/{timezone.localdate():%Y/%m}/{instance.meeting_id}-{timezone.now():%H%M%S%f}{suffix}"


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", "会议照片"
    SIGN_IN = "sign_in", "签到表"
    OTHER = "other", "其他材料"


class MeetingAttachment(models.Model):
    """A photo or scanned sheet. Served only through the meeting's access check; removing one
    hides it (``removed_at``) and keeps the file."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attachments", verbose_name="会议")
    kind = models.CharField("类别", max_length=20, choices=AttachmentKind.choices, default=AttachmentKind.PHOTO)
    file = models.FileField("文件", upload_to=_attachment_upload_to)
    original_name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="上传人")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    removed_at = models.DateTimeField("移除时间", null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="移除人"
    )

    class Meta:
        verbose_name = "会议附件"
        verbose_name_plural = "会议附件"
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class FrequencyRule(models.Model):
    """At least ``min_count`` meetings of a type per period, for organizations of a kind, from
    ``effective_from`` until the next rule for the same type and kind. ``min_count`` 0 lifts the
    requirement. Rules are versioned, never edited in place once a period has been judged by them:
    to change one, add a rule with a later ``effective_from``."""

    meeting_type = models.CharField("会议类型", max_length=30, choices=MeetingType.choices)
    org_kind = models.CharField("党组织类型", max_length=20, choices=OrgKind.choices)
    period_kind = models.CharField(
        "周期", max_length=10, choices=[(k.value, k.label) for k in PeriodKind], default=PeriodKind.MONTH.value
    )
    min_count = models.PositiveSmallIntegerField("每周期至少（次）")
    effective_from = models.DateField("生效日期", help_text="从该日及以后开始的周期起按本规则考核（已开始的周期仍按原规则）")
    note = models.CharField("依据或说明", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "组织生活频次规则"
        verbose_name_plural = "组织生活频次规则"
        ordering = ["org_kind", "meeting_type", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["meeting_type", "org_kind", "effective_from"], name="unique_frequency_rule"),
            models.CheckConstraint(condition=Q(min_count__lte=31), name="frequency_rule_min_count_sane"),
        ]

    def __str__(self) -> str:
        kind = PeriodKind(self.period_kind).label
        return f"{self.get_org_kind_display()} {self.get_meeting_type_display()}：每{kind}至少{self.min_count}次（{self.effective_from}起）"

    def clean(self) -> None:
        if self.meeting_type and self.org_kind and self.meeting_type not in TYPES_FOR_KIND.get(self.org_kind, ()):
            raise ValidationError(
                {"meeting_type": f"{OrgKind(self.org_kind).label}不召开{MeetingType(self.meeting_type).label}。"}
            )
