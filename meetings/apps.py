from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "组织生活"

    def ready(self) -> None:
        from django.db import transaction
        from django.db.models.signals import post_save

        from meetings.models import FrequencyRule
        from meetings.selectors import bump_life_version

        # A new version of a rule (the admin, a data migration) changes what compliance says.
        def rule_saved(**kwargs: object) -> None:
            transaction.on_commit(bump_life_version)

        post_save.connect(rule_saved, sender=FrequencyRule, weak=False, dispatch_uid="meetings.rule_saved")
