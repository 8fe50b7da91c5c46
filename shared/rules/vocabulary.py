"""The closed lists of the law and of the scheme, each defined once.

Each list is a ``Literal`` (what request schemas validate against) and the tuple of its values
(what domain rules, exports and reports iterate), so the two can never drift apart.
"""

from __future__ import annotations

from typing import Literal, get_args

# 不予公开 reasons: 2021 annual-report format (国办公开办函〔2021〕30号), table 3 line 三.
WithheldReason = Literal[
    "state_secret",
    "prohibited_by_law",
    "three_securities_one_stability",
    "third_party_rights",
    "internal_affairs",
    "process_information",
    "enforcement_file",
    "administrative_query",
]
WITHHELD_REASONS: tuple[str, ...] = get_args(WithheldReason)

# Table 3 lines 四 (无法提供), 五 (不予处理) and 六 (其他处理).
UnableReason = Literal["not_held", "needs_new_compilation", "still_unclear_after_clarification"]
NotProcessedReason = Literal[
    "petition_or_complaint", "duplicate", "publication", "excessive_repeated", "confirm_or_reissue"
]
OtherReason = Literal["clarification_overdue", "fee_overdue", "other"]

Outcome = Literal["granted", "partially_granted", "refused", "unable_to_provide", "not_processed", "other"]
OUTCOMES: tuple[str, ...] = get_args(Outcome)
# Which reasons each outcome takes (none for granted and partially granted).
OUTCOME_REASONS: dict[str, tuple[str, ...]] = {
    "granted": (),
    "partially_granted": (),
    "refused": WITHHELD_REASONS,
    "unable_to_provide": get_args(UnableReason),
    "not_processed": get_args(NotProcessedReason),
    "other": get_args(OtherReason),
}
# Table 3 line 六.(一): the applicant let the 补正期限 pass (条例 第30条, deemed abandoned).
CLARIFICATION_OVERDUE = ("other", "clarification_overdue")

# Table 3 columns: natural persons, then legal persons and other organisations by kind.
ApplicantType = Literal["natural_person", "commercial", "research", "public_interest", "legal_service", "other"]
APPLICANT_TYPES: tuple[str, ...] = get_args(ApplicantType)

# Table 4: administrative reconsideration and litigation.
AppealKind = Literal["reconsideration", "litigation", "litigation_after_reconsideration"]
APPEAL_KINDS: tuple[str, ...] = get_args(AppealKind)
AppealResult = Literal["upheld", "corrected", "other", "pending"]
APPEAL_RESULTS: tuple[str, ...] = get_args(AppealResult)

# The assessment scheme (api.md "Default scheme").
Indicator = Literal[
    "disclosure_timeliness",
    "catalogue_coverage",
    "proposal_replies",
    "interpretation_sync",
    "principal_interpretations",
    "opinion_timeliness",
    "request_timeliness",
]
INDICATORS: tuple[str, ...] = get_args(Indicator)

# Accountability (seed item 15; 条例 第47条).
ActionKind = Literal["circulated_criticism", "rectification_interview"]
ACTION_KINDS: tuple[str, ...] = get_args(ActionKind)

# Opinion incidents (api.md "opinion"): severity judgements and response kinds.
Severity = Literal["especially_major", "major", "large", "general"]
SEVERITIES: tuple[str, ...] = get_args(Severity)
ResponseKind = Literal["authoritative_release", "press_conference", "statement", "interview", "online_reply"]
RESPONSE_KINDS: tuple[str, ...] = get_args(ResponseKind)
