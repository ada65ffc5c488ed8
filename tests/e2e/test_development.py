"""发展党员 in a browser: the secretary of branch A records an application from her pipeline, lands
on the record, records the talk with the form the page offers, and sees the next step; and she
takes a person through every stage to 转正, correcting the branch meeting's vote on the way."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from members.development.models import DevelopmentRecord, DevelopmentStage
from members.roster.choices import MemberType
from partybuild.periods import add_years
from tests.conftest import World
from tests.e2e.conftest import log_in, screenshot
from tests.factories import valid_id_number

pytestmark = pytest.mark.e2e


def test_secretary_records_an_application_and_the_talk(page: Page, e2e_world: World) -> None:
    today = timezone.localdate()
    applied_on = today - datetime.timedelta(days=3)
    log_in(page, "secretary_a")
    page.goto("/development/")
    expect(page.get_by_role("heading", name="发展党员")).to_be_visible()
    expect(page.locator("#stage-applicant")).to_contain_text("暂无")
    page.get_by_role("link", name="登记入党申请").click()

    expect(page.get_by_label("受理党支部")).to_have_value(str(e2e_world.branch_a.pk))
    page.get_by_label("入党申请日期").fill(applied_on.isoformat())
    page.get_by_label("姓名", exact=True).fill("吴申请")
    page.get_by_label("公民身份号码").fill(valid_id_number(datetime.date(2000, 8, 8)))
    page.get_by_role("button", name="保存").click()

    expect(page.get_by_role("heading", name="吴申请")).to_be_visible()
    expect(page.locator("#stage-badge")).to_have_text("入党申请人")
    expect(page.locator("#timeline")).to_contain_text(f"{applied_on:%Y-%m-%d} 提出入党申请")
    talk = page.locator("#step-talk")
    talk.get_by_label("谈话日期").fill(today.isoformat())
    talk.get_by_label("谈话人").fill("甲支部书记")
    talk.get_by_role("button", name="登记").click()

    expect(page.get_by_role("alert").first).to_contain_text("已登记：谈话。")
    expect(page.locator("#timeline")).to_contain_text(f"{today:%Y-%m-%d} 党组织派人谈话")
    expect(page.locator("#step-activist")).to_contain_text("确定为入党积极分子")
    screenshot(page, "development_detail")
    record = DevelopmentRecord.objects.get()
    assert (record.stage, record.talked_on, record.talked_by) == (DevelopmentStage.APPLICANT, today, "甲支部书记")

    page.goto("/development/")
    expect(page.locator("#stage-applicant")).to_contain_text("吴申请")


def _fill_vote(form: Locator, voted_on: datetime.date, entitled: int, present: int, votes_for: int) -> None:
    form.get_by_label("支部党员大会日期").fill(voted_on.isoformat())
    form.get_by_label("应到会有表决权的正式党员").fill(str(entitled))
    form.get_by_label("实到会有表决权的正式党员").fill(str(present))
    form.get_by_label("赞成", exact=True).fill(str(votes_for))
    form.get_by_label("反对", exact=True).fill("0")
    form.get_by_label("弃权", exact=True).fill(str(present - votes_for))


def test_secretary_takes_an_applicant_to_full_membership_and_corrects_the_vote(page: Page, e2e_world: World) -> None:
    """The whole procedure through the record page's forms, with past dates that meet the rules:
    the talk within a month, more than a year as 积极分子, three days of training, a 公示 of three
    weeks (at least 5 working days whatever the holidays), the 党委's approval within 3 months,
    the 转正 vote once the year of 预备期 is over. On the way the vote is corrected."""
    today = timezone.localdate()
    applied_on = today - datetime.timedelta(days=900)
    talked_on = applied_on + datetime.timedelta(days=10)
    activist_on = applied_on + datetime.timedelta(days=30)
    candidate_on = add_years(activist_on, 1) + datetime.timedelta(days=10)
    training_on = candidate_on + datetime.timedelta(days=10)
    publicity_on = candidate_on + datetime.timedelta(days=20)
    publicity_end = publicity_on + datetime.timedelta(days=20)
    pre_reviewed_on = publicity_end + datetime.timedelta(days=5)
    voted_on = pre_reviewed_on + datetime.timedelta(days=5)
    approved_on = voted_on + datetime.timedelta(days=20)
    confirmation_on = add_years(voted_on, 1) + datetime.timedelta(days=5)
    confirmed_on = confirmation_on + datetime.timedelta(days=10)
    assert confirmed_on < today

    log_in(page, "secretary_a")
    page.goto(f"/development/new/?org={e2e_world.branch_a.pk}")
    page.get_by_label("入党申请日期").fill(applied_on.isoformat())
    page.get_by_label("姓名", exact=True).fill("郑发展")
    page.get_by_label("公民身份号码").fill(valid_id_number(datetime.date(1995, 5, 5)))
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", name="郑发展")).to_be_visible()
    timeline = page.locator("#timeline")

    def record_step(step: str, button: str = "登记", **fields: str) -> Locator:
        form = page.locator(f"#step-{step}")
        for label, value in fields.items():
            form.get_by_label(label, exact=True).fill(value)
        form.get_by_role("button", name=button).click()
        return form

    record_step("talk", 谈话日期=talked_on.isoformat(), 谈话人="甲支部书记")
    expect(timeline).to_contain_text(f"{talked_on:%Y-%m-%d} 党组织派人谈话")

    activist = page.locator("#step-activist")
    activist.get_by_label("确定为入党积极分子日期").fill(activist_on.isoformat())
    activist.get_by_label("张党员").check()
    activist.get_by_label("其他培养联系人").fill("孙联系")
    activist.get_by_role("button", name="登记").click()
    expect(page.locator("#stage-badge")).to_have_text("入党积极分子")
    expect(timeline).to_contain_text("培养联系人：张党员")

    record_step("candidate", 确定为发展对象日期=candidate_on.isoformat())
    expect(page.locator("#stage-badge")).to_have_text("发展对象")
    record_step("political_review", 政治审查日期=(candidate_on + datetime.timedelta(days=5)).isoformat(), 政治审查结论="合格")
    record_step(
        "training",
        培训开始日期=training_on.isoformat(),
        培训结束日期=(training_on + datetime.timedelta(days=2)).isoformat(),
        培训天数="3",
    )
    record_step("publicity", 公示开始日期=publicity_on.isoformat(), 公示结束日期=publicity_end.isoformat())
    expect(timeline).to_contain_text(f"{publicity_on:%Y-%m-%d} 至 {publicity_end:%Y-%m-%d} 公示")
    record_step("pre_review", 党委预审日期=pre_reviewed_on.isoformat())
    expect(timeline).to_contain_text(f"{pre_reviewed_on:%Y-%m-%d} 党委预审")

    vote = page.locator("#step-admission_vote")
    _fill_vote(vote, voted_on, entitled=10, present=8, votes_for=7)
    vote.get_by_role("button", name="登记表决结果").click()
    expect(timeline).to_contain_text("实到会：8名；表决结果：赞成7票、反对0票、弃权1票")

    # The vote was typed wrong: corrected from the timeline, first without the reason.
    page.locator("#fact-admission_vote summary").click()
    fix = page.locator("#fix-admission_vote")
    expect(fix.get_by_label("实到会有表决权的正式党员")).to_have_value("8")
    fix.get_by_label("实到会有表决权的正式党员").fill("9")
    fix.get_by_label("赞成", exact=True).fill("8")
    fix.get_by_role("button", name="保存更正").click()
    fix = page.locator("#fix-admission_vote")
    expect(fix).to_be_visible()  # back open, with what was typed and the error under the field
    expect(fix.get_by_label("实到会有表决权的正式党员")).to_have_value("9")
    expect(fix.get_by_label("更正原因").locator("xpath=..")).to_contain_text("请填写更正原因。")
    fix.get_by_label("更正原因").fill("按会议记录更正")
    fix.get_by_role("button", name="保存更正").click()
    expect(page.get_by_role("alert").first).to_contain_text("已更正支部党员大会表决结果（接收预备党员）。")
    expect(timeline).to_contain_text("实到会：9名；表决结果：赞成8票、反对0票、弃权1票")
    expect(page.locator("#history")).to_contain_text("更正支部党员大会表决结果（接收预备党员）：按会议记录更正")
    screenshot(page, "development_vote_corrected")

    record_step("admission_approve", button="登记审批", 党委审批日期=approved_on.isoformat())
    expect(page.locator("#stage-badge")).to_have_text("预备党员")
    expect(page.locator("#fact-admission_vote summary")).to_have_count(0)  # approved: no more correction
    expect(page.locator("#person")).to_have_count(0)  # on the roster: corrected there

    # On the roster as 预备党员, 入党日期 the day of the vote.
    page.locator("#roster-link").click()
    expect(page.get_by_role("heading", name="郑发展", exact=True)).to_be_visible()
    expect(page.locator("body")).to_contain_text("预备党员")
    page.goto("/members/?q=郑发展")
    expect(page.locator("#member-rows").get_by_role("link", name="郑发展")).to_be_visible()
    page.go_back()
    page.go_back()

    confirmation = page.locator("#step-confirmation_vote")
    _fill_vote(confirmation, confirmation_on, entitled=10, present=9, votes_for=9)
    confirmation.get_by_role("button", name="登记表决结果").click()
    expect(timeline).to_contain_text(f"{confirmation_on:%Y-%m-%d} 支部党员大会讨论转正")
    record_step("confirm", button="登记审批", 转正审批日期=confirmed_on.isoformat())
    expect(page.locator("#stage-badge")).to_have_text("正式党员")
    expect(page.locator("#next-step")).to_have_count(0)

    record = DevelopmentRecord.objects.select_related("member").get(name="郑发展")
    assert (record.stage, record.admission_present, record.admission_for) == (DevelopmentStage.FULL, 9, 8)
    assert record.member is not None
    assert (record.member.member_type, record.member.joined_on) == (MemberType.FULL, voted_on)
    assert record.member.confirmed_on == record.probation_ends_on == add_years(voted_on, 1)
