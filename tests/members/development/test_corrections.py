"""发展党员 更正: the rules of a correction live in its services (``development_correct`` for the
record page's 更正 forms, ``development_fact_record`` for the API), not in a form or serializer."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from members.development.models import DevelopmentRecord
from members.development.services import development_correct, development_fact_record, development_person_update
from tests.conftest import World
from tests.factories import valid_id_number
from tests.members.development.test_services import D, apply, refused, to_voted


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield


VOTE = {"voted_on": D(2026, 10, 9), "entitled": 10, "present": 8, "votes_for": 7, "votes_against": 1, "abstentions": 0}


def _unchanged(record: DevelopmentRecord, versions: int) -> None:
    fresh = DevelopmentRecord.objects.get(pk=record.pk)
    assert (fresh.admission_present, fresh.admission_for, fresh.history.count()) == (8, 7, versions)


def test_a_correction_needs_a_reason_and_a_change(world: World) -> None:
    record = to_voted(world, voted_on=D(2026, 10, 9))
    versions = record.history.count()
    with pytest.raises(ValidationError) as exc:
        development_correct(
            record=record, fact="admission_vote", correction_reason=" ", actor=world.secretary_a, **{**VOTE, "present": 9}
        )
    assert refused(exc) == {"correction_reason": ["请填写更正原因。"]}
    with pytest.raises(ValidationError) as exc:
        development_correct(record=record, fact="admission_vote", correction_reason="核对", actor=world.secretary_a, **VOTE)
    assert refused(exc) == {"__all__": ["与已登记的支部党员大会表决结果（接收预备党员）相同，无需更正。"]}
    _unchanged(record, versions)

    record = development_correct(
        record=record,
        fact="admission_vote",
        correction_reason=" 按会议记录更正 ",
        actor=world.secretary_a,
        **{**VOTE, "present": 9, "votes_for": 8},
    )
    record.refresh_from_db()
    assert (record.admission_present, record.admission_for) == (9, 8)
    assert record.history.first().history_change_reason == "更正支部党员大会表决结果（接收预备党员）：按会议记录更正"


def test_a_fact_not_yet_recorded_is_not_corrected(world: World) -> None:
    record = apply(world, applied_on=D(2026, 11, 1))
    with pytest.raises(ValidationError) as exc:
        development_correct(
            record=record, fact="talk", correction_reason="", actor=world.secretary_a, talked_on=D(2026, 11, 10), talked_by="甲"
        )
    assert refused(exc) == {"correction_reason": ["请填写更正原因。"], "__all__": ["尚未登记谈话情况，请在“下一步”中登记。"]}
    record.refresh_from_db()
    assert record.talked_on is None


def test_a_fact_sent_again_is_a_correction_and_needs_its_reason(world: World) -> None:
    record = apply(world, applied_on=D(2026, 11, 1))
    talk = {"talked_on": D(2026, 11, 10), "talked_by": "甲支部书记", "reason": ""}
    # The first time it is recorded: no reason asked.
    record = development_fact_record(record=record, fact="talk", actor=world.secretary_a, **talk)
    assert record.history.first().history_change_reason == "登记谈话情况"
    with pytest.raises(ValidationError) as exc:
        development_fact_record(record=record, fact="talk", actor=world.secretary_a, **{**talk, "talked_on": D(2026, 11, 11)})
    assert refused(exc) == {"correction_reason": ["谈话情况已登记，更正须填写更正原因。"]}
    with pytest.raises(ValidationError) as exc:
        development_fact_record(record=record, fact="talk", actor=world.secretary_a, correction_reason="核对", **talk)
    assert refused(exc) == {"__all__": ["与已登记的谈话情况相同，无需更正。"]}
    record = development_fact_record(
        record=record,
        fact="talk",
        actor=world.secretary_a,
        correction_reason="日期记错",
        **{**talk, "talked_on": D(2026, 11, 11)},
    )
    record.refresh_from_db()
    assert record.talked_on == D(2026, 11, 11)
    assert record.history.first().history_change_reason == "更正谈话情况：日期记错"


# --- 修改个人信息 --------------------------------------------------------------------------------------


def test_the_persons_facts_need_a_reason_an_ethnicity_and_a_change(world: World) -> None:
    record = apply(world, applied_on=D(2026, 11, 1))
    versions = record.history.count()
    with pytest.raises(ValidationError) as exc:
        development_person_update(record=record, phone="13900002222", reason=" ", actor=world.secretary_a)
    assert refused(exc) == {"reason": ["请填写修改原因。"]}
    with pytest.raises(ValidationError) as exc:
        development_person_update(record=record, ethnicity=" ", reason="核对", actor=world.secretary_a)
    assert refused(exc) == {"ethnicity": ["请填写民族。"]}
    with pytest.raises(ValidationError) as exc:
        development_person_update(record=record, reason="核对", actor=world.secretary_a)
    assert refused(exc) == {"__all__": ["请至少填写一项要更正的个人信息。"]}
    with pytest.raises(ValidationError) as exc:
        development_person_update(
            record=record, name=record.name, phone=" 138 0000 1111 ", birth_date=None, reason="核对", actor=world.secretary_a
        )
    assert refused(exc) == {"__all__": ["个人信息没有改动，无需保存。"]}
    record.refresh_from_db()
    assert record.history.count() == versions

    # Only what differs is changed: the old birth date sent with a new number follows the number.
    number = valid_id_number(D(1996, 7, 8))
    record = development_person_update(
        record=record,
        id_number=number,
        birth_date=record.birth_date,
        phone=record.phone,
        reason=" 按身份证更正 ",
        actor=world.secretary_a,
    )
    record.refresh_from_db()
    assert (record.id_number, record.birth_date) == (number, D(1996, 7, 8))
    assert record.history.first().history_change_reason == "修改个人信息：按身份证更正"
