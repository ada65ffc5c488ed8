"""The numbers of member management as data: when a member behind with dues or without
organizational life is warned and flagged (自行脱党, 党章 第九条), how far back a payment is
normal (2008 党费规定), how long a transfer may wait on one side, how far ahead 发展党员
deadlines are reminded.

Seeded by a data migration with the defaults of DOMAIN.md; 系统管理员 change a number in the admin
(in place, with its history: who, when, the old value) and the reads use it from then on. Each
read takes the whole table in one query (``management_rules()``). A missing row is a configuration
error, never a silent default. Gathered by ``members/models.py`` (so Django finds the model in the
``members`` app); the 发展党员 numbers have their own table
(``members.development.models.DevelopmentRule``), of the same shape.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from members.development.models import RuleUnit

__all__ = ["MANAGEMENT_RULE_UNITS", "ManagementRule", "ManagementRuleKey"]


class ManagementRuleKey(models.TextChoices):
    DUES_ARREARS_WARN = "dues_arrears_warn", "未交党费提醒"
    DUES_ARREARS_FLAG = "dues_arrears_flag", "未交党费标记自行脱党风险"
    LIFE_ABSENCE_WARN = "life_absence_warn", "未参加组织生活提醒"
    LIFE_ABSENCE_FLAG = "life_absence_flag", "未参加组织生活标记自行脱党风险"
    DUES_BACK_PAYMENT_MAX = "dues_back_payment_max", "补交党费一般不超过"
    TRANSFER_WAIT = "transfer_wait", "组织关系转接等待提醒"
    DEVELOPMENT_REMINDER_WITHIN = "development_reminder_within", "发展党员期限提前提醒"


# The unit each number is read in (the reads count whole months or calendar days).
MANAGEMENT_RULE_UNITS: dict[str, str] = {
    ManagementRuleKey.DUES_ARREARS_WARN: RuleUnit.MONTH,
    ManagementRuleKey.DUES_ARREARS_FLAG: RuleUnit.MONTH,
    ManagementRuleKey.LIFE_ABSENCE_WARN: RuleUnit.MONTH,
    ManagementRuleKey.LIFE_ABSENCE_FLAG: RuleUnit.MONTH,
    ManagementRuleKey.DUES_BACK_PAYMENT_MAX: RuleUnit.MONTH,
    ManagementRuleKey.TRANSFER_WAIT: RuleUnit.DAY,
    ManagementRuleKey.DEVELOPMENT_REMINDER_WITHIN: RuleUnit.DAY,
}


# (warn, flag): a member is warned before, or when, they are flagged.
_WARN_FLAG_PAIRS = (
    (ManagementRuleKey.DUES_ARREARS_WARN, ManagementRuleKey.DUES_ARREARS_FLAG),
    (ManagementRuleKey.LIFE_ABSENCE_WARN, ManagementRuleKey.LIFE_ABSENCE_FLAG),
)


class ManagementRule(models.Model):
    """One number of member management, as data (see the module docstring): e.g. 未交党费提醒
    3 个月, 组织关系转接等待提醒 7 天."""

    key = models.CharField("规则", max_length=40, choices=ManagementRuleKey.choices, unique=True)
    value = models.PositiveSmallIntegerField("数值", validators=[MinValueValidator(1, message="数值至少为1。")])
    unit = models.CharField("单位", max_length=20, choices=RuleUnit.choices)
    basis = models.CharField("依据", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "党员管理规则"
        verbose_name_plural = "党员管理规则"
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.get_key_display()}：{self.text}"

    @property
    def text(self) -> str:
        """The number as users read it: 3个月, 7天."""
        return f"{self.value}{self.get_unit_display()}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        unit = MANAGEMENT_RULE_UNITS.get(self.key)
        if unit and self.unit and self.unit != unit:
            errors["unit"] = f"该规则的单位只能是：{RuleUnit(unit).label}。"
        if self.value:
            for warn, flag in _WARN_FLAG_PAIRS:
                if self.key == warn:
                    other = ManagementRule.objects.filter(key=flag).first()
                    if other is not None and self.value > other.value:
                        errors["value"] = f"提醒月数不能多于“{other.get_key_display()}”的{other.text}。"
                elif self.key == flag:
                    other = ManagementRule.objects.filter(key=warn).first()
                    if other is not None and self.value < other.value:
                        errors["value"] = f"标记月数不能少于“{other.get_key_display()}”的{other.text}。"
        if errors:
            raise ValidationError(errors)
