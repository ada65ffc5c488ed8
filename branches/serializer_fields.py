"""Serializer fields about organizations, for every app's API.

``WritableOrganizationField``: an organization id in a request body, looked up through
``partybuild.accounts.access``; one outside the user's scope gets the same answer as one that does
not exist.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import serializers

from branches.filters import MAX_ID
from branches.models import Organization
from branches.selectors import get_org_for_user


class WritableOrganizationField(serializers.IntegerField):
    """An organization id in a request body, looked up through ``get_org_for_user(write=True)``.
    One outside the user's scope gets the same answer as one that does not exist. Callers say
    what may not be done in a read-only organization (``error_messages={"read_only": ...}``)."""

    default_error_messages = {
        "required": "请选择党组织。",
        "null": "请选择党组织。",
        "invalid": "党组织ID应为整数。",
        "min_value": "所选党组织不存在。",
        "max_value": "所选党组织不存在。",
        "does_not_exist": "所选党组织不存在。",
        "read_only": "您没有修改该党组织的权限。",
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)

    def run_validation(self, data: Any = serializers.empty) -> Organization:  # type: ignore[override]
        pk = super().run_validation(data)  # an integer within the bounds
        try:
            return get_org_for_user(self.context["request"].user, pk, write=True)
        except Http404:
            raise serializers.ValidationError(self.error_messages["does_not_exist"], code="does_not_exist") from None
        except PermissionDenied:
            raise serializers.ValidationError(self.error_messages["read_only"], code="read_only") from None

    def to_representation(self, value: Any) -> int:
        return value.pk if isinstance(value, Organization) else int(value)
