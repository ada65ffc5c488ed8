"""The organization tree: deeper levels load through htmx when a node is expanded."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import World
from tests.e2e.conftest import log_in, screenshot, sidebar

pytestmark = pytest.mark.e2e


def test_staff_expands_a_node_to_load_its_children_and_collapses_it_again(page: Page, e2e_world: World) -> None:
    children_requests: list[str] = []
    page.on("request", lambda r: children_requests.append(r.url) if "/children/" in r.url else None)
    log_in(page, "staff")

    sidebar(page).get_by_role("link", name="党组织").click()
    expect(page).to_have_url(re.compile(r"/orgs/$"))
    expect(page.get_by_role("heading", name="党组织")).to_be_visible()
    tree = page.get_by_role("tree")
    # Two levels are drawn: the 工委 and the organizations directly under it.
    expect(tree.get_by_role("link", name="测试市直机关工委")).to_be_visible()
    expect(tree.get_by_role("link", name="测试局机关党委")).to_be_visible()
    expect(tree.get_by_role("link", name="测试直属党总支")).to_be_visible()
    # The branches under 机关党委 are not loaded yet.
    expect(tree.get_by_role("link", name="测试局第一党支部")).to_have_count(0)

    toggle = page.get_by_role("button", name="展开机关党委的下级组织")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    with page.expect_response(f"**/orgs/{e2e_world.committee.pk}/children/") as loaded:
        toggle.click()
    assert loaded.value.status == 200
    branch_a = tree.get_by_role("link", name="测试局第一党支部")
    branch_b = tree.get_by_role("link", name="测试局第二党支部")
    expect(branch_a).to_be_visible()
    expect(branch_b).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    # The other subtree stayed as it was.
    expect(tree.get_by_role("link", name="测试直属党支部")).to_have_count(0)
    screenshot(page, "org_tree_expanded")

    toggle.click()
    expect(branch_a).to_be_hidden()
    expect(branch_b).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")

    # Expanding again shows the children without asking the server a second time.
    toggle.click()
    expect(branch_a).to_be_visible()
    assert len(children_requests) == 1, children_requests

    # A loaded child opens its own page.
    branch_a.click()
    expect(page).to_have_url(re.compile(rf"/orgs/{e2e_world.branch_a.pk}/$"))
    expect(page.get_by_role("heading", name="测试局第一党支部")).to_be_visible()
