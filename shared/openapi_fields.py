"""What each request field and parameter means, in Chinese, with an example: the API
documentation's glossary (``shared.openapi`` fills every field that states neither from here).

A field whose model states its own ``description`` or example keeps it (a field name can mean
more in one place than the glossary says). An example given as ``None`` here is made from the
field's schema (its first enumerated value, a date for a date, the minimum for a number), so an
example never contradicts the schema; a test checks every example against its schema.
"""

from __future__ import annotations

from typing import Any

UUID_EXAMPLE = "3f1c2a9e-0d4b-4c8e-9a57-2f8e1b6c4d21"

# name -> (description, example or None to derive one from the schema)
FIELDS: dict[str, tuple[str, Any]] = {
    # identifiers in paths and bodies
    "record_id": ("公开记录的标识（UUID）", None),
    "request_id": ("依申请公开申请的标识（UUID）", None),
    "proposal_id": ("建议提案办理结果的标识（UUID）", None),
    "consultation_id": ("征求意见（重大决策草案）的标识（UUID）", None),
    "interpretation_id": ("政策解读的标识（UUID）", None),
    "incident_id": ("舆情事件的标识（UUID）", None),
    "action_id": ("问责措施（通报批评、约谈整改）的标识（UUID）", None),
    "webhook_id": ("Webhook 订阅的标识（UUID）", None),
    "delivery_id": ("一次 Webhook 投递的编号", 1),
    "appeal_id": ("行政复议或诉讼记录的编号", "1"),
    "policy_record_id": ("所解读政策在目录服务中的公开记录标识（UUID）", UUID_EXAMPLE),
    "decision_record_id": ("公布的决策文件在目录服务中的公开记录标识（UUID）", UUID_EXAMPLE),
    "refs": ("相关事项：{service, ref_id} 或其编号", [{"service": "catalogue", "ref_id": UUID_EXAMPLE}]),
    "ref_id": ("相关事项的编号或标识", UUID_EXAMPLE),
    "code": ("事项编码（字母、数字、点、连字符）", "FIN-001"),
    "index_number": ("索引号", "FIN-2026-000001"),
    "query_code": ("申请查询码（大写字母与数字）", "Q7K2M9P4"),
    "external_id": ("省级平台的预警编号（仅省级平台可用）", "PROV-2026-0042"),
    # departments and people
    "department": ("部门代码（见部门目录）", "FIN"),
    "departments": ("部门代码列表", ["FIN", "EDU"]),
    "lead_department": ("牵头处置部门的代码", "FIN"),
    "cooperating_departments": ("协同处置部门的代码列表", ["EDU"]),
    "handler_department": ("承办部门的代码", "FIN"),
    "approved_by": ("批准延期的负责人", "张明（办公室主任）"),
    "applicant": ("申请人（姓名与联系方式只对审计员可见）", None),
    "contact": ("联系方式（电话、邮箱或地址）", "0571-88886666"),
    "interpreter": ("解读人：姓名、职务，是否为主要负责人解读", None),
    "principal": ("是否为主要负责人解读", False),
    # text
    "title": ("标题", "关于2026年市级财政预算公开的通知"),
    "body": ("正文", "根据《中华人民共和国政府信息公开条例》，现将有关事项公开如下。"),
    "summary": ("摘要", "市民反映某小区停水三天，要求尽快恢复供水。"),
    "note": ("说明", "请补充所需信息的名称、文号或者便于查询的其他特征性描述。"),
    "reason": ("理由", "原文附件有误，予以更正。"),
    "description": ("描述", "省政务公开平台订阅"),
    "shortened_reason": ("征求意见期少于 30 日的理由", "涉及汛期安全，需尽快出台。"),
    "weights": ("各指标权重（≥ 0）", {"disclosure_timeliness": 30, "catalogue_coverage": 10}),
    "adoption_summary": ("意见采纳情况", "共收到意见12条，采纳5条，未采纳的已逐条说明理由。"),
    "q": ("全文检索的词语", "财政预算"),
    "cursor": ("上一页返回的 next_cursor", "eyJwIjoxMDB9.c2lnbmF0dXJl"),
    "text": ("意见内容", "建议将公示期延长至30日。"),
    "types": ("事件类型（feed 的 type）", "catalogue.RecordPublished"),
    "draft": ("决策草案全文", "《某市生活垃圾分类管理办法（征求意见稿）》全文……"),
    "reply_text": ("答复全文（公开时隐去联系方式等个人信息）", "关于加强社区养老服务的建议收悉，现答复如下……"),
    "cause": ("原因说明", "供水管网突发爆管。"),
    "solution": ("处置措施", "已组织抢修，预计今晚恢复供水。"),
    "constraints": ("困难与限制", "需夜间停水施工，影响部分居民。"),
    "explains": ("回应是否说明了原因、措施与困难（各一段文字）", None),
    "content": ("公开内容（要素）", "年度部门预算、决算及说明"),
    "basis": ("公开依据", "《中华人民共和国预算法》第十四条"),
    "standard": ("公开标准", "按预算法规定的内容和格式公开"),
    "procedure": ("公开程序", "部门起草、负责人审核、网站发布"),
    "name": ("名称", "2026年市级预算.pdf"),
    "doc_number": ("文号", "某财发〔2026〕1号"),
    "item_code": ("所属公开目录事项的编码", "FIN-001"),
    "media_url": ("图解、视频等解读材料的地址", "https://www.example.gov.cn/jd/2026/001.mp4"),
    "media_type": ("附件的媒体类型", "application/pdf"),
    "sha256": ("附件内容的 SHA-256（十六进制）", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),
    "attachments": (
        "附件列表（名称、媒体类型、SHA-256、字节数）",
        [
            {
                "name": "2026年市级预算.pdf",
                "media_type": "application/pdf",
                "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                "size": 1048576,
            }
        ],
    ),
    "url": ("接收地址（https）", "https://platform.example.gov.cn/openness/hooks"),
    # enumerations (examples from the schema)
    "area": ("公开领域", None),
    "category": ("信息类别", None),
    "audience": ("公开对象", None),
    "channel": ("渠道", "市政府门户网站"),
    "channels": ("公开渠道列表", None),
    "method": ("公开方式", None),
    "level": ("级别", None),
    "kind": ("种类（取值见枚举）", None),
    "form": ("解读形式", None),
    "outcome": ("答复结果（domain.md 所列）", None),
    "party": ("征求意见的对象：第三方或其他机关", None),
    "rating": ("处置效果评价", None),
    "findings": ("评价中发现的问题", None),
    "result": ("结果", None),
    "severity": ("舆情级别", None),
    "source": ("发现来源", None),
    "topic": ("舆情所涉领域", None),
    "type": ("类型", None),
    "service": ("服务名", None),
    "status": ("状态", "open"),
    "disclosure": ("公开属性：主动公开、依申请公开或不予公开", None),
    "withheld_reason": ("不予公开的法定理由", None),
    "format": ("导出格式", None),
    "emergency": ("是否为突发事件", False),
    "include_retired": ("是否包括已废止的事项", False),
    "overdue": ("只列出已逾期的", False),
    # dates and moments
    "at": ("发生时刻（带时区）", None),
    "detected_at": ("发现时刻（带时区）", None),
    "opens_on": ("征求意见开始之日", None),
    "formed_on": ("信息形成（变更）日期", "2026-03-02"),
    "closes_on": ("征求意见截止之日", None),
    "replied_on": ("答复之日", None),
    "rectification_due_on": ("整改期限", None),
    "published_from": ("发布日期起（含）", None),
    "published_to": ("发布日期止（含）", None),
    # numbers
    "days": ("天数", 20),
    "size": ("大小（字节数）", 1048576),
    "position": ("事件在日志中的位置", 1),
    "from": ("较早的树大小", 1),
    "to": ("较晚的树大小；默认当前", 2),
    "limit": ("每页条数", 100),
    "year": ("年度", 2026),
    "time_limit_working_days": ("公开时限（工作日）", 20),
    "time_limit_days": ("公开时限（天数与工作日/自然日）", None),
    "disclosure_working_days": ("主动公开时限（工作日）", 20),
    "interpretation_sync_working_days": ("解读与政策同步的时限（工作日）", 3),
    "proposal_publication_working_days": ("建议提案办理结果公开时限（工作日）", 20),
    "principal_interpretations_required": ("每年主要负责人解读的最少次数", 3),
    "deductions": ("各问责措施的扣分", {"circulated_criticism": 5, "rectification_interview": 3}),
    "thresholds": ("考核等次的分数线", None),
    # headers
    "Idempotency-Key": ("幂等键", "7c0e9b1e-create-record-0001"),
    "If-Match": ("资源版本（ETag）", '"3"'),
}


