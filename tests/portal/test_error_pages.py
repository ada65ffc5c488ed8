"""The 400 and 500 pages: Chinese, in the portal's look, and rendered the way Django renders them
(an empty Context: no request, no context processors), so that they cannot fail themselves."""

from __future__ import annotations

import pytest
from django.template import Context, loader
from django.test import RequestFactory
from django.views.defaults import bad_request, server_error


@pytest.mark.parametrize(("name", "title"), [("500.html", "系统出错"), ("400.html", "请求有误")])
def test_error_template_renders_with_a_plain_context(name: str, title: str) -> None:
    html = loader.get_template(name).template.render(Context())
    assert title in html and 'lang="zh-hans"' in html
    assert "/static/css/portal.css" in html and 'href="/"' in html


def test_server_error_view_answers_500_in_chinese() -> None:
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "系统出错" in response.content.decode()


def test_bad_request_view_answers_400_in_chinese() -> None:
    response = bad_request(RequestFactory().get("/"), Exception("bad"))
    assert response.status_code == 400
    assert "请求有误" in response.content.decode()
