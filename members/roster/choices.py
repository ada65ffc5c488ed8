"""The roster's choices and the groups of states, below the model so that its rules (checks.py) can read them
without importing the model. ``members.roster.models`` re-exports them for its importers."""

from __future__ import annotations

from django.db import models


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
