"""Chinese names the desk shows for the scheme's indicators and the judge's violation kinds, and
where each violation's source lives (the owning service's route)."""

from __future__ import annotations

INDICATOR_NAMES = {
    "disclosure_timeliness": "主动公开及时率",
    "catalogue_coverage": "目录事项覆盖率",
    "proposal_replies": "建议提案办理结果公开率",
    "interpretation_sync": "政策解读同步率",
    "principal_interpretations": "主要负责人解读",
    "opinion_timeliness": "舆情回应及时率",
    "request_timeliness": "依申请公开按时答复率",
}

VIOLATION_NAMES = {
    "late_disclosure": "逾期公开",
    "unpublished_past_due": "逾期未公开",
    "item_without_record": "目录事项本年无公开记录",
    "late_reply_publication": "办理结果逾期公开",
    "reply_unpublished_past_due": "办理结果逾期未公开",
    "late_interpretation": "解读未同步发布",
    "missing_interpretation": "逾期未解读",
    "principal_quota_short": "主要负责人解读数不足",
    "missed_authoritative_release": "未在5小时内发布权威信息",
    "missed_press_conference": "未在24小时内召开新闻发布会",
    "missed_response": "未在48小时内回应",
    "late_reply": "逾期答复申请",
    "unreplied_past_due": "申请逾期未答复",
    "ineffective_evaluation": "回应效果评估为无效",
}

# Still not done past its deadline: what the office chases (待办), not only what was late.
OPEN_KINDS = frozenset(
    {"unpublished_past_due", "reply_unpublished_past_due", "missing_interpretation", "unreplied_past_due"}
)


def is_task(kind: str) -> bool:
    """Whether a violation goes on the office's 待办: still undone, or a missed incident deadline."""
    return kind in OPEN_KINDS or kind.startswith("missed_")


ACTION_NAMES = {"circulated_criticism": "通报批评", "rectification_interview": "约谈整改"}

SERVICE_NAMES = {"catalogue": "目录", "interpretation": "解读", "opinion": "舆情", "assessment": "考核"}

# The route of each violation's source, by kind; {ref} is the violation's ref_id.
_SOURCES = {
    "late_disclosure": "/catalogue/v1/records/{ref}",
    "unpublished_past_due": "/catalogue/v1/records/{ref}",
    "item_without_record": "/catalogue/v1/items/{ref}",
    "late_reply_publication": "/catalogue/v1/proposals/{ref}",
    "reply_unpublished_past_due": "/catalogue/v1/proposals/{ref}",
    "late_interpretation": "/catalogue/v1/records/{ref}",  # the policy interpreted late
    "missing_interpretation": "/catalogue/v1/records/{ref}",
    "principal_quota_short": "/interpretation/v1/quota/{year}",
    "late_reply": "/catalogue/v1/requests/{ref}",
    "unreplied_past_due": "/catalogue/v1/requests/{ref}",
}


def violation_name(kind: str) -> str:
    return VIOLATION_NAMES.get(kind, kind)


def source_path(kind: str, ref_id: str, year: int) -> str:
    """The owning service's route for the record, item, proposal, request or incident behind a
    violation (an incident's for every ``missed_*``)."""
    template = _SOURCES.get(kind, "/opinion/v1/incidents/{ref}" if kind.startswith("missed_") else "")
    return template.format(ref=ref_id, year=year)
