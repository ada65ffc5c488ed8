from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "partybuild.accounts"
    label = "accounts"
    verbose_name = "账号与角色"

    def ready(self) -> None:
        # Connects the login signal's receiver (the login time that the 12-hour limit counts from).
        from partybuild.accounts import signals  # noqa: F401
