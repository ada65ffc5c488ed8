"""Browser tests: Playwright for Python driving Debian's chromium against pytest-django's live server.

One browser per session, a fresh context (cookies, storage) per test. The data is the shared
`world` fixture from tests/conftest.py; live_server makes the database transactional, so the
server thread sees the rows the test created.

No browser is ever downloaded (`playwright install` is not used): without /usr/bin/chromium the
tests are skipped, so `make test` still passes on a machine that has no chromium.
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.apps import apps as django_apps

try:
    import playwright  # noqa: F401
except ImportError:  # requirements-dev.txt installs it; without it there is nothing to drive a browser with
    collect_ignore_glob = ["test_*.py"]

from tests.conftest import PASSWORD, World

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page
    from pytest_django.live_server_helper import LiveServer

CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SKIP_REASON = (
    f"未安装 chromium（{CHROMIUM}），跳过浏览器测试；安装：apt-get install -y chromium / "
    f"chromium not found at {CHROMIUM}, browser tests skipped; install it with apt-get install -y chromium"
)
# Where a test can drop a screenshot when asked (E2E_SCREENSHOTS=/some/dir).
SCREENSHOT_DIR = os.environ.get("E2E_SCREENSHOTS", "")
TIMEOUT_MS = 10_000


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One headless chromium for all the browser tests (starting it costs about a second)."""
    if not CHROMIUM.exists():
        pytest.skip(SKIP_REASON)
    sync_api = pytest.importorskip("playwright.sync_api", reason="未安装 playwright / playwright is not installed")
    # While Playwright's sync API runs, an asyncio loop is marked running in this thread, and Django
    # refuses ORM calls (fixtures, the database flush) as "async unsafe". They are plain synchronous
    # calls, so allow them, but only while the browser runs: package scope stops Playwright and
    # restores the variable before the rest of the suite (a subprocess running
    # `check --deploy` would otherwise inherit it and fail async.E001).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_api.sync_playwright().start()
    try:
        try:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        except Exception as exc:  # a broken chromium install should not look like a failing portal
            pytest.skip(f"chromium 无法启动 / chromium failed to start: {exc}")
        yield browser
        browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


# Data migrations that seed rule tables (each has a seed(apps, schema_editor) function).
SEEDING_MIGRATIONS = (
    "meetings.migrations.0002_default_frequency_rules",
    "members.migrations.0005_default_dues_rules",
    "members.migrations.0009_default_development_rules",
    "members.migrations.0014_default_management_rules",
)


@pytest.fixture
def e2e_world(transactional_db: None, live_server: LiveServer, world: World) -> World:
    """The shared world, committed so the live server's thread can read it.

    A transactional test empties every table when it ends, rows seeded by data migrations
    included; the rule tables they seed are put back here so that every browser test sees them,
    whichever ran before it."""
    for migration in SEEDING_MIGRATIONS:
        importlib.import_module(migration).seed(django_apps, None)
    return world


@pytest.fixture
def page(browser: Browser, live_server: LiveServer, e2e_world: World) -> Iterator[Page]:
    """A fresh browser context per test, pointed at the live server.

    Records static files that fail to load and JavaScript errors; a test that ends with either
    fails in teardown, because a page without its CSS or htmx is broken for the user even when
    the text is there.
    """
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 1400, "height": 900},
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    broken: list[str] = []
    page.on(
        "response",
        lambda r: broken.append(f"{r.status} {r.url}") if "/static/" in r.url and r.status >= 400 else None,
    )
    page.on("requestfailed", lambda r: broken.append(f"failed {r.url}") if "/static/" in r.url else None)
    page.on("pageerror", lambda err: broken.append(f"JavaScript error: {err}"))
    yield page
    context.close()
    if broken:
        pytest.fail("页面资源加载失败或脚本出错 / broken assets or script errors:\n" + "\n".join(broken))


def log_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Fill the login form the way a person would and wait to leave the login page."""
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def sidebar(page: Page) -> Locator:
    """The main navigation (aria-label 主导航)."""
    return page.get_by_role("navigation", name="主导航")


def screenshot(page: Page, name: str) -> None:
    """Save a full-page screenshot when E2E_SCREENSHOTS names a directory (for looking, not asserting)."""
    if SCREENSHOT_DIR:
        Path(SCREENSHOT_DIR).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOT_DIR) / f"{re.sub(r'[^A-Za-z0-9_-]', '_', name)}.png"), full_page=True)
