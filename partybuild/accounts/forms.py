from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm

from partybuild.web.forms import style_fields


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确。连续失败5次将锁定1小时。",
        "inactive": "该账号已停用，请联系系统管理员。",
    }

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        style_fields(self)
        self.fields["username"].label = "用户名"
        self.fields["username"].widget.attrs.update({"autofocus": True, "autocomplete": "username"})
        self.fields["password"].label = "密码"
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})