def example_from_schema(schema: dict[str, Any], given: Any = None) -> Any:
    """An example that fits ``schema`` (a property's or parameter's): the schema's own, else its
    first enumerated value, else ``given`` (the glossary's), else one made from its type and
    format; None when none is obvious."""
    for option in schema.get("anyOf", []):
        if option.get("type") != "null":
            return example_from_schema(option, given)
    if schema.get("examples"):
        return schema["examples"][0]
    if "example" in schema:
        return schema["example"]
    if schema.get("enum"):
        return schema["enum"][0]
    kind, shape = schema.get("type"), schema.get("format")
    if kind == "array" and given is not None and not isinstance(given, list):
        item = example_from_schema(schema.get("items", {}), given)
        return None if item is None else [item]
    if given is not None and _has_type(given, kind):
        return given
    if "default" in schema and schema["default"] not in (None, ""):
        return schema["default"]
    if kind == "string":
        return {"date": "2026-03-02", "date-time": "2026-03-02T09:30:00+08:00", "uuid": UUID_EXAMPLE}.get(shape or "")
    if kind in ("integer", "number"):
        return max(int(schema.get("minimum", 1)), 1) if kind == "integer" else float(schema.get("minimum", 1))
    if kind == "boolean":
        return False
    if kind == "array" and "items" in schema:
        item = example_from_schema(schema["items"])
        return None if item is None else [item]
    return None


def _has_type(value: Any, kind: str | None) -> bool:
    python: dict[str, type | tuple[type, ...]] = {
        "string": str, "integer": int, "number": (int, float), "boolean": bool, "array": list, "object": dict,
    }  # fmt: skip
    return kind is None or isinstance(value, python.get(kind, object))
