"""Writes to the organization tree. Views, API, admin, imports and tasks all call these."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone

from branches.models import (
    ALLOWED_PARENT_KINDS,
    KINDS_WITH_TERM,
    Organization,
    OrgKind,
    OrgStatus,
    Position,
    TermLengthRule,
    TermStatus,
)
from branches.roster import roster
from branches.selectors import bump_tree_version
from partybuild.accounts.models import Role, RoleAssignment, User
from partybuild.periods import add_months

ORG_EDITABLE_FIELDS = (
    "name",
    "short_name",
    "code",
    "kind",
    "category",
    "founded_on",
    "contact_phone",
    "address",
    "term_start",
    "term_years",
    "term_extended_until",
    "term_adjust_note",
)

# What a service may write back to an organization row: never treebeard's path/depth/numchild,
# which a stale instance would carry and a save would overwrite.
ORG_SAVE_FIELDS = (
    *ORG_EDITABLE_FIELDS,
    "term_end",
    "term_status",
    "status",
    "dissolved_on",
    "dissolve_reason",
    "updated_at",
)

DISSOLVED_MESSAGE = "该党组织已撤销，不能再修改。"


def _locked(org: Organization) -> Organization:
    """The organization's current row, locked for the rest of the transaction."""
    return Organization.objects.select_for_update().get(pk=org.pk)


def _require_active(org: Organization, message: str = DISSOLVED_MESSAGE) -> None:
    if org.status != OrgStatus.ACTIVE:
        raise ValidationError({NON_FIELD_ERRORS: message})


def check_parent_kind(kind: str, parent: Organization | None) -> None:
    allowed = ALLOWED_PARENT_KINDS[kind]
    parent_kind = parent.kind if parent else None
    if parent_kind in allowed:
        return
    label = OrgKind(kind).label
    if parent is None:
        raise ValidationError({"parent": f"{label}不能作为最高一级党组织，请选择上级党组织。"})
    if parent.kind == OrgKind.GROUP:
        raise ValidationError({"parent": "党小组下不能再设党组织。"})
    names = "、".join(k.label for k in OrgKind if k in allowed)  # in tree order, not set order
    raise ValidationError({"parent": f"{label}只能设在{names}之下，不能设在{parent.get_kind_display()}之下。"})


TERM_INPUT_FIELDS = ("term_start", "term_years", "term_extended_until", "term_adjust_note")


def _check_term_input(kind: str, fields: dict[str, Any]) -> None:
    """Term values typed for a kind without a term are refused, not silently dropped."""
    if kind not in KINDS_WITH_TERM and any(fields.get(name) for name in TERM_INPUT_FIELDS):
        raise ValidationError({"term_start": f"{OrgKind(kind).label}不设届期，请清空届期各项。"})


def _apply_term(org: Organization, today: datetime.date | None = None) -> None:
    if org.kind not in KINDS_WITH_TERM:
        org.term_start = None
        org.term_years = None
        org.term_extended_until = None
    elif org.term_start and org.term_years is None:
        org.term_years = TermLengthRule.years_for(org.kind, org.category)
    org.term_end = org.compute_term_end()
    org.term_status = org.compute_term_status(today or timezone.localdate(), settings.TERM_WARNING_MONTHS)


def _check_kind_against_children(org: Organization) -> None:
    if org.pk is None:
        return
    for child_kind in Organization.objects.get_children(org).values_list("kind", flat=True).distinct():
        if org.kind not in ALLOWED_PARENT_KINDS[child_kind]:
            raise ValidationError({"kind": f"该党组织下设有{OrgKind(child_kind).label}，不能改为{OrgKind(org.kind).label}。"})
    if org.kind != OrgKind.BRANCH and org.members.exists():
        raise ValidationError({"kind": "该党组织下有党员，只有党支部可以直接管理党员。"})


