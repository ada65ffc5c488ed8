"""The roster import: preview (read, normalize, judge, compare) and apply (all rows or none).

Preview streams the file once, judges every row with the same rules as the roster form
(members.roster.checks), compares it with the roster in chunks of CHUNK rows, and stages the rows to
insert or update in a file beside the upload. Apply reads the staged rows back and writes them
with bulk inserts and updates inside one transaction, with a history record per member that
names the import as its cause. Memory stays flat: nothing holds the whole file.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from members.imports.bulk import create_members_with_history
from members.imports.models import RosterImportLock
from members.imports.normalize import CellError
from members.imports.reader import RosterSheet, open_roster
from members.imports.rows import (
    COMPARED,
    HEADER_OF,
    RowError,
    ScopeIndex,
    complete_from_id_number,
    display_value,
    parse_row,
    state_from_flags,
)
from members.roster.choices import ENDED_STATES, MemberState
from members.roster.field_checks import check_member_record
from members.roster.models import Member
from members.roster.validators import mask_id_number
from partybuild.accounts.access import scope_for
from partybuild.accounts.models import User

CHUNK = 2000
MAX_STORED_ERRORS = 1000
MAX_STORED_CHANGES = 200
Progress = Callable[[int, int], None]


@dataclass
class PreviewResult:
    total: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_rows: int = 0
    changes: list[dict[str, Any]] = field(default_factory=list)
    unknown_headers: list[str] = field(default_factory=list)
    unstored_headers: list[str] = field(default_factory=list)
    header_row: int = 0


def staged_path(job_pk: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / "staged" / f"job-{job_pk}.pickle"


def import_preview(
    *, path: str | Path, filename: str, user: User, job_pk: int, progress: Progress | None = None
) -> PreviewResult:
    """Judge the whole file and stage its changes. Writes nothing to the roster."""
    sheet: RosterSheet = open_roster(path, filename)
    try:
        return _preview(sheet, user=user, job_pk=job_pk, progress=progress)
    finally:
        sheet.close()


def _preview(sheet: RosterSheet, *, user: User, job_pk: int, progress: Progress | None) -> PreviewResult:
    index = ScopeIndex(user)
    result = PreviewResult(
        unknown_headers=sheet.unknown_headers, unstored_headers=sheet.unstored_headers, header_row=sheet.header_row
    )
    present_fields = {c.field for c in sheet.columns.values() if c.field}
    seen_ids: dict[str, int] = {}
    error_rows: set[int] = set()
    stage_file = staged_path(job_pk)
    stage_file.parent.mkdir(parents=True, exist_ok=True)
    with stage_file.open("wb") as stage:
        for chunk in _chunks(sheet.rows(), CHUNK):
            parsed: list[tuple[int, dict[str, Any], list[RowError]]] = []
            for number, cells in chunk:
                values, errors = parse_row(number, cells, sheet.columns, index)
                complete_from_id_number(values)
                parsed.append((number, values, errors))
            ids = [v["id_number"] for _, v, _ in parsed if v.get("id_number")]
            existing = {row["id_number"]: row for row in Member.objects.filter(id_number__in=ids).values("pk", *COMPARED)}
            staged: list[tuple[int, int | None, dict[str, Any]]] = []
            for number, values, errors in parsed:
                result.total += 1
                number_value = values.get("id_number", "")
                if number_value in seen_ids:
                    errors.append(RowError(number, "公民身份号码", f"与第{seen_ids[number_value]}行的公民身份号码重复。"))
                elif number_value:
                    seen_ids[number_value] = number
                current = existing.get(number_value)
                # The index holds every 党支部 in the importer's scope: a member elsewhere is out of it.
                if current is not None and current["branch_id"] not in index.by_pk:
                    errors.append(
                        RowError(number, "公民身份号码", "该党员已在其他党组织登记，不在您的管理范围内，请通过组织关系转接办理。")
                    )
                    current = None
                if current is not None and current["state"] in ENDED_STATES:
                    label = MemberState(current["state"]).label.removeprefix("已")
                    errors.append(RowError(number, "姓名", f"该党员已{label}，档案不能再修改。"))
                    current = None
                if current is not None and "group_id" not in values:
                    # No 所在党小组 column: the member stays in their group unless they change branch.
                    same_branch = values.get("branch_id", current["branch_id"]) == current["branch_id"]
                    values["group_id"] = current["group_id"] if same_branch else None
                try:
                    values["state"] = state_from_flags(values, current["state"] if current else None)
                except CellError as exc:
                    errors.append(RowError(number, "是否流动党员", str(exc)))
                # The row rules run even when a cell failed, so the user sees every problem of the
                # row at once; a rule error on a column that already has one adds nothing.
                failed_columns = {e.column for e in errors}
                merged = dict(values)
                if current is not None:
                    # Columns absent from the file keep their current values.
                    for name in COMPARED:
                        if name not in merged and name not in present_fields:
                            merged[name] = current[name]
                if not merged.get("gender"):
                    # Blank only when the ID number cannot give it, and that is reported already.
                    merged.pop("gender", None)
                branch = index.by_pk.get(merged.get("branch_id"))
                group = index.by_pk.get(merged.get("group_id")) if merged.get("group_id") else None
                for field_name, message in check_member_record(merged, branch=branch, group=group).items():
                    header = HEADER_OF.get(field_name, field_name)
                    if header not in failed_columns:
                        errors.append(RowError(number, header, message))
                if errors:
                    result.errors.extend(errors)
                    error_rows.add(number)
                    continue
                if current is None:
                    result.new += 1
                    staged.append((number, None, values))
                    continue
                diff = [
                    (name, current[name], values[name]) for name in COMPARED if name in values and values[name] != current[name]
                ]
                if not diff:
                    result.unchanged += 1
                    continue
                result.changed += 1
                staged.append((number, current["pk"], values))
                if len(result.changes) < MAX_STORED_CHANGES:
                    result.changes.append(
                        {
                            "row": number,
                            "name": values.get("name") or "",
                            "id": mask_id_number(number_value),
                            "changes": [
                                [HEADER_OF.get(name, name), display_value(name, old, index), display_value(name, new, index)]
                                for name, old, new in diff
                            ],
                        }
                    )
            if staged:
                pickle.dump(staged, stage, protocol=pickle.HIGHEST_PROTOCOL)
            if progress:
                progress(result.total, sheet.total_rows)
    result.error_rows = len(error_rows)
    result.errors.sort(key=lambda e: e.row)
    return result


def _chunks(rows: Iterator[tuple[int, list[Any]]], size: int) -> Iterator[list[tuple[int, list[Any]]]]:
    chunk: list[tuple[int, list[Any]]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _staged_chunks(path: Path) -> Iterator[list[tuple[int, int | None, dict[str, Any]]]]:
    with path.open("rb") as handle:
        while True:
            try:
                yield pickle.load(handle)
            except EOFError:
                return


class StaleImport(Exception):
    """The roster changed after the preview in a way the preview did not allow for."""


@dataclass
class ApplyResult:
    created: int = 0
    updated: int = 0


def import_apply(*, job_pk: int, user: User, reason: str, expected_total: int, progress: Progress | None = None) -> ApplyResult:
    """Write the staged rows: one transaction, all or nothing. Only one import writes at a time
    (a row lock on the roster import lock)."""
    result = ApplyResult()
    scope = scope_for(user)
    now = timezone.now()
    with transaction.atomic():
        RosterImportLock.objects.select_for_update().get_or_create(pk=1)
        done = 0
        for chunk in _staged_chunks(staged_path(job_pk)):
            ids = [values["id_number"] for _, _, values in chunk]
            existing = {m.id_number: m for m in Member.objects.filter(id_number__in=ids).select_related("branch")}
            to_create: list[dict[str, Any]] = []
            to_update: list[Member] = []
            touched: set[str] = set()
            for _number, member_pk, values in chunk:
                current = existing.get(values["id_number"])
                if current is None and member_pk is not None:
                    raise StaleImport("预览后有党员被移出名单，请重新上传预览。")
                if current is not None and current.pk != member_pk:
                    raise StaleImport("预览后名单发生了变化，请重新上传预览。")
                if current is not None:
                    if not scope.covers_path(current.branch.path) or current.state in ENDED_STATES:
                        raise StaleImport("预览后名单发生了变化，请重新上传预览。")
                    changed = [name for name in COMPARED if name in values and getattr(current, name) != values[name]]
                    if not changed:
                        continue
                    for name in changed:
                        setattr(current, name, values[name])
                    if "state" in changed:
                        current.state_changed_on = timezone.localdate(now)
                        current.state_reason = reason
                    current.updated_at = now
                    touched.update(changed)
                    to_update.append(current)
                else:
                    to_create.append(values)
            if to_create:
                create_members_with_history(to_create, user=user, reason=reason, when=now)
                result.created += len(to_create)
            if to_update:
                fields = sorted(touched | {"updated_at", "state_changed_on", "state_reason"})
                bulk_update_with_history(
                    to_update,
                    Member,
                    fields=fields,
                    batch_size=500,
                    default_user=user,
                    default_change_reason=reason,
                    default_date=now,
                )
                result.updated += len(to_update)
            done += len(chunk)
            if progress:
                progress(done, expected_total)
    return result
