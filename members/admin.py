"""The members app's admin, gathered so that Django's admin autodiscovery finds every sub-package's
registrations (each ModelAdmin lives beside its model)."""

from members.development import admin as development_admin
from members.dues import admin as dues_admin
from members.management_rules import admin as management_rules_admin
from members.roster import admin as roster_admin

__all__ = ["development_admin", "dues_admin", "management_rules_admin", "roster_admin"]