def _check_kind_against_roles(org: Organization) -> None:
    """A 支部书记 account is held on a 党支部; the organization cannot stop being one under it."""
    if org.kind == OrgKind.BRANCH:
        return
    if RoleAssignment.objects.filter(organization_id=org.pk, role=Role.SECRETARY, revoked_at__isnull=True).exists():
        raise ValidationError({"kind": "该党组织设有支部书记账号，只能是党支部；请先撤销支部书记角色，再修改类型。"})


@transaction.atomic
def organization_create(*, parent: Organization | None, actor: User | None = None, **fields: Any) -> Organization:
    """Create an organization under ``parent`` (None: a new top-level committee)."""
    unknown = set(fields) - set(ORG_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    org = Organization(**fields)
    if parent is not None and parent.status != OrgStatus.ACTIVE:
        raise ValidationError({"parent": "不能在已撤销的党组织下新建下级组织。"})
    check_parent_kind(org.kind, parent)
    _check_term_input(org.kind, fields)
    _apply_term(org)
    # Validate before insert; treebeard computes path/depth in add_child/add_root.
    org.full_clean(exclude=["path", "depth", "numchild"])
    org._history_user = actor
    if parent is None:
        created = Organization.objects.add_root(instance=org)
    else:
        created = Organization.objects.add_child(parent, instance=org)  # locks the parent row
    transaction.on_commit(bump_tree_version)  # cached views of the tree (the roster's 党组织 filter)
    return created


@transaction.atomic
def organization_update(*, org: Organization, actor: User | None = None, **fields: Any) -> Organization:
    unknown = set(fields) - set(ORG_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    # The caller's instance may be stale (a child added since it was loaded changes numchild):
    # apply the changes to the current row and write back only the fields a service owns.
    org = _locked(org)
    _require_active(org)
    old_kind = org.kind
    for name, value in fields.items():
        setattr(org, name, value)
    if org.kind != old_kind:
        parent = Organization.objects.get_parent(org)
        check_parent_kind(org.kind, parent)
        _check_kind_against_children(org)
        _check_kind_against_roles(org)
    _check_term_input(org.kind, fields)
    _apply_term(org)
    org.full_clean()
    org._history_user = actor
    org.save(update_fields=ORG_SAVE_FIELDS)
    transaction.on_commit(bump_tree_version)  # cached views of the tree (the roster's 党组织 filter)
    return org


@transaction.atomic
def organization_move(*, org: Organization, new_parent: Organization, actor: User | None = None) -> Organization:
    """Move ``org`` (and its subtree) under ``new_parent``."""
    org = _locked(org)
    _require_active(org)
    new_parent = Organization.objects.get(pk=new_parent.pk)
    if new_parent.pk == org.pk or new_parent.path.startswith(org.path):
        raise ValidationError({"parent": "不能移动到本组织或其下级组织之下。"})
    if new_parent.status != OrgStatus.ACTIVE:
        raise ValidationError({"parent": "不能移动到已撤销的党组织之下。"})
    check_parent_kind(org.kind, new_parent)
    current_parent = Organization.objects.get_parent(org)
    if current_parent and current_parent.pk == new_parent.pk:
        raise ValidationError({"parent": "该党组织已在所选上级党组织之下。"})
    if org.kind == OrgKind.GROUP:
        _check_group_may_leave_branch(org)
    Organization.objects.move(org, new_parent, pos="last-child")
    org = _locked(org)  # treebeard rewrote path (and the parents' numchild) in SQL
    org._history_user = actor
    org._change_reason = f"移动到 {new_parent.name}"
    org.save(update_fields=["updated_at"])  # records the move in history; the tree fields stay as moved
    transaction.on_commit(bump_tree_version)  # cached views of the tree (the roster's 党组织 filter)
    return org


def _check_group_may_leave_branch(group: Organization) -> None:
    """A 党小组's members and group leader belong to its 党支部: they do not move with it."""
    if roster().group_has_members_on_roster(group):
        raise ValidationError({NON_FIELD_ERRORS: "该党小组还有党员，请先将党员调整到其他党小组后再移动。"})
    if group.positions.filter(ended_on__isnull=True).exists():
        raise ValidationError({NON_FIELD_ERRORS: "该党小组还有在任的班子成员（党小组组长），请先办理离任后再移动。"})


@transaction.atomic
def organization_dissolve(*, org: Organization, on: datetime.date, reason: str, actor: User | None = None) -> Organization:
    """撤销: the organization stays, with its history, marked dissolved. Only an empty one."""
    org = _locked(org)
    if org.status == OrgStatus.DISSOLVED:
        raise ValidationError({"dissolve_reason": "该党组织已撤销。"})
    if not reason.strip():
        raise ValidationError({"dissolve_reason": "请填写撤销原因。"})
    if Organization.objects.get_children(org).filter(status=OrgStatus.ACTIVE).exists():
        raise ValidationError({"dissolve_reason": "该党组织还有下级党组织，请先撤销或移走下级组织。"})
    if roster().has_members_on_roster(org):
        raise ValidationError({"dissolve_reason": "该党组织还有党员，请先将党员转到其他党支部。"})
    org.status = OrgStatus.DISSOLVED
    org.dissolved_on = on
    org.dissolve_reason = reason.strip()
    org.term_status = TermStatus.NONE
    org.full_clean()
    org._history_user = actor
    org.save(update_fields=ORG_SAVE_FIELDS)
    transaction.on_commit(bump_tree_version)  # cached views of the tree (the roster's 党组织 filter)
    return org


def refresh_term_statuses(today: datetime.date | None = None) -> dict[str, int]:
    """Recompute every organization's term status with three set-based UPDATEs."""
    from django.db.models import Q
    from django.db.models.functions import Coalesce

    today = today or timezone.localdate()
    warn_until = add_months(today, settings.TERM_WARNING_MONTHS)
    qs = Organization.objects.annotate(eff_end=Coalesce("term_extended_until", "term_end"))
    has_term = Q(kind__in=list(KINDS_WITH_TERM), status=OrgStatus.ACTIVE, eff_end__isnull=False)
    counts: dict[str, int] = {}
    targets = {
        TermStatus.OVERDUE: has_term & Q(eff_end__lt=today),
        TermStatus.DUE_SOON: has_term & Q(eff_end__gte=today, eff_end__lte=warn_until),
        TermStatus.NORMAL: has_term & Q(eff_end__gt=warn_until),
        TermStatus.NONE: ~has_term,
    }
    with transaction.atomic():
        for status, condition in targets.items():
            ids = qs.filter(condition).exclude(term_status=status).values("pk")
            counts[status.value] = Organization.objects.filter(pk__in=ids).update(term_status=status)
    return counts


@transaction.atomic
def position_assign(
    *,
    org: Organization,
    member: Any,
    title: str,
    started_on: datetime.date,
    trained_on: datetime.date | None = None,
    actor: User | None = None,
) -> Position:
    org = Organization.objects.get(pk=org.pk)
    _require_active(org, "该党组织已撤销，不能新增班子成员。")
    if not member.is_on_roster:
        raise ValidationError({"member": f"{member.name}已不在册（{member.get_state_display()}），不能担任班子成员。"})
    if member.branch_id and not member.branch.path.startswith(org.path) and not org.path.startswith(member.branch.path):
        # A committee may choose members from anywhere in its subtree; a branch from its own roster.
        raise ValidationError({"member": "班子成员应为本组织或其下级组织的党员。"})
    position = Position(organization=org, member=member, title=title, started_on=started_on, trained_on=trained_on)
    position.full_clean()
    position._history_user = actor
    position.save()
    return position


@transaction.atomic
def position_end(*, position: Position, ended_on: datetime.date, reason: str = "", actor: User | None = None) -> Position:
    position = Position.objects.select_for_update().select_related("organization", "member").get(pk=position.pk)
    _require_active(position.organization, "该党组织已撤销，不能再办理班子成员离任。")
    if position.ended_on:
        raise ValidationError({"ended_on": "该职务已经离任。"})
    position.ended_on = ended_on
    position.end_reason = reason
    position.full_clean()
    position._history_user = actor
    position.save()
    return position
