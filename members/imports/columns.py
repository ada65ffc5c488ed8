"""The roster's spreadsheet columns: one list used by import, export, the template and the
django-import-export resource, so the four can never disagree.

Headers follow the member export of the national 党员管理信息系统; a few columns of our own
follow them. Columns are matched by header, in any order; aliases cover common variants.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from members.imports import normalize as n
from members.roster.choices import Degree, DuesCategory, Education, MemberType


@dataclass(frozen=True)
class Column:
    header: str
    # The Member field it fills; None for a column we read but do not store (e.g. 党龄, computed).
    field: str | None
    parse: Callable[[Any], Any] = n.text
    aliases: tuple[str, ...] = ()
    required: bool = False
    note: str = ""
    example: Any = ""
    in_export: bool = True
    national: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


def _labels(choices: Any) -> dict[str, str]:
    return {str(label): value for value, label in choices.choices if value != "" or str(label) == "无"}


EDUCATION_ALIASES = {
    "博士研究生": Education.POSTGRADUATE,
    "硕士研究生": Education.POSTGRADUATE,
    "研究生教育": Education.POSTGRADUATE,
    "大学": Education.UNDERGRADUATE,
    "本科": Education.UNDERGRADUATE,
    "大学本科教育": Education.UNDERGRADUATE,
    "大专": Education.JUNIOR_COLLEGE,
    "专科": Education.JUNIOR_COLLEGE,
    "大学专科教育": Education.JUNIOR_COLLEGE,
    "中专": Education.SECONDARY_VOCATIONAL,
    "中技": Education.SECONDARY_VOCATIONAL,
    "技工学校": Education.SECONDARY_VOCATIONAL,
    "职业高中": Education.SECONDARY_VOCATIONAL,
    "中等专科教育": Education.SECONDARY_VOCATIONAL,
    "普通高中": Education.HIGH_SCHOOL,
    "高中教育": Education.HIGH_SCHOOL,
    "初中": Education.JUNIOR_HIGH_OR_BELOW,
    "小学": Education.JUNIOR_HIGH_OR_BELOW,
    "初中及以下": Education.JUNIOR_HIGH_OR_BELOW,
    "文盲或半文盲": Education.JUNIOR_HIGH_OR_BELOW,
}
DEGREE_ALIASES = {
    "学士学位": Degree.BACHELOR,
    "硕士学位": Degree.MASTER,
    "博士学位": Degree.DOCTOR,
    "名誉博士": Degree.DOCTOR,
    "无学位": Degree.NONE,
}

_EDU = _labels(Education)
_DEG = _labels(Degree)
_TYPE = _labels(MemberType)
_DUES = _labels(DuesCategory)


def _education(raw: Any) -> str:
    return n.choice(raw, _EDU, "学历", EDUCATION_ALIASES)


def _degree(raw: Any) -> str:
    return n.choice(raw, _DEG, "学位", DEGREE_ALIASES)


def _member_type(raw: Any) -> str:
    value = n.choice(raw, _TYPE, "人员类别")
    if not value:
        raise n.CellError("请填写人员类别（正式党员或预备党员）。")
    return value


def _dues(raw: Any) -> str:
    return n.choice(raw, _DUES, "党费类别", {"下岗失业": DuesCategory.UNEMPLOYED, "低保": DuesCategory.UNEMPLOYED})


def _required_text(raw: Any) -> str:
    value = n.text(raw)
    if not value:
        raise n.CellError("不能为空。")
    return value


def _ignored(raw: Any) -> None:
    return None


COLUMNS: list[Column] = [
    Column("序号", None, _ignored, example=1, note="可留空，不导入"),
    Column("姓名", "name", _required_text, required=True, example="张建国"),
    Column("性别", "gender", n.gender, example="男", note="男/女；留空按公民身份号码推定"),
    Column(
        "公民身份号码",
        "id_number",
        n.id_number,
        aliases=("身份证号", "身份证号码", "公民身份证号码"),
        required=True,
        example="110101198506150035",
        note="18位，末位可为X；请将该列设为“文本”格式。作为匹配已有党员的依据",
    ),
    Column("民族", "ethnicity", n.text, example="汉族"),
    Column("出生日期", "birth_date", n.date, example="1985-06-15", note="须与公民身份号码一致；留空按号码推定"),
    Column("学历", "education", _education, example="大学本科", note="研究生、大学本科、大学专科、中等专科、高中、初中及以下"),
    Column("人员类别", "member_type", _member_type, required=True, example="正式党员", note="正式党员/预备党员"),
    Column("学位", "degree", _degree, example="学士", note="学士、硕士、博士或留空"),
    Column(
        "所在党支部",
        "branch",
        n.text,
        aliases=("党支部", "所在支部"),
        required=True,
        example="发改委第一党支部",
        note="党支部的党组织编码、全称或简称，须在您的管理范围内",
    ),
    Column("手机号码", "phone", n.compact, aliases=("手机号", "联系电话"), example="13900000000"),
    Column("入党日期", "joined_on", n.date, required=True, example="2010-07-01"),
    Column("转正日期", "confirmed_on", n.date, example="2011-07-01", note="正式党员必填，预备党员不填"),
    Column("党龄", None, _ignored, note="由转正日期计算，不导入"),
    Column("党龄校正值", None, _ignored),
    Column("新社会阶层类型", None, _ignored),
    Column("工作岗位", "job_post", n.text, example="公务员"),
    Column("从事专业技术职务", None, _ignored),
    Column("是否农民工", None, _ignored),
    Column("现居住地", "residence", n.text, example="某市东城区"),
    Column("户籍所在地", "household_registration", n.text, example="某市"),
    Column("是否失联党员", "is_lost", n.yes_no_or_blank, example="否", note="是/否；留空表示不变"),
    Column("是否流动党员", "is_mobile", n.yes_no_or_blank, example="否", note="是/否；留空表示不变"),
    Column("入党类型", None, _ignored),
    Column("转正情况", None, _ignored),
    Column("入党时所在支部", None, _ignored),
    Column("延长预备期时间", None, _ignored),
    Column("党员所属行业", None, _ignored),
    Column("工作岗位补充", None, _ignored),
    # Our own columns, after the national ones.
    Column("所在党小组", "group", n.text, national=False, example="第一党小组", note="所在党支部下的党小组全称或简称，可留空"),
    Column("籍贯", "native_place", n.text, national=False, example="山东济南"),
    Column("工作单位及职务", "work_unit_position", n.text, national=False, example="市发展改革委 科长"),
    Column("参加工作日期", "work_started_on", n.date, national=False, example="2007-07-01"),
    Column("党员领导干部", "is_leader", n.yes_no, national=False, example="否", note="是/否"),
    Column(
        "党费类别", "dues_category", _dues, national=False, example="在职", note="在职、离退休、农民、学生、下岗失业/低保、其他"
    ),
    Column("流入地", "mobile_destination", n.text, national=False, note="流动党员的流入地"),
    Column("失联日期", "lost_on", n.date, national=False, note="失联党员的失联日期"),
]

NATIONAL_HEADERS = [c.header for c in COLUMNS if c.national]
HEADERS = [c.header for c in COLUMNS]
BY_HEADER: dict[str, Column] = {}
for _c in COLUMNS:
    BY_HEADER[_c.header] = _c
    for _alias in _c.aliases:
        BY_HEADER[_alias] = _c
STORED_COLUMNS = [c for c in COLUMNS if c.field]
REQUIRED_HEADERS = [c.header for c in COLUMNS if c.required]


def normalize_header(raw: Any) -> str:
    return n.compact(raw).replace("*", "").replace("＊", "")
