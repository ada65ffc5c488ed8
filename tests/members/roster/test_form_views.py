"""Creating and editing a member: scope, validation next to the field, normalization, history."""

from __future__ import annotations

import datetime

from django.test import Client
from django.urls import reverse

from branches.models import OrgKind
from members.roster.models import Member
from members.roster.validators import make_id_number
from tests.conftest import World
from tests.factories import make_org
from tests.members.conftest import form_data, member_form_data

CREATE = reverse("members:create")


def edit_url(member) -> str:
    return reverse("members:edit", args=[member.pk])


def _bad_checksum(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


# --- create ------------------------------------------------------------------------------------


def test_new_member_form_preselects_the_branch_and_offers_only_writable_branches(world: World, as_secretary_a: Client) -> None:
    response = as_secretary_a.get(CREATE, {"branch": world.branch_a.pk})
    assert response.status_code == 200
    form = response.context["form"]
    assert form["branch"].value() == world.branch_a.pk
    assert list(form.fields["branch"].queryset) == [world.branch_a]
    html = response.content.decode()
    assert "第二党支部" not in html
    assert f'<option value="{world.group_a1.pk}">第一党小组</option>' in html


def test_branch_select_offers_only_party_branches(world: World, as_staff: Client) -> None:
    kinds = {o.kind for o in as_staff.get(CREATE).context["form"].fields["branch"].queryset}
    assert kinds == {OrgKind.BRANCH}


def test_new_member_for_another_branch_is_404(world: World, as_secretary_a: Client) -> None:
    assert as_secretary_a.get(CREATE, {"branch": world.branch_b.pk}).status_code == 404


def test_member_cannot_add_members(as_member_a: Client) -> None:
    assert as_member_a.get(CREATE).status_code == 403
    assert as_member_a.post(CREATE, {}).status_code == 403


def test_create_wrong_method(as_secretary_a: Client) -> None:
    assert as_secretary_a.put(CREATE).status_code == 405


def test_create_derives_birth_date_and_gender_and_records_history(world: World, as_secretary_a: Client) -> None:
    number = make_id_number("110101", datetime.date(1991, 4, 8), 22)  # even: female
    response = as_secretary_a.post(CREATE, form_data(world, id_number=number, group=world.group_a1.pk))
    member = Member.objects.get(id_number=number)
    assert response.status_code == 302
    assert response["Location"] == reverse("members:detail", args=[member.pk])
    assert member.birth_date == datetime.date(1991, 4, 8)
    assert member.gender == "F"
    assert member.group == world.group_a1
    record = member.history.get()
    assert record.history_user == world.secretary_a
    assert record.history_change_reason == "新增党员"


def test_create_normalizes_full_width_digits_and_lower_case_x(world: World, as_secretary_a: Client) -> None:
    number = next(n for n in (make_id_number("320102", datetime.date(1988, 8, 8), s) for s in range(1000)) if n.endswith("X"))
    typed = "".join(chr(ord(ch) + 0xFEE0) for ch in number[:17]) + "x"
    as_secretary_a.post(CREATE, form_data(world, id_number=typed))
    assert Member.objects.filter(id_number=number).exists()


def test_unknown_region_code_is_accepted(world: World, as_secretary_a: Client) -> None:
    number = make_id_number("999999", datetime.date(1988, 8, 8), 5)
    assert as_secretary_a.post(CREATE, form_data(world, id_number=number)).status_code == 302
    assert Member.objects.filter(id_number=number).exists()


def test_bad_checksum_is_shown_next_to_the_field_and_the_form_keeps_what_was_typed(world: World, as_secretary_a: Client) -> None:
    bad = _bad_checksum(make_id_number("110101", datetime.date(1991, 4, 8), 3))
    response = as_secretary_a.post(CREATE, form_data(world, id_number=bad, name="错号码"))
    assert response.status_code == 200
    assert response.context["form"].errors["id_number"] == ["公民身份号码校验位不正确，请核对。"]
    html = response.content.decode()
    assert "校验位不正确" in html
    assert f'value="{bad}"' in html
    assert 'value="错号码"' in html
    assert "is-invalid" in html
    assert not Member.objects.filter(name="错号码").exists()


def test_birth_date_mismatch_is_refused(world: World, as_secretary_a: Client) -> None:
    number = make_id_number("110101", datetime.date(1991, 4, 8), 3)
    response = as_secretary_a.post(CREATE, form_data(world, id_number=number, birth_date="1991-04-09"))
    assert "号码中为1991-04-08" in response.context["form"].errors["birth_date"][0]
    assert not Member.objects.filter(id_number=number).exists()


def test_full_member_without_confirmation_date_is_refused_next_to_that_field(world: World, as_secretary_a: Client) -> None:
    response = as_secretary_a.post(CREATE, form_data(world, confirmed_on=""))
    assert response.context["form"].errors["confirmed_on"] == ["正式党员必须填写转正日期。"]
    assert not Member.objects.filter(name="刘新党员").exists()


def test_probationary_member_with_confirmation_date_is_refused(world: World, as_secretary_a: Client) -> None:
    response = as_secretary_a.post(CREATE, form_data(world, member_type="probationary"))
    assert response.context["form"].errors["confirmed_on"] == ["预备党员不应填写转正日期。"]
    response = as_secretary_a.post(CREATE, form_data(world, member_type="probationary", confirmed_on=""))
    assert response.status_code == 302


def test_confirmation_before_joining_is_refused(world: World, as_secretary_a: Client) -> None:
    response = as_secretary_a.post(CREATE, form_data(world, confirmed_on="2016-01-01"))
    assert response.context["form"].errors["confirmed_on"] == ["转正日期必须晚于入党日期。"]


def test_branch_outside_scope_is_an_invalid_choice(world: World, as_secretary_a: Client) -> None:
    response = as_secretary_a.post(CREATE, form_data(world, branch=world.branch_b.pk))
    assert "branch" in response.context["form"].errors
    assert not Member.objects.filter(name="刘新党员").exists()


def test_committee_is_not_a_valid_branch(world: World, as_staff: Client) -> None:
    response = as_staff.post(CREATE, form_data(world, branch=world.committee.pk))
    assert "branch" in response.context["form"].errors
    assert not Member.objects.filter(name="刘新党员").exists()


def test_group_of_another_branch_is_refused(world: World, as_staff: Client) -> None:
    group_c1 = make_org(world.branch_c, OrgKind.GROUP, "直属党支部第一党小组", short_name="直属一组")
    response = as_staff.post(CREATE, form_data(world, group=group_c1.pk))
    assert response.context["form"].errors["group"] == ["所选党小组不属于该党支部。"]
    assert not Member.objects.filter(name="刘新党员").exists()


def test_duplicate_id_number_is_refused_next_to_the_field(world: World, as_secretary_a: Client) -> None:
    response = as_secretary_a.post(CREATE, form_data(world, id_number=world.member_a.id_number))
    assert response.context["form"].errors["id_number"]
    assert Member.objects.filter(id_number=world.member_a.id_number).count() == 1


def test_id_number_is_kept_out_of_error_reports(world: World, as_secretary_a: Client) -> None:
    response = as_secretary_a.post(CREATE, form_data(world, id_number="bad"))
    assert response.wsgi_request.sensitive_post_parameters == ("id_number",)
    response = as_secretary_a.post(edit_url(world.member_a), member_form_data(world.member_a, id_number="bad"))
    assert response.wsgi_request.sensitive_post_parameters == ("id_number",)


# --- edit --------------------------------------------------------------------------------------


def test_edit_form_shows_current_values(world: World, as_secretary_a: Client) -> None:
    response = as_secretary_a.get(edit_url(world.member_a))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'value="{world.member_a.id_number}"' in html
    assert 'value="1985-06-15"' in html
    assert f'<option value="{world.group_a1.pk}" selected>第一党小组</option>' in html


def test_member_cannot_edit_own_record(world: World, as_member_a: Client) -> None:
    assert as_member_a.get(edit_url(world.member_a)).status_code == 403
    response = as_member_a.post(edit_url(world.member_a), member_form_data(world.member_a, phone="13000000000"))
    assert response.status_code == 403
    world.member_a.refresh_from_db()
    assert world.member_a.phone != "13000000000"


def test_other_branch_secretary_cannot_edit(world: World, as_secretary_b: Client) -> None:
    assert as_secretary_b.get(edit_url(world.member_a)).status_code == 404
    response = as_secretary_b.post(edit_url(world.member_a), member_form_data(world.member_a, phone="13000000000"))
    assert response.status_code == 404
    world.member_a.refresh_from_db()
    assert world.member_a.phone != "13000000000"


def test_edit_wrong_method(world: World, as_secretary_a: Client) -> None:
    assert as_secretary_a.delete(edit_url(world.member_a)).status_code == 405
    assert Member.objects.filter(pk=world.member_a.pk).exists()


def test_edit_saves_changes_with_the_reason(world: World, as_secretary_a: Client) -> None:
    data = member_form_data(world.member_a, phone="139 0000 1234", job_post="综合科", is_leader="on", reason="年度信息核对")
    response = as_secretary_a.post(edit_url(world.member_a), data)
    assert response.status_code == 302, response.context["form"].errors
    world.member_a.refresh_from_db()
    assert world.member_a.phone == "13900001234"
    assert world.member_a.job_post == "综合科"
    assert world.member_a.is_leader is True
    latest = world.member_a.history.latest()
    assert latest.history_change_reason == "年度信息核对"
    assert latest.history_user == world.secretary_a


def test_edit_with_bad_id_number_changes_nothing(world: World, as_secretary_a: Client) -> None:
    before = world.member_a.id_number
    bad = _bad_checksum(before)
    response = as_secretary_a.post(edit_url(world.member_a), member_form_data(world.member_a, id_number=bad, phone="13000000000"))
    assert response.status_code == 200
    assert "校验位不正确" in response.content.decode()
    assert f'value="{bad}"' in response.content.decode()
    world.member_a.refresh_from_db()
    assert world.member_a.id_number == before
    assert world.member_a.phone != "13000000000"
    assert world.member_a.history.count() == 1


def test_edit_moves_member_to_another_branch_in_scope_and_drops_the_group(world: World, as_staff: Client) -> None:
    response = as_staff.post(edit_url(world.member_a), member_form_data(world.member_a, branch=world.branch_c.pk, group=""))
    assert response.status_code == 302
    world.member_a.refresh_from_db()
    assert world.member_a.branch == world.branch_c
    assert world.member_a.group is None


def test_edit_keeping_a_group_of_the_old_branch_is_refused(world: World, as_staff: Client) -> None:
    response = as_staff.post(edit_url(world.member_a), member_form_data(world.member_a, branch=world.branch_b.pk))
    assert response.context["form"].errors["group"] == ["所选党小组不属于该党支部。"]
    world.member_a.refresh_from_db()
    assert world.member_a.branch == world.branch_a


def test_edit_has_no_state_or_delete_control(world: World, as_secretary_a: Client) -> None:
    html = as_secretary_a.get(edit_url(world.member_a)).content.decode()
    assert 'name="state"' not in html
    assert "删除" not in html


# --- group options (htmx) ----------------------------------------------------------------------


def test_group_options_follow_the_chosen_branch(world: World, as_secretary_a: Client) -> None:
    response = as_secretary_a.get(reverse("members:groups"), {"branch": world.branch_a.pk})
    assert response.status_code == 200
    assert f'<option value="{world.group_a1.pk}">第一党小组</option>' in response.content.decode()
    assert "请先选择党支部" in as_secretary_a.get(reverse("members:groups")).content.decode()


def test_group_options_of_another_branch_are_404(world: World, as_secretary_a: Client) -> None:
    assert as_secretary_a.get(reverse("members:groups"), {"branch": world.branch_b.pk}).status_code == 404
    assert as_secretary_a.post(reverse("members:groups"), {"branch": world.branch_a.pk}).status_code == 405


def test_branch_select_reloads_the_group_select(world: World, as_secretary_a: Client) -> None:
    html = as_secretary_a.get(CREATE).content.decode()
    assert f'hx-get="{reverse("members:groups")}"' in html
    assert 'hx-target="#id_group"' in html


def test_typed_gender_that_contradicts_the_number_is_refused(world: World, as_secretary_a: Client) -> None:
    number = make_id_number("110101", datetime.date(1991, 4, 8), 22)  # even: female
    response = as_secretary_a.post(CREATE, form_data(world, id_number=number, gender="M"))
    assert "性别与公民身份号码不符" in response.context["form"].errors["gender"][0]
    assert not Member.objects.filter(id_number=number).exists()


def test_legacy_record_whose_gender_disagrees_stays_editable(world: World, as_secretary_a: Client) -> None:
    member = world.member_a
    wrong = "F" if member.id_number[16] in "13579" else "M"
    Member.objects.filter(pk=member.pk).update(gender=wrong)
    member.refresh_from_db()
    response = as_secretary_a.post(edit_url(member), member_form_data(member, phone="13100000000"))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.phone == "13100000000"
