"""Users and the roles they hold in organizations.

A role is held *in* an organization and reaches its whole subtree. A user may hold several. Roles
are never deleted: revoking one sets ``revoked_at`` so the record of who could see what stays.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class User(AbstractUser):
    """A login. ``full_name`` is the Chinese name shown in the portal."""

    full_name = models.CharField("姓名", max_length=50, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username


class Role(models.TextChoices):
    ADMIN = "admin", "系统管理员"
    STAFF = "staff", "党务干部"
    SECRETARY = "secretary", "支部书记"
    MEMBER = "member", "党员"


# Roles that may read and write the whole subtree of the organization they are held in.
SUBTREE_WRITE_ROLES = (Role.STAFF, Role.SECRETARY)


class RoleAssignment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="role_assignments", verbose_name="用户"
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    organization = models.ForeignKey(
        "branches.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name="所在党组织",
        help_text="系统管理员可不填；其他角色必填",
    )
    granted_at = models.DateTimeField("授予时间", auto_now_add=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "角色"
        verbose_name_plural = "角色"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "organization"],
                condition=Q(revoked_at__isnull=True),
                name="unique_active_role",
            )
        ]
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        where = self.organization.short_name if self.organization_id else "全部"
        return f"{self.user} · {self.get_role_display()} · {where}"

    def clean(self) -> None:
        if self.role != Role.ADMIN and self.organization_id is None:
            raise ValidationError({"organization": "该角色必须指定所在党组织。"})
        if self.role == Role.SECRETARY and self.organization_id and self.organization.kind != "branch":
            raise ValidationError({"organization": "支部书记角色只能设在党支部。"})
