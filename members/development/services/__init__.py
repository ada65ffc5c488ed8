"""发展党员: the stage services (《中国共产党发展党员工作细则》, 党章 第一、五、七条).

Each function records one stage, or one fact of a stage, on a ``DevelopmentRecord``: keyword-only,
in one transaction, the record locked, ``full_clean`` run, ``actor`` kept in the history with a
reason. The numbers come from the ``DevelopmentRule`` table (seeded by migration 0009), read when
the stage is recorded; deadlines that follow from them are stored on the record.

A rule that fails either REFUSES the stage (a ``ValidationError`` in Chinese, keyed by the
argument concerned) or, where the rules themselves allow a late step, is RECORDED as an exception:
the user must give a reason, and ``record.exceptions`` keeps the rule, what happened, the reason
and the date. Per rule:

=====================================  ==========================  ==========================================
rule (DevelopmentRule key, default)    checked in                  when not met
=====================================  ==========================  ==========================================
年满十八岁 (min_age, 18周岁)              development_apply,          refused: 党章 第一条 admits no exception
                                       development_person_update
一个月内谈话 (talk_within, 1个月)          development_talk_record     exception with a reason: a late talk is the
                                                                   branch's lapse, the application stands, so
                                                                   the talk is recorded as it happened
1至2名正式党员作培养联系人                  development_activist_record refused
(cultivators_min 1, cultivators_max 2)
一年以上培养考察 (activist_min, 1年)        development_candidate_      refused; "一年以上" includes the anniversary
                                       record                      (民法典 第一千二百五十九条): eligible on it
集中培训不少于3天或24学时                   development_training_record refused
(training_min_days 3, _hours 24)
公示不少于5个工作日 (publicity_min)          development_publicity_      refused; working days by chinese_calendar
                                       record                      (法定节假日 and 调休 make-up days)
表决：到会超过半数；赞成超过应到会有表决权       development_admission_vote_ refused: no valid vote, or the resolution
正式党员的半数 (党章; not a number to edit)    record, development_         did not pass (the record stays where it
                                       confirmation_vote_record    was; a later vote may be recorded)
党委三个月内审批 (approval_within, 3个月;     development_admission_      up to 3 months: fine; after, up to 6: an
特殊情况 approval_within_special, 6个月)     approve, development_confirm exception with the special reason; after
                                                                   6: refused
预备期一年 (probation, 1年)                development_admission_      computed from the vote date and stored;
                                       approve                     转正 vote before its end: refused
延长预备期不少于6个月、累计不超过1年、一次       development_probation_      refused
(extension_min 6, extension_max 12,    extend
extension_times 1)
=====================================  ==========================  ==========================================

A recorded fact sent again to correct it (``development_correct``, ``development_fact_record``)
needs a reason and a change; see ``corrections``.

Also refused everywhere: a date in the future (except the end of a 公示 that is running), a date
before the step it follows, a step out of order. Years the installed chinese_calendar does not
cover yet (it raises NotImplementedError) count Monday to Friday as working days.

Becoming 预备党员 creates the roster member from the record (``members.roster.services.member_create``);
转正 updates it (``member_update``); 取消预备党员资格 ends it as 出党 (``member_change_state``), the
statistical category that includes it.
"""

from __future__ import annotations

from members.development.services.applicants import (
    development_activist_record,
    development_apply,
    development_candidate_record,
    development_person_update,
    development_talk_record,
    development_terminate,
)
from members.development.services.candidates import (
    development_admission_approve,
    development_admission_vote_record,
    development_political_review_record,
    development_pre_review_record,
    development_publicity_record,
    development_training_record,
)
from members.development.services.common import PERSON_FIELDS, Rules, development_rules, tag_history_reason, working_days
from members.development.services.corrections import (
    CORRECTABLE_FACTS,
    CorrectableFact,
    development_correct,
    development_fact_record,
)
from members.development.services.probation import (
    development_confirm,
    development_confirmation_vote_record,
    development_probation_cancel,
    development_probation_extend,
)

__all__ = [
    "CORRECTABLE_FACTS",
    "PERSON_FIELDS",
    "CorrectableFact",
    "Rules",
    "development_activist_record",
    "development_admission_approve",
    "development_admission_vote_record",
    "development_apply",
    "development_candidate_record",
    "development_confirm",
    "development_confirmation_vote_record",
    "development_correct",
    "development_fact_record",
    "development_person_update",
    "development_political_review_record",
    "development_pre_review_record",
    "development_probation_cancel",
    "development_probation_extend",
    "development_publicity_record",
    "development_rules",
    "development_talk_record",
    "development_terminate",
    "development_training_record",
    "tag_history_reason",
    "working_days",
]
