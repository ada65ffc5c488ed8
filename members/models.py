"""The ``members`` app's models, gathered so that Django finds them in one app (label ``members``).

Each model lives in its domain's package; import it from there, not from here:

- ``members.roster.models``: Member and the roster's choices
- ``members.dues.models``: DuesRule, DuesAssessment, DuesPayment
- ``members.transfers.models``: Transfer
- ``members.imports.models``: RosterImport, RosterImportLock
- ``members.development.models``: DevelopmentRule, DevelopmentRecord, Cultivator
- ``members.management_rules.models``: ManagementRule
"""

from members.development.models import Cultivator, DevelopmentRecord, DevelopmentRule
from members.dues.models import DuesAssessment, DuesPayment, DuesRule
from members.imports.models import RosterImport, RosterImportLock
from members.management_rules.models import ManagementRule
from members.roster.models import Member
from members.transfers.models import Transfer

__all__ = [
    "Cultivator",
    "DevelopmentRecord",
    "DevelopmentRule",
    "DuesAssessment",
    "DuesPayment",
    "DuesRule",
    "ManagementRule",
    "Member",
    "RosterImport",
    "RosterImportLock",
    "Transfer",
]
