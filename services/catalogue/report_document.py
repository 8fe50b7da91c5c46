"""The annual report as a document in the 2021 format (国办公开办函〔2021〕30号): sections 一–六,
tables 二–四 filled from the JSON report (``annual_report.report``), the narrative sections from
the report's ``NarrativeWritten`` events. One layout, two renderings: HTML and DOCX.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from services.catalogue.annual_report import COLUMNS
from services.catalogue.domain.annual_report import NARRATIVE_SECTIONS
from shared.pages import render
from shared.rules.vocabulary import APPEAL_KINDS, APPEAL_RESULTS, OUTCOME_REASONS

if TYPE_CHECKING:
    from docx.table import Table

HERE = Path(__file__).parent
UNWRITTEN = "（本部分尚未填写。）"

TABLE3_COLUMNS = {
    "natural_person": "自然人",
    "commercial": "商业企业",
    "research": "科研机构",
    "public_interest": "社会公益组织",
    "legal_service": "法律服务机构",
    "other": "其他",
    "total": "总计",
}
OUTCOME_HEADINGS = {
    "granted": "（一）予以公开",
    "partially_granted": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "refused": "（三）不予公开",
    "unable_to_provide": "（四）无法提供",
    "not_processed": "（五）不予处理",
    "other": "（六）其他处理",
}
REASONS = {
    "state_secret": "属于国家秘密",
    "prohibited_by_law": "其他法律行政法规禁止公开",
    "three_securities_one_stability": "危及“三安全一稳定”",
    "third_party_rights": "保护第三方合法权益",
    "internal_affairs": "属于三类内部事务信息",
    "process_information": "属于四类过程性信息",
    "enforcement_file": "属于行政执法案卷",
    "administrative_query": "属于行政查询事项",
    "not_held": "本机关不掌握相关政府信息",
    "needs_new_compilation": "没有现成信息需要另行制作",
    "still_unclear_after_clarification": "补正后申请内容仍不明确",
    "petition_or_complaint": "信访举报投诉类申请",
    "duplicate": "重复申请",
    "publication": "要求提供公开出版物",
    "excessive_repeated": "无正当理由大量反复申请",
    "confirm_or_reissue": "要求行政机关确认或重新出具已获取信息",
    "clarification_overdue": "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "fee_overdue": "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
}
APPEAL_RESULT_NAMES = {
    "upheld": "结果维持",
    "corrected": "结果纠正",
    "other": "其他结果",
    "pending": "尚未审结",
    "total": "总计",
}
APPEAL_KIND_NAMES = {
    "reconsideration": "行政复议",
    "litigation": "未经复议直接起诉",
    "litigation_after_reconsideration": "复议后起诉",
}
SECTION_TITLES = (
    NARRATIVE_SECTIONS["overview"],
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    NARRATIVE_SECTIONS["problems"],
    NARRATIVE_SECTIONS["other"],
)


@dataclass(frozen=True)
class Line:
    """A row of table 三: its label, its indent, and its numbers by column (None: a heading row)."""

    label: str
    level: int
    values: dict[str, int] | None


def table2_blocks(table2: dict[str, Any]) -> list[dict[str, Any]]:
    """Table 二 as the format prints it: four blocks, each with its own header."""
    documents = [
        ("规章", table2["regulations"]),
        ("行政规范性文件", table2["normative_documents"]),
    ]
    return [
        {
            "clause": "第二十条第（一）项",
            "header": ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
            "rows": [[name, v["issued"], v["abolished"], v["in_force"]] for name, v in documents],
        },
        {
            "clause": "第二十条第（五）项",
            "header": ["信息内容", "本年处理决定数量"],
            "rows": [["行政许可", table2["licensing"]]],
        },
        {
            "clause": "第二十条第（六）项",
            "header": ["信息内容", "本年处理决定数量"],
            "rows": [["行政处罚", table2["penalty"]], ["行政强制", table2["enforcement"]]],
        },
        {
            "clause": "第二十条第（八）项",
            "header": ["信息内容", "本年收费金额（单位：万元）"],
            "rows": [["行政事业性收费", table2["fees_10k_yuan"]]],
        },
    ]


def table3_lines(table3: dict[str, Any]) -> list[Line]:
    rows = table3["rows"]
    lines = [
        Line("一、本年新收政府信息公开申请数量", 0, rows["new"]),
        Line("二、上年结转政府信息公开申请数量", 0, rows["carried_over_from_last_year"]),
        Line("三、本年度办理结果", 0, None),
    ]
    for outcome, reasons in OUTCOME_REASONS.items():
        heading = OUTCOME_HEADINGS[outcome]
        if not reasons:
            lines.append(Line(heading, 1, rows[f"outcome.{outcome}"]))
            continue
        lines.append(Line(heading, 1, None))
        for number, reason in enumerate(reasons, start=1):
            label = "其他" if (outcome, reason) == ("other", "other") else REASONS[reason]
            lines.append(Line(f"{number}.{label}", 2, rows[f"outcome.{outcome}.{reason}"]))
    lines.append(Line("（七）总计", 1, rows["outcome_total"]))
    lines.append(Line("四、结转下年度继续办理", 0, rows["carried_over_to_next_year"]))
    return lines


def table4_row(table4: dict[str, dict[str, int]]) -> list[int]:
    return [table4[kind][result] for kind in APPEAL_KINDS for result in (*APPEAL_RESULTS, "total")]


def title_of(year: int, scope_name: str) -> str:
    return f"{scope_name}{year}年政府信息公开工作年度报告"


def _paragraphs(text: str | None) -> list[str]:
    """A section's paragraphs (one per line); none when it is not written yet."""
    return [p.strip() for p in (text or "").splitlines() if p.strip()]


