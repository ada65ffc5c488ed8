"""branches reads members only through branches.roster.Roster, which members registers."""

from branches.roster import Roster, roster
from members.roster.org_selectors import OrganizationRoster


def test_members_registers_its_roster_for_the_tree_pages():
    registered: Roster = roster()
    assert isinstance(registered, OrganizationRoster)
