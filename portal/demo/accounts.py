"""The demo accounts, one per role, all with the demo password (reset on every run)."""

from __future__ import annotations

from branches.models import Organization, Position, PositionTitle
from members.roster.choices import MemberType
from members.roster.models import Member
from partybuild.accounts.models import Role, RoleAssignment, User
from portal.demo.tree import BRANCH_A, BRANCH_B

DEMO_PASSWORD = "Dangjian@2026"
DEMO_ACCOUNTS = [
    ("admin", "系统管理员"),
    ("staff", "党务干部（市直机关工委）"),
    ("secretary_a", "支部书记（发改委第一党支部）"),
    ("secretary_b", "支部书记（财政局第一党支部）"),
    ("member_a", "党员（发改委第一党支部）"),
]


def seed_accounts(orgs: dict[str, Organization]) -> None:

    def account(username: str, full_name: str, *, superuser: bool = False) -> User:
        user, _ = User.objects.get_or_create(username=username, defaults={"full_name": full_name})
        user.full_name = full_name
        user.is_staff = superuser
        user.is_superuser = superuser
        user.is_active = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        return user

    def grant(user: User, role: str, org: Organization | None) -> None:
        RoleAssignment.objects.get_or_create(user=user, role=role, organization=org, revoked_at=None)

    admin = account("admin", "系统管理员", superuser=True)
    grant(admin, Role.ADMIN, None)
    staff = account("staff", "工委组织部 周建华")
    grant(staff, Role.STAFF, orgs["100000"])

    for username, code in (("secretary_a", BRANCH_A), ("secretary_b", BRANCH_B)):
        branch = orgs[code]
        secretary_position = (
            Position.objects.filter(organization=branch, title=PositionTitle.SECRETARY).select_related("member").first()
        )
        name = secretary_position.member.name if secretary_position else username
        user = account(username, f"{branch.short_name}书记 {name}")
        grant(user, Role.SECRETARY, branch)
        if secretary_position and secretary_position.member.user_id in (None, user.pk):
            Member.objects.filter(pk=secretary_position.member.pk).update(user=user)
            grant(user, Role.MEMBER, branch)

    branch_a = orgs[BRANCH_A]
    member = (
        Member.objects.filter(branch=branch_a, user__isnull=True, member_type=MemberType.FULL)
        .exclude(positions__isnull=False)
        .order_by("pk")
        .first()
    )
    existing_member_a = Member.objects.filter(user__username="member_a").first()
    member_a = account("member_a", existing_member_a.name if existing_member_a else (member.name if member else "党员"))
    if existing_member_a is None and member is not None:
        Member.objects.filter(pk=member.pk).update(user=member_a)
    grant(member_a, Role.MEMBER, branch_a)
