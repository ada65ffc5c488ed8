from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from partybuild.accounts.middleware import LOGIN_AT_KEY
from partybuild.accounts.models import User


@receiver(user_logged_in)
def _stamp_login_time(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_AT_KEY] = int(time.time())
