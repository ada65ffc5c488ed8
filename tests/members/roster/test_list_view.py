"""The roster list: scope, filters, search, sort, pagination, htmx partial, fixed query count."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from branches.models import OrgKind, OrgStatus
from branches.services import organization_update
from members.roster.choices import MemberState, MemberType
from members.roster.selectors import search_q
from members.roster.services import member_change_state
from members.roster.validators import make_id_number
from partybuild.periods import add_years
from tests.conftest import World
from tests.factories import MemberFactory, make_org, valid_id_number

URL = reverse("members:list")


def names(response) -> set[str]:
    return {m.name for m in response.context["page"].object_list}


def test_secretary_sees_own_branch_members_with_full_id_numbers(world: World, as_secretary_a: Client) -> None:
    response = as_secretary_a.get(URL)
    assert response.status_code == 200
    assert names(response) == {"张党员", "李同志"}
    html = response.content.decode()
    assert world.member_a.id_number in html
    assert "王乙" not in html
    assert "第一党支部" in html


def test_staff_sees_the_whole_subtree(world: World, as_staff: Client) -> None:
    assert names(as_staff.get(URL)) == {"张党员", "李同志", "王乙", "赵丙"}


def test_member_without_other_roles_is_sent_to_own_record(world: World, as_member_a: Client) -> None:
    response = as_member_a.get(URL)
    assert response.status_code == 302
    assert response["Location"] == reverse("members:detail", args=[world.member_a.pk])


def test_anonymous_is_sent_to_login(world: World, client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_post_is_not_allowed(as_secretary_a: Client) -> None:
    assert as_secretary_a.post(URL).status_code == 405


def test_org_filter_takes_the_whole_subtree(world: World, as_staff: Client) -> None:
    assert names(as_staff.get(URL, {"org": world.committee.pk})) == {"张党员", "李同志", "王乙"}
    assert names(as_staff.get(URL, {"org": world.general.pk})) == {"赵丙"}


def test_org_filter_on_a_group_lists_its_members(world: World, as_staff: Client) -> None:
    assert names(as_staff.get(URL, {"org": world.group_a1.pk})) == {"张党员"}


def _org_options(html: str) -> list[str]:
    select = re.search(r'<select name="org"[^>]*>(.*?)</select>', html, re.S)
    assert select, "the 党组织 filter is on the page"
    return re.findall(r'<option value="(\d*)"', select.group(1))


def test_org_select_lists_visible_organizations_indented(world: World, as_staff: Client, as_secretary_a: Client) -> None:
    html = as_staff.get(URL).content.decode()
    assert f'<option value="{world.branch_a.pk}">\u3000\u3000第一党支部</option>' in html
    assert '<select name="org" class="form-select form-select-sm" id="id_org">' in html
    assert _org_options(html)[:3] == ["", str(world.root.pk), str(world.committee.pk)]
    options = _org_options(as_secretary_a.get(URL).content.decode())
    assert options == ["", str(world.branch_a.pk), str(world.group_a1.pk)]


def test_org_select_keeps_the_chosen_organization_selected(world: World, as_staff: Client) -> None:
    html = as_staff.get(URL, {"org": world.branch_a.pk}).content.decode()
    org_select = re.search(r'<select name="org".*?</select>', html, re.S).group(0)
    assert f'<option value="{world.branch_a.pk}" selected>' in org_select
    assert org_select.count(" selected>") == 1
    html = as_staff.get(URL).content.decode()
    assert '<option value="" selected>全部党组织</option>' in html


def test_org_select_escapes_organization_names(world: World, as_staff: Client) -> None:
    make_org(world.committee, OrgKind.BRANCH, "<b>第三</b>党支部", short_name="<b>&第三")
    html = as_staff.get(URL).content.decode()
    assert "&lt;b&gt;&amp;第三" in html
    assert "<b>&第三" not in html


def test_org_select_is_cached_and_a_tree_change_shows_at_once(
    world: World, as_staff: Client, django_assert_max_num_queries, django_capture_on_commit_callbacks
) -> None:
    as_staff.get(URL)  # builds and caches the options
    with django_assert_max_num_queries(10):  # one fewer: the options come from the cache
        html = as_staff.get(URL).content.decode()
    assert "第一党支部</option>" in html
    with django_capture_on_commit_callbacks(execute=True):
        organization_update(org=world.branch_a, short_name="一支部")
    html = as_staff.get(URL).content.decode()
    assert f'<option value="{world.branch_a.pk}">\u3000\u3000一支部</option>' in html


def test_org_filter_rejects_an_organization_dissolved_since_the_options_were_cached(world: World, as_staff: Client) -> None:
    """The cached options may be stale (here: the write's commit hook never ran); the check of
    the chosen organization is not."""
    as_staff.get(URL)
    world.branch_c.status = OrgStatus.DISSOLVED
    world.branch_c.save(update_fields=["status"])
    response = as_staff.get(URL, {"org": world.branch_c.pk})
    assert f'<option value="{world.branch_c.pk}"' in response.content.decode()  # still offered
    assert "org" in response.context["filter_form"].errors
    assert names(response) == {"张党员", "李同志", "王乙", "赵丙"}  # ignored, not applied


def test_org_filter_cache_is_per_scope(world: World, as_staff: Client, as_secretary_a: Client) -> None:
    as_staff.get(URL)
    options = _org_options(as_secretary_a.get(URL).content.decode())
    assert str(world.root.pk) not in options and str(world.branch_b.pk) not in options


def test_org_filter_out_of_scope_is_ignored_and_reveals_nothing(world: World, as_secretary_b: Client) -> None:
    response = as_secretary_b.get(URL, {"org": world.branch_a.pk})
    assert response.status_code == 200
    assert names(response) == {"王乙"}
    assert "已忽略" in response.content.decode()


def test_member_type_filter(world: World, as_secretary_a: Client) -> None:
    MemberFactory(name="预备甲", branch=world.branch_a, member_type=MemberType.PROBATIONARY, confirmed_on=None)
    assert names(as_secretary_a.get(URL, {"member_type": "probationary"})) == {"预备甲"}
    assert names(as_secretary_a.get(URL, {"member_type": "full"})) == {"张党员", "李同志"}


def test_default_shows_members_on_the_roster_and_all_includes_those_who_left(world: World, as_secretary_a: Client) -> None:
    member_change_state(member=world.member_a2, state=MemberState.DECEASED, on=datetime.date(2025, 1, 2), reason="病故")
    assert names(as_secretary_a.get(URL)) == {"张党员"}
    assert names(as_secretary_a.get(URL, {"state": "all"})) == {"张党员", "李同志"}
    assert names(as_secretary_a.get(URL, {"state": "ended"})) == {"李同志"}
    assert names(as_secretary_a.get(URL, {"state": "deceased"})) == {"李同志"}


def test_education_filter(world: World, as_secretary_a: Client) -> None:
    MemberFactory(name="研究生甲", branch=world.branch_a, education="postgraduate")
    assert names(as_secretary_a.get(URL, {"education": "postgraduate"})) == {"研究生甲"}


def test_age_bands_follow_birthdays_exactly(world: World, as_secretary_a: Client) -> None:
    today = timezone.localdate()
    turned_36_today = add_years(today, -36)
    MemberFactory(name="刚满36", branch=world.branch_a, birth_date=turned_36_today, id_number=valid_id_number(turned_36_today))
    still_35 = turned_36_today + datetime.timedelta(days=1)
    MemberFactory(
        name="还是35",
        branch=world.branch_a,
        birth_date=still_35,
        id_number=valid_id_number(still_35),
        joined_on=datetime.date(2015, 1, 1),
        confirmed_on=datetime.date(2016, 1, 1),
    )
    turned_61 = add_years(today, -61)
    MemberFactory(
        name="六十一",
        branch=world.branch_a,
        birth_date=turned_61,
        id_number=valid_id_number(turned_61),
        joined_on=datetime.date(1990, 1, 1),
        confirmed_on=datetime.date(1991, 1, 1),
    )
    assert "还是35" in names(as_secretary_a.get(URL, {"age": "le35"}))
    assert "刚满36" not in names(as_secretary_a.get(URL, {"age": "le35"}))
    assert "刚满36" in names(as_secretary_a.get(URL, {"age": "36_45"}))
    assert names(as_secretary_a.get(URL, {"age": "ge61"})) == {"六十一"}
    assert "六十一" not in names(as_secretary_a.get(URL, {"age": "56_60"}))


def test_joined_year_filter(world: World, as_secretary_a: Client) -> None:
    MemberFactory(
        name="二〇一八", branch=world.branch_a, joined_on=datetime.date(2018, 12, 31), confirmed_on=datetime.date(2019, 12, 31)
    )
    assert names(as_secretary_a.get(URL, {"joined_year": "2018"})) == {"二〇一八"}
    response = as_secretary_a.get(URL, {"joined_year": "abc"})
    assert names(response) == {"张党员", "李同志", "二〇一八"}
    assert "已忽略" in response.content.decode()


def test_search_by_name_phone_and_id_number_tail(world: World, as_secretary_a: Client) -> None:
    assert names(as_secretary_a.get(URL, {"q": "李"})) == {"李同志"}
    assert names(as_secretary_a.get(URL, {"q": world.member_a.phone[-6:]})) == {"张党员"}
    tail = world.member_a2.id_number[-6:]
    assert "李同志" in names(as_secretary_a.get(URL, {"q": tail}))
    full_width_tail = "".join(chr(ord(ch) + 0xFEE0) for ch in world.member_a2.id_number[-4:])
    assert "李同志" in names(as_secretary_a.get(URL, {"q": full_width_tail}))


def test_search_by_id_tail_ending_in_lower_case_x(world: World, as_secretary_a: Client) -> None:
    born = datetime.date(1980, 1, 1)
    number = next(n for n in (make_id_number("110101", born, s) for s in range(1000)) if n.endswith("X"))
    MemberFactory(name="尾号X", branch=world.branch_a, id_number=number, birth_date=born)
    assert names(as_secretary_a.get(URL, {"q": number[-5:].lower()})) == {"尾号X"}


def test_three_characters_do_not_search_id_numbers_four_do(world: World, as_secretary_a: Client) -> None:
    number = make_id_number("110101", datetime.date(1985, 6, 15), 987)
    MemberFactory(name="无手机", branch=world.branch_a, phone="", id_number=number)
    assert "无手机" not in names(as_secretary_a.get(URL, {"q": number[-3:]}))
    assert "无手机" in names(as_secretary_a.get(URL, {"q": number[-4:]}))


def test_sort_by_name_and_joined_on_both_ways(world: World, as_secretary_a: Client) -> None:
    MemberFactory(name="阿一", branch=world.branch_a, joined_on=datetime.date(1999, 7, 1), confirmed_on=datetime.date(2000, 7, 1))

    def order(sort: str) -> list[str]:
        return [m.name for m in as_secretary_a.get(URL, {"sort": sort}).context["page"].object_list]

    assert order("name") == sorted(order("name"))
    assert order("-name") == list(reversed(order("name")))
    assert order("joined_on")[0] == "阿一"
    assert order("-joined_on")[-1] == "阿一"


def test_sort_header_toggles_direction_and_keeps_filters(world: World, as_secretary_a: Client) -> None:
    response = as_secretary_a.get(URL, {"sort": "name", "member_type": "full", "page": "1"})
    sorts = response.context["sorts"]
    assert sorts["name"]["active"]
    assert "sort=-name" in sorts["name"]["url"]
    assert "member_type=full" in sorts["name"]["url"]
    assert "page=" not in sorts["name"]["url"]
    assert "sort=joined_on" in sorts["joined_on"]["url"]


def test_unknown_sort_falls_back_to_branch_order(world: World, as_secretary_a: Client) -> None:
    assert as_secretary_a.get(URL, {"sort": "id_number"}).context["sort"] == "branch"


def test_pages_of_fifty(world: World, big_branch_a, as_secretary_a: Client) -> None:
    first = as_secretary_a.get(URL)
    assert len(first.context["page"].object_list) == 50
    assert "共 122 条" in first.content.decode()
    last = as_secretary_a.get(URL, {"page": 3, "sort": "name"})
    assert len(last.context["page"].object_list) == 22
    assert "?sort=name&page=2" in last.content.decode()


def test_htmx_filter_request_gets_only_the_rows_region(world: World, as_secretary_a: Client) -> None:
    response = as_secretary_a.get(URL, {"q": "李"}, headers={"HX-Request": "true", "HX-Target": "member-rows"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="member-rows">') or 'id="member-rows"' in html.split("\n", 2)[1]
    assert "<html" not in html
    assert "李同志" in html and "张党员" not in html
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_full_page(world: World, as_secretary_a: Client) -> None:
    response = as_secretary_a.get(
        URL, headers={"HX-Request": "true", "HX-Target": "member-rows", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.content.decode()


def test_full_page_wires_the_filter_form_to_the_rows_partial(as_secretary_a: Client) -> None:
    html = as_secretary_a.get(URL).content.decode()
    assert 'hx-target="#member-rows"' in html
    assert 'hx-push-url="true"' in html
    assert 'id="member-rows"' in html


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"member_type": "full", "age": "36_45", "education": "undergraduate", "q": "党员", "sort": "-joined_on"},
        {"page": "2", "sort": "name"},
    ],
)
def test_list_query_count_does_not_grow_with_rows(
    world: World, big_branch_a, as_secretary_a: Client, django_assert_max_num_queries, params: dict[str, str]
) -> None:
    # session, user, scope, org options, count, rows, notifications (1), session renewal (3).
    with django_assert_max_num_queries(10):
        response = as_secretary_a.get(URL, params)
    assert response.status_code == 200
    assert response.context["page"].object_list


def test_staff_filtered_by_org_query_count(world: World, big_branch_a, as_staff: Client, django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(11):
        response = as_staff.get(URL, {"org": world.committee.pk, "state": "all"})
    assert len(response.context["page"].object_list) == 50


def test_org_filter_from_cached_options_costs_no_extra_query(
    world: World, big_branch_a, as_staff: Client, django_assert_max_num_queries
) -> None:
    as_staff.get(URL)  # caches the options
    with django_assert_max_num_queries(11):  # the chosen organization's check replaces the options query
        response = as_staff.get(URL, {"org": world.committee.pk, "state": "all"})
    assert len(response.context["page"].object_list) == 50


def test_org_filter_that_is_not_a_number_is_ignored(world: World, as_staff: Client) -> None:
    response = as_staff.get(URL, {"org": "abc"})
    assert "筛选条件有误（党组织）：请从列表中选择党组织，已忽略。" in response.content.decode()
    assert names(response) == {"张党员", "李同志", "王乙", "赵丙"}


def test_chinese_search_needs_no_case_folding_latin_search_ignores_case(world: World, as_secretary_a: Client) -> None:
    assert "name__contains" in str(search_q("李同")) and "icontains" not in str(search_q("李同"))
    assert "name__icontains" in str(search_q("li"))
    MemberFactory(name="Ayşe李", branch=world.branch_a)
    assert names(as_secretary_a.get(URL, {"q": "ayşe"})) == {"Ayşe李"}
    assert names(as_secretary_a.get(URL, {"q": "李"})) == {"李同志", "Ayşe李"}
