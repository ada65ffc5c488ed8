"""The member roster.

Fields follow the national 党员管理信息系统 export. Members are never deleted: they change state
(转出, 出党, 去世 end membership in the portal) and every change is kept by django-simple-history.
"""

from __future__ import annotations

import contextlib
import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from .validators import mask_id_number, validate_id_number, validate_phone


class Gender(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class MemberType(models.TextChoices):
    FULL = "full", "正式党员"
    PROBATIONARY = "probationary", "预备党员"


class Education(models.TextChoices):
    POSTGRADUATE = "postgraduate", "研究生"
    UNDERGRADUATE = "undergraduate", "大学本科"
    JUNIOR_COLLEGE = "junior_college", "大学专科"
    SECONDARY_VOCATIONAL = "secondary_vocational", "中等专科"
    HIGH_SCHOOL = "high_school", "高中"
    JUNIOR_HIGH_OR_BELOW = "junior_high", "初中及以下"


class Degree(models.TextChoices):
    NONE = "", "无"
    BACHELOR = "bachelor", "学士"
    MASTER = "master", "硕士"
    DOCTOR = "doctor", "博士"


class DuesCategory(models.TextChoices):
    EMPLOYED = "employed", "在职"
    RETIRED = "retired", "离退休"
    FARMER = "farmer", "农民"
    STUDENT = "student", "学生"
    UNEMPLOYED = "unemployed", "下岗失业/低保"
    OTHER = "other", "其他"


class MemberState(models.TextChoices):
    NORMAL = "normal", "正常"
    MOBILE = "mobile", "流动党员"
    LOST = "lost", "失联党员"
    SUSPENDED = "suspended", "停止党籍"
    TRANSFERRED_OUT = "transferred_out", "已转出"
    EXPELLED = "expelled", "出党"
    DECEASED = "deceased", "去世"


# Members in these states are still on their branch's roster and counted.
ON_ROSTER_STATES = (MemberState.NORMAL, MemberState.MOBILE, MemberState.LOST, MemberState.SUSPENDED)
ENDED_STATES = (MemberState.TRANSFERRED_OUT, MemberState.EXPELLED, MemberState.DECEASED)


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
        from .rules import OrgRef, check_member

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


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    PARSING = "parsing", "正在检查"
    READY = "ready", "待确认"
    INVALID = "invalid", "有错误"
    APPLYING = "applying", "正在导入"
    APPLIED = "applied", "已导入"
    FAILED = "failed", "失败"
    CANCELLED = "cancelled", "已取消"


def _import_upload_to(instance: RosterImport, filename: str) -> str:
    from django.utils import timezone

    return f"imports/{timezone.localdate():%Y/%m}/{filename}"


class RosterImport(models.Model):
    """One upload of a roster file: its preview, its outcome, and the original file for the record."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="roster_imports", verbose_name="导入人"
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True, db_index=True)
    file = models.FileField("原始文件", upload_to=_import_upload_to)
    file_name = models.CharField("文件名", max_length=200)
    status = models.CharField("状态", max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    is_async = models.BooleanField("后台处理", default=False)
    total_rows = models.PositiveIntegerField("数据行数", default=0)
    progress_done = models.PositiveIntegerField("已处理", default=0)
    progress_total = models.PositiveIntegerField("待处理", default=0)
    count_new = models.PositiveIntegerField("新增", default=0)
    count_changed = models.PositiveIntegerField("修改", default=0)
    count_unchanged = models.PositiveIntegerField("无变化", default=0)
    count_error_rows = models.PositiveIntegerField("错误行", default=0)
    header_row = models.PositiveIntegerField("表头所在行", default=0)
    unknown_headers = models.JSONField("未识别的列", default=list, blank=True)
    unstored_headers = models.JSONField("已识别但不导入的列", default=list, blank=True)
    errors = models.JSONField("错误（前1000条）", default=list, blank=True)
    error_total = models.PositiveIntegerField("错误条数", default=0)
    changes = models.JSONField("修改示例（前200行）", default=list, blank=True)
    message = models.TextField("说明", blank=True)
    applied_at = models.DateTimeField("导入时间", null=True, blank=True)
    applied_created = models.PositiveIntegerField("实际新增", default=0)
    applied_updated = models.PositiveIntegerField("实际修改", default=0)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "花名册导入"
        verbose_name_plural = "花名册导入"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name}（{self.get_status_display()}）"

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 0 if self.status in (ImportStatus.QUEUED, ImportStatus.PARSING, ImportStatus.APPLYING) else 100
        return min(100, round(100 * self.progress_done / self.progress_total))

    @property
    def is_running(self) -> bool:
        return self.status in (ImportStatus.QUEUED, ImportStatus.PARSING, ImportStatus.APPLYING)


class RosterImportLock(models.Model):
    """A single row; applying an import locks it FOR UPDATE so only one import writes at a time."""

    class Meta:
        verbose_name = "导入锁"
        verbose_name_plural = "导入锁"


# 发展党员 models live in their own module; importing them here registers them with the app.
from .development_models import (  # noqa: E402, F401
    Cultivator,
    DevelopmentRecord,
    DevelopmentRule,
    DevelopmentStage,
    RuleKey,
    RuleUnit,
)

# The numbers of member management (自行脱党 thresholds, back-payment, reminders), likewise.
from .management_rules import ManagementRule, ManagementRuleKey  # noqa: E402, F401
