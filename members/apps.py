from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "党员"

    def ready(self) -> None:
        # The tree's pages (branches, a layer below) read members through branches.roster.Roster.
        # Models can be imported only once the registry is ready, hence here.
        from branches.roster import register_roster
        from members.roster.org_selectors import OrganizationRoster

        register_roster(OrganizationRoster())

        # 出党/去世 return the member's open transfers: the receiver of members.roster.services'
        # member_left_party signal lives with the transfer services.
        from members.transfers import step_services  # noqa: F401
