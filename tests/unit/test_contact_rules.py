"""Contact details removed in every common written form (rule 13; api.md "contact details")."""

from __future__ import annotations

import pytest

from shared.rules.contacts import REDACTION, without_contact_details

REMOVED = [
    ("mobile, plain", "请联系13812345678。", "13812345678"),
    ("mobile, spaces", "电话 138 1234 5678 联系", "138 1234 5678"),
    ("mobile, dashes", "手机138-1234-5678", "138-1234-5678"),
    ("mobile, dots", "手机138.1234.5678", "138.1234.5678"),
    ("mobile, +86", "联系+86 13812345678", "+86 13812345678"),
    ("mobile, +86-", "联系+86-138-1234-5678", "+86-138-1234-5678"),
    ("mobile, 0086", "联系0086 13812345678", "0086 13812345678"),
    ("mobile, (+86)", "联系(+86)13812345678", "(+86)13812345678"),
    ("mobile, full-width", "联系１３８１２３４５６７８。", "１３８１２３４５６７８"),
    (
        "mobile, full-width with （＋８６）",
        "电话（＋８６）１３８－１２３４－５６７８",
        "（＋８６）１３８－１２３４－５６７８",
    ),
    ("landline, dash", "办公室电话010-12345678", "010-12345678"),
    ("landline, 4-digit area code", "电话0755-1234567", "0755-1234567"),
    ("landline, brackets", "电话(010)12345678", "(010)12345678"),
    ("landline, full-width brackets", "电话（０２１）６４３２１２３４", "（０２１）６４３２１２３４"),
    ("landline, spaces", "电话 0755 8765 4321", "0755 8765 4321"),
    ("landline, +86 without trunk 0", "电话+86 10 1234 5678", "+86 10 1234 5678"),
    ("landline, plain", "电话02164321234", "02164321234"),
    ("e-mail", "邮箱zhang.san@example.gov.cn", "zhang.san@example.gov.cn"),
    ("e-mail, full-width at", "邮箱ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｎ", "ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｎ"),
    ("e-mail, [at]", "邮箱 li4[at]example.com 联系", "li4[at]example.com"),
    ("ID number", "身份证号110101199003074578", "110101199003074578"),
    ("ID number, X", "身份证号11010119900307457X", "11010119900307457X"),
    ("ID number, spaced", "身份证 110101 19900307 4578", "110101 19900307 4578"),
    ("ID number, full-width", "身份证１１０１０１１９９００３０７４５７８", "１１０１０１１９９００３０７４５７８"),
    ("ID number, 15 digits", "旧身份证110101900307457", "110101900307457"),
]


@pytest.mark.parametrize(("form", "text", "detail"), REMOVED, ids=[r[0] for r in REMOVED])
def test_contact_details_are_removed(form: str, text: str, detail: str) -> None:
    cleaned = without_contact_details(text)
    assert detail not in cleaned
    assert REDACTION in cleaned
    assert cleaned == text.replace(detail, REDACTION)  # the rest of the text is untouched


KEPT = [
    "答复日期2026-11-28，共3件。",
    "预算金额1234.56万元，较上年增长12.5%。",
    "请拨打12345政务服务便民热线。",
    "文号某财发〔2026〕1号，第0123号提案。",
    "时间：2026年11月28日 09:30。",
    "面积 138 平方米，户数 1234 户。",
]


@pytest.mark.parametrize("text", KEPT)
def test_dates_amounts_and_hotlines_are_kept(text: str) -> None:
    assert without_contact_details(text) == text


def test_several_details_in_one_reply() -> None:
    text = "联系人张三，电话13812345678或010-12345678，邮箱a@b.cn。"
    assert without_contact_details(text) == f"联系人张三，电话{REDACTION}或{REDACTION}，邮箱{REDACTION}。"
