"""One row of a roster file, read into a member's fields: the importer's 党支部 and 党小组 found by
code or name (``ScopeIndex``), the cells parsed and judged (``parse_row``), birth date and gender
completed from the ID number, the state flags (是否失联党员/是否流动党员) mapped onto ``state``, and
a value as the preview's list of changes shows it. The portal's import (members.imports.pipeline)
and the admin's (members.imports.resources) read rows the same way.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from branches.models import Organization, OrgKind, OrgStatus
from members.imports.columns import STORED_COLUMNS, Column
from members.imports.normalize import CellError
from members.roster.checks import OrgRef
from members.roster.choices import ENDED_STATES, MemberState
from members.roster.models import Member
from members.roster.validators import id_number_birth_date, id_number_gender, mask_id_number
from partybuild.accounts.access import scope_for
from partybuild.accounts.models import User

# Fields an import may set. State flags map onto ``state`` (see state_from_flags).
FIELDS = [c.field for c in STORED_COLUMNS if c.field not in {"is_lost", "is_mobile", "branch", "group"}]
COMPARED = [*FIELDS, "branch_id", "group_id", "state"]
# Required fields with a default: a blank cell means "not given", not "make it empty" (or 汉族).
KEPT_WHEN_BLANK = {"dues_category", "ethnicity"}
HEADER_OF = {c.field: c.header for c in STORED_COLUMNS}
HEADER_OF.update({"branch_id": "所在党支部", "group_id": "所在党小组", "branch": "所在党支部", "group": "所在党小组"})
HEADER_OF.update({"state": "是否流动党员", "mobile_destination": "流入地", "lost_on": "失联日期"})


@dataclass
class RowError:
    row: int
    column: str
    message: str


class ScopeIndex:
    """The importer's 党支部 and 党小组, found by code, full name or short name. Two queries."""

    def __init__(self, user: User) -> None:
        scope = scope_for(user)
        orgs = Organization.objects.filter(scope.org_q(), kind__in=[OrgKind.BRANCH, OrgKind.GROUP]).values(
            "pk", "code", "name", "short_name", "kind", "path", "depth", "status"
        )
        self.scope = scope
        self.branches: dict[str, list[OrgRef]] = {}
        self.groups: dict[tuple[str, str], list[OrgRef]] = {}
        self.by_pk: dict[int, OrgRef] = {}
        rows = list(orgs)
        for o in rows:
            ref = OrgRef(
                pk=o["pk"],
                kind=o["kind"],
                path=o["path"],
                depth=o["depth"],
                name=o["name"],
                active=o["status"] == OrgStatus.ACTIVE,
            )
            self.by_pk[ref.pk] = ref
            if o["kind"] == OrgKind.BRANCH:
                for key in {o["code"], o["name"], o["short_name"]}:
                    self.branches.setdefault(key, []).append(ref)
        for o in rows:
            if o["kind"] == OrgKind.GROUP:
                ref = self.by_pk[o["pk"]]
                parent_path = o["path"][: -Organization.steplen]
                for key in {o["code"], o["name"], o["short_name"]}:
                    self.groups.setdefault((parent_path, key), []).append(ref)

    def branch(self, value: str) -> OrgRef:
        found = self.branches.get(value, [])
        if not found:
            raise CellError(f"找不到党支部“{value}”：请填写您管理范围内党支部的党组织编码、全称或简称。")
        if len(found) > 1:
            raise CellError(f"“{value}”对应多个党支部，请改填党组织编码。")
        if not found[0].active:
            raise CellError(f"党支部“{value}”已撤销。")
        return found[0]

    def group(self, branch: OrgRef, value: str) -> OrgRef:
        found = self.groups.get((branch.path, value), [])
        if not found:
            raise CellError(f"党支部“{branch.name}”下没有党小组“{value}”。")
        if len(found) > 1:
            raise CellError(f"“{value}”对应多个党小组，请改填党组织编码。")
        return found[0]


def state_from_flags(values: dict[str, Any], current: str | None) -> str:
    lost, mobile = values.pop("is_lost", None), values.pop("is_mobile", None)
    if lost is None and mobile is None:
        return current or MemberState.NORMAL
    if lost and mobile:
        raise CellError("不能同时是失联党员和流动党员。")
    if current in (MemberState.SUSPENDED, *ENDED_STATES):
        return current
    if lost:
        return MemberState.LOST
    if mobile:
        return MemberState.MOBILE
    # A blank flag cell says nothing: the member keeps that state; only 否 clears it.
    if current == MemberState.LOST and lost is None:
        return current
    if current == MemberState.MOBILE and mobile is None:
        return current
    return MemberState.NORMAL


def display_value(field_name: str, value: Any, index: ScopeIndex) -> str:
    if value in (None, ""):
        return "（空）"
    if field_name in ("branch_id", "group_id"):
        ref = index.by_pk.get(value)
        return ref.name if ref else "（范围外）"
    if field_name == "id_number":
        return mask_id_number(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.date):
        return value.isoformat()
    try:
        choices = Member._meta.get_field(field_name).choices
    except Exception:
        choices = None
    # A field without choices shows its value (not "None"); a choice shows its Chinese label.
    return str(dict(choices).get(value, value)) if choices else str(value)


def parse_row(
    number: int, cells: list[Any], columns: dict[int, Column], index: ScopeIndex
) -> tuple[dict[str, Any], list[RowError]]:
    values: dict[str, Any] = {}
    errors: list[RowError] = []
    raw_branch = raw_group = ""
    for col, column in columns.items():
        if column.field is None:
            continue
        raw = cells[col] if col < len(cells) else None
        try:
            value = column.parse(raw)
        except CellError as exc:
            errors.append(RowError(number, column.header, str(exc)))
            continue
        if column.field == "branch":
            raw_branch = value
        elif value == "" and column.field in KEPT_WHEN_BLANK:
            continue  # a new member gets the default, an existing one keeps theirs
        elif column.field == "group":
            raw_group = value
        else:
            values[column.field] = value
    if raw_branch:
        try:
            branch = index.branch(raw_branch)
            values["branch_id"] = branch.pk
            if raw_group:
                values["group_id"] = index.group(branch, raw_group).pk
            elif any(c.field == "group" for c in columns.values()):
                values["group_id"] = None
        except CellError as exc:
            errors.append(RowError(number, "所在党小组" if raw_branch and "党小组" in str(exc) else "所在党支部", str(exc)))
    elif not any(e.column == "所在党支部" for e in errors):
        errors.append(RowError(number, "所在党支部", "不能为空。"))
    return values, errors


def complete_from_id_number(values: dict[str, Any]) -> None:
    """Birth date and gender follow from a valid ID number when the cells were blank."""
    number = values.get("id_number") or ""
    if len(number) == 18 and number[:17].isdigit():
        if not values.get("birth_date"):
            values["birth_date"] = id_number_birth_date(number)
        if not values.get("gender"):
            values["gender"] = id_number_gender(number)
    for name in ("ethnicity",):
        if name in values and not values[name]:
            values[name] = "汉族"
