"""Form fields and widgets about organizations, for every app's forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from branches.models import Organization
from branches.selectors import org_filter_options
from partybuild.accounts.models import User


class OrgChoiceField(forms.ModelChoiceField):
    """A choice of organization, each shown by its 简称."""

    def label_from_instance(self, obj: Organization) -> str:
        return obj.short_name


class OrgFilterSelect(forms.Widget):
    """The ``<select>`` of the 党组织 filter. Its options arrive as ready HTML (``options_html``,
    cached by branches.selectors.org_filter_options); rendering marks the chosen one. Django's Select renders
    one template per option: 100-180 ms for the 2,000 organizations a 工委's staff see."""

    empty_label = "全部党组织"
    bootstrap_class = "form-select"  # partybuild.web.forms styles it as a select

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.options_html = ""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        final_attrs = self.build_attrs(self.attrs, attrs)
        chosen = str(value).strip() if value not in (None, "") else ""
        options = self.options_html
        marker = f'<option value="{chosen}">'
        if chosen.isdigit() and marker in options:
            options = options.replace(marker, f'<option value="{chosen}" selected>', 1)
            blank = f'<option value="">{self.empty_label}</option>'
        else:
            blank = f'<option value="" selected>{self.empty_label}</option>'
        return format_html('<select name="{}"{}>{}{}</select>', name, flatatt(final_attrs), mark_safe(blank), mark_safe(options))


def org_picker(user: User, chosen: Organization | None, *, empty_label: str = OrgFilterSelect.empty_label) -> SafeString:
    """The 党组织 picker of a page's filter (``name="org"``, ``id="id_org"``): the active
    organizations the user sees, from the cache (one query on a miss), the chosen one marked."""
    widget = OrgFilterSelect(attrs={"class": "form-select form-select-sm", "id": "id_org"})
    widget.empty_label = empty_label
    widget.options_html = org_filter_options(user).html
    return widget.render("org", chosen.pk if chosen else "")
