"""The member roster.

Fields follow the national 党员管理信息系统 export. Members are never deleted: they change state
(转出, 出党, 去世 end membership in the portal) and every change is kept by django-simple-history.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from members.roster.choices import DuesCategory
from members.roster.models import Member


class DuesRule(models.Model):
    """One line of the dues table of 《关于中国共产党党费收缴、使用和管理的规定》(2008), as data.

    For a dues category, either a band of monthly income — above ``income_above`` and up to and
    including ``income_up_to`` (empty: no limit) — paying ``rate`` of it, or a flat monthly
    amount between ``flat_min`` and ``flat_max`` (``flat_amount`` when nothing else is chosen).
    Versioned by ``effective_from``: a year's dues are set by the rules in force on 1 January.
    Seeded by a data migration; admins add versions, never edit the past.
    """

    category = models.CharField("党费类别", max_length=20, choices=DuesCategory.choices)
    income_above = models.DecimalField("月收入高于（元）", max_digits=10, decimal_places=2, default=Decimal("0"))
    income_up_to = models.DecimalField("月收入至（含，元）", max_digits=10, decimal_places=2, null=True, blank=True)
    rate = models.DecimalField("交纳比例", max_digits=6, decimal_places=4, null=True, blank=True, help_text="如 0.0050 即 0.5%")
    flat_amount = models.DecimalField("每月定额（元）", max_digits=8, decimal_places=2, null=True, blank=True)
    flat_min = models.DecimalField("定额下限（元）", max_digits=8, decimal_places=2, null=True, blank=True)
    flat_max = models.DecimalField("定额上限（元）", max_digits=8, decimal_places=2, null=True, blank=True)
    effective_from = models.DateField("生效日期")
    note = models.CharField("依据", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "党费标准"
        verbose_name_plural = "党费标准"
        ordering = ["category", "effective_from", "income_above"]
        constraints = [
            models.UniqueConstraint(fields=["category", "income_above", "effective_from"], name="unique_dues_rule"),
            models.CheckConstraint(
                condition=models.Q(rate__isnull=False) | models.Q(flat_amount__isnull=False), name="dues_rule_rate_or_flat"
            ),
        ]

    def __str__(self) -> str:
        if self.rate is not None:
            upper = f"{self.income_up_to}元" if self.income_up_to is not None else "以上"
            return f"{self.get_category_display()} {self.income_above}–{upper}：{self.rate * 100:.1f}%"
        return f"{self.get_category_display()}：每月{self.flat_amount}元"

    def clean(self) -> None:
        if (self.rate is None) == (self.flat_amount is None):
            raise ValidationError("请填写交纳比例或每月定额（二者选一）。")
        if self.income_up_to is not None and self.income_up_to <= self.income_above:
            raise ValidationError({"income_up_to": "上限必须高于下限。"})
        if self.flat_amount is not None and (
            (self.flat_min is not None and self.flat_amount < self.flat_min)
            or (self.flat_max is not None and self.flat_amount > self.flat_max)
        ):
            raise ValidationError({"flat_amount": "每月定额应在上下限之间。"})


class DuesAssessment(models.Model):
    """年度党费核定: what a member pays each month of a year, set once at the start of the year
    from the dues table (or by hand, with a reason). ``base_income`` — the monthly after-tax
    salary — is recorded and shown only by those who manage the member."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="dues_assessments", verbose_name="党员")
    year = models.PositiveSmallIntegerField("年度")
    category = models.CharField("党费类别", max_length=20, choices=DuesCategory.choices)
    base_income = models.DecimalField("税后月工资收入（元）", max_digits=10, decimal_places=2, null=True, blank=True)
    computed_amount = models.DecimalField("按标准计算（元）", max_digits=8, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField("每月应交（元）", max_digits=8, decimal_places=2)
    basis = models.CharField("计算依据", max_length=200, blank=True)
    override_reason = models.CharField("调整理由", max_length=200, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="核定人")
    set_at = models.DateTimeField("核定时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "年度党费核定"
        verbose_name_plural = "年度党费核定"
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="unique_dues_assessment"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="dues_assessment_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.year}年 每月{self.amount}元"


class PaymentMethod(models.TextChoices):
    CASH = "cash", "现金"
    BANK = "bank", "银行转账"
    WECHAT = "wechat", "微信"
    ALIPAY = "alipay", "支付宝"
    PAYROLL = "payroll", "工资代扣"
    OTHER = "other", "其他"


class DuesPayment(models.Model):
    """One month's dues of one member: what was due, what was paid, when and how. Corrected in
    place with its history, never deleted."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="dues_payments", verbose_name="党员")
    # The branch that collected it: a member's earlier months stay on their old branch's ledger
    # after a transfer.
    branch = models.ForeignKey("branches.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="收缴党支部")
    month = models.DateField("所属月份", help_text="该月1日")
    amount_due = models.DecimalField("应交（元）", max_digits=8, decimal_places=2)
    amount_paid = models.DecimalField("实交（元）", max_digits=8, decimal_places=2)
    paid_on = models.DateField("交纳日期")
    method = models.CharField("交纳方式", max_length=20, choices=PaymentMethod.choices, default=PaymentMethod.CASH)
    paid_by = models.CharField("代交人", max_length=50, blank=True, help_text="他人代交时填写")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="登记人")
    recorded_at = models.DateTimeField("登记时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "党费交纳"
        verbose_name_plural = "党费交纳"
        ordering = ["member", "month"]
        constraints = [
            models.UniqueConstraint(fields=["member", "month"], name="unique_dues_payment"),
            models.CheckConstraint(condition=models.Q(amount_paid__gte=0), name="dues_payment_not_negative"),
        ]
        indexes = [models.Index(fields=["month", "member"]), models.Index(fields=["branch", "month"])]

    def __str__(self) -> str:
        return f"{self.member} {self.month:%Y-%m} {self.amount_paid}元"

    @property
    def is_back_payment(self) -> bool:
        """补交: paid after the month it is for."""
        return (self.paid_on.year, self.paid_on.month) > (self.month.year, self.month.month)