def html(report: dict[str, Any], narrative: dict[str, str], scope_name: str) -> str:
    return render(
        HERE,
        "annual_report.html",
        title=title_of(report["year"], scope_name),
        publication=_publication_line(report),
        report=report,
        unwritten=UNWRITTEN,
        overview=_paragraphs(narrative.get("overview")),
        problems=_paragraphs(narrative.get("problems")),
        other=_paragraphs(narrative.get("other")),
        sections=SECTION_TITLES,
        table2=table2_blocks(report["table2"]),
        table3=table3_lines(report["table3"]),
        columns=[TABLE3_COLUMNS[c] for c in COLUMNS],
        column_keys=list(COLUMNS),
        appeal_kinds=[APPEAL_KIND_NAMES[k] for k in APPEAL_KINDS],
        appeal_results=[APPEAL_RESULT_NAMES[r] for r in (*APPEAL_RESULTS, "total")],
        table4=table4_row(report["table4"]),
    )


# --- DOCX -------------------------------------------------------------------------------------------


def _font(document: Any) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    style = document.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")  # the East Asian font Word uses for Chinese


def _cell(table: Table, row: int, column: int, text: Any, *, bold: bool = False) -> None:
    cell = table.cell(row, column)
    cell.text = "" if text is None else str(text)
    for paragraph in cell.paragraphs:
        for run in paragraph.runs:
            run.bold = bold


def _table2(document: Any, blocks: list[dict[str, Any]]) -> None:
    rows = sum(2 + len(b["rows"]) for b in blocks)
    table = document.add_table(rows=rows, cols=4, style="Table Grid")
    n = 0
    for block in blocks:
        merged = table.cell(n, 0).merge(table.cell(n, 3))
        merged.text = block["clause"]
        n += 1
        width = len(block["header"])
        for column, text in enumerate(block["header"]):
            _cell(table, n, column, text, bold=True)
        if width < 4:
            table.cell(n, width - 1).merge(table.cell(n, 3))
        n += 1
        for row in block["rows"]:
            for column, value in enumerate(row):
                _cell(table, n, column, value)
            if width < 4:
                table.cell(n, width - 1).merge(table.cell(n, 3))
            n += 1


def _table3(document: Any, lines: list[Line]) -> None:
    table = document.add_table(rows=3 + len(lines), cols=2 + len(COLUMNS), style="Table Grid")
    table.cell(0, 0).merge(
        table.cell(2, 1)
    ).text = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    table.cell(0, 2).merge(table.cell(0, 1 + len(COLUMNS))).text = "申请人情况"
    table.cell(1, 2).merge(table.cell(2, 2)).text = "自然人"
    table.cell(1, 3).merge(table.cell(1, len(COLUMNS))).text = "法人或其他组织"
    table.cell(1, 1 + len(COLUMNS)).merge(table.cell(2, 1 + len(COLUMNS))).text = "总计"
    for offset, key in enumerate(COLUMNS[1:-1]):
        _cell(table, 2, 3 + offset, TABLE3_COLUMNS[key], bold=True)
    for n, line in enumerate(lines, start=3):
        table.cell(n, 0).merge(table.cell(n, 1)).text = "\u3000" * line.level + line.label
        for column, key in enumerate(COLUMNS, start=2):
            _cell(table, n, column, None if line.values is None else line.values[key])


def _table4(document: Any, values: list[int]) -> None:
    results = [APPEAL_RESULT_NAMES[r] for r in (*APPEAL_RESULTS, "total")]
    width = len(results)
    table = document.add_table(rows=4, cols=3 * width, style="Table Grid")
    table.cell(0, 0).merge(table.cell(1, width - 1)).text = APPEAL_KIND_NAMES["reconsideration"]
    table.cell(0, width).merge(table.cell(0, 3 * width - 1)).text = "行政诉讼"
    table.cell(1, width).merge(table.cell(1, 2 * width - 1)).text = APPEAL_KIND_NAMES["litigation"]
    table.cell(1, 2 * width).merge(table.cell(1, 3 * width - 1)).text = APPEAL_KIND_NAMES[
        "litigation_after_reconsideration"
    ]
    for column in range(3 * width):
        _cell(table, 2, column, results[column % width], bold=True)
        _cell(table, 3, column, values[column])


def docx(report: dict[str, Any], narrative: dict[str, str], scope_name: str) -> bytes:
    # python-docx is imported when a document is made (~15 MiB a service need not hold).
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document = Document()
    _font(document)
    heading = document.add_heading(title_of(report["year"], scope_name), level=0)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(_publication_line(report)).alignment = WD_ALIGN_PARAGRAPH.CENTER
    narrative_of = {
        SECTION_TITLES[0]: narrative.get("overview"),
        SECTION_TITLES[4]: narrative.get("problems"),
        SECTION_TITLES[5]: narrative.get("other"),
    }
    for title in SECTION_TITLES:
        document.add_heading(title, level=1)
        if title == SECTION_TITLES[1]:
            _table2(document, table2_blocks(report["table2"]))
        elif title == SECTION_TITLES[2]:
            _table3(document, table3_lines(report["table3"]))
        elif title == SECTION_TITLES[3]:
            _table4(document, table4_row(report["table4"]))
        else:
            for paragraph in _paragraphs(narrative_of[title]) or [UNWRITTEN]:
                document.add_paragraph(paragraph).paragraph_format.first_line_indent = Pt(21)
    for table in document.tables:
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _publication_line(report: dict[str, Any]) -> str:
    published = report["published_at"]
    shown = "尚未发布" if published is None else f"发布于 {published:%Y-%m-%d %H:%M}"
    return f"应于 {report['due_on']} 前发布；{shown}"
