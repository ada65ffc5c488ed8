"""The member roster.

Fields follow the national 党员管理信息系统 export. Members are never deleted: they change state
(转出, 出党, 去世 end membership in the portal) and every change is kept by django-simple-history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from members.roster.models import Member


class TransferKind(models.TextChoices):
    INTERNAL = "internal", "系统内转接"  # from a 党支部 in the portal to another
    OUT = "out", "转出系统外"  # to an organization outside the portal, by name
    IN = "in", "从系统外转入"  # from an organization outside the portal, by name


class TransferScope(models.TextChoices):
    WITHIN_COMMITTEE = "within_committee", "本党委内"
    WITHIN_PROVINCE = "within_province", "省（系统）内"
    NATIONWIDE = "nationwide", "跨省（系统）"


class TransferStatus(models.TextChoices):
    APPLIED = "applied", "已申请"
    OUT_APPROVED = "out_approved", "转出方已审核"
    ACCEPTED = "accepted", "已接收"
    COMPLETED = "completed", "已转出"  # an outbound transfer, once the letter has gone
    RETURNED = "returned", "已退回"
    SUSPENDED = "suspended", "已挂起"


# A transfer still under way: it can be approved, accepted, returned or suspended (one per member).
OPEN_STATUSES = (TransferStatus.APPLIED, TransferStatus.OUT_APPROVED, TransferStatus.SUSPENDED)


class Transfer(models.Model):
    """组织关系转接. Internal: 申请 → 转出方审核 → 转入方接收 (the member moves, history kept). Out of
    the portal: 申请 → 转出方审核, which ends the membership here (state 已转出). Into the portal from
    outside: recorded by the receiving side with the person's roster facts (``incoming``); accepting
    creates the member. Any open transfer may be 退回 or 挂起 with a reason. Never deleted."""

    kind = models.CharField("转接类型", max_length=20, choices=TransferKind.choices)
    scope = models.CharField("转接范围", max_length=20, choices=TransferScope.choices)
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="transfers", verbose_name="党员"
    )
    incoming = models.JSONField("转入人员信息", default=dict, blank=True, help_text="从系统外转入时的花名册信息")
    from_org = models.ForeignKey(
        "branches.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="转出党支部"
    )
    from_name = models.CharField("转出单位（系统外）", max_length=200, blank=True)
    to_org = models.ForeignKey(
        "branches.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="转入党支部"
    )
    to_name = models.CharField("转入单位（系统外）", max_length=200, blank=True)
    reason = models.CharField("转接原因", max_length=200)
    dues_paid_to = models.DateField("党费交至", null=True, blank=True, help_text="所交党费的最后一个月（该月1日）")
    valid_until = models.DateField("介绍信有效期至", null=True, blank=True)
    letter_no = models.CharField("介绍信编号", max_length=50, blank=True)
    status = models.CharField("状态", max_length=20, choices=TransferStatus.choices, default=TransferStatus.APPLIED)
    status_reason = models.CharField("退回或挂起原因", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="经办人")
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "组织关系转接"
        verbose_name_plural = "组织关系转接"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        who = self.member.name if self.member_id else self.incoming.get("name", "")
        return f"{who} {self.get_kind_display()}（{self.get_status_display()}）"

    @property
    def is_open(self) -> bool:
        return self.status in (TransferStatus.APPLIED, TransferStatus.OUT_APPROVED, TransferStatus.SUSPENDED)
