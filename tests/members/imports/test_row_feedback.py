"""A row shows all its problems at once; a blank state flag changes nothing."""

from __future__ import annotations

import datetime
from pathlib import Path

from members.imports.services import roster_import_confirm
from members.roster.choices import MemberState
from members.roster.services import member_change_state
from tests.conftest import World
from tests.members.imports.files import BASIC_HEADERS, errors_of, member_row, person_id, start, write_csv

HEADERS = [*BASIC_HEADERS, "是否失联党员", "是否流动党员"]


def test_a_row_with_a_bad_branch_also_reports_its_bad_dates(world: World, tmp_path: Path) -> None:
    row = member_row("错两处", person_id(1), branch="不存在的支部", 入党日期="2015-07-01", 转正日期="2014-07-01")
    job = start(world.staff, write_csv(tmp_path / "x.csv", HEADERS, [row]))
    columns = {column for _row, column, _message in errors_of(job)}
    assert {"所在党支部", "转正日期"} <= columns


def test_a_blank_flag_keeps_a_mobile_member_mobile_and_no_clears_it(world: World, tmp_path: Path) -> None:
    member_change_state(
        member=world.member_a2, state=MemberState.MOBILE, on=datetime.date(2026, 1, 5), reason="外出务工", destination="深圳"
    )
    world.member_a2.refresh_from_db()
    m = world.member_a2
    same = {"入党日期": m.joined_on.isoformat(), "转正日期": m.confirmed_on.isoformat(), "手机号码": m.phone}
    blank = member_row(m.name, m.id_number, **same, 是否失联党员="", 是否流动党员="")
    job = start(world.staff, write_csv(tmp_path / "blank.csv", HEADERS, [blank]))
    assert (job.count_changed, job.count_unchanged) == (0, 1)

    cleared = member_row(m.name, m.id_number, **same, 是否失联党员="否", 是否流动党员="否")
    job = start(world.staff, write_csv(tmp_path / "no.csv", HEADERS, [cleared]))
    assert job.count_changed == 1
    roster_import_confirm(job=job, user=world.staff)
    m.refresh_from_db()
    assert m.state == MemberState.NORMAL
