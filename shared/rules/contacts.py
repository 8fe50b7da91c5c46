"""Contact details removed from published text (rule 13; api.md "contact details"), and personal
data scrubbed from free text that platform readers and webhooks receive: one function for both.

Phone numbers in any common written form (spaces, dashes, dots, brackets, ``+86``/``0086``,
full-width digits), landlines with area codes, e-mail addresses, resident ID numbers and home
addresses down to the flat (…栋…单元…室, …号楼…室, …号…室) are replaced by a marker; so are the
names a caller knows to be personal (an applicant's, in the text of the same request). Matching runs on a copy where full-width ASCII is folded to half-width
character by character, so the positions found are the positions in the original text.
"""

from __future__ import annotations

import re

REDACTION = "[联系方式已删除]"

_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_SEP = r"[ \-.\u00a0]?"  # one separator between digit groups
_COUNTRY = r"(?:(?:\+|00)\s?86|[(]\s?(?:\+|00)?\s?86\s?[)])\s?-?\s?"
_PATTERNS = (
    # Resident ID numbers: 6-digit region, birth date, sequence, check digit; or 15 digits (old).
    re.compile(
        r"(?<![0-9A-Za-z])\d{6}[ \-]?(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])[ \-]?\d{3}[\dXx](?![0-9A-Za-z])"
    ),
    re.compile(r"(?<![0-9A-Za-z])\d{15}(?![0-9A-Za-z])"),
    # Mobile numbers: 1[3-9]x xxxx xxxx, optionally with the country code.
    re.compile(rf"(?:{_COUNTRY})?(?<!\d)1[3-9]\d{_SEP}\d{{4}}{_SEP}\d{{4}}(?!\d)"),
    # Landlines: area code with its trunk 0 (optionally bracketed), or the country code without it.
    re.compile(rf"(?<!\d)(?:[(]\s?0\d{{2,3}}\s?[)]\s?|0\d{{2,3}}{_SEP})\d{{3,4}}{_SEP}\d{{4}}(?!\d)"),
    re.compile(rf"{_COUNTRY}[1-9]\d{{1,2}}{_SEP}\d{{3,4}}{_SEP}\d{{4}}(?!\d)"),
    # Home addresses down to the flat: building, unit and room numbers (not a road or a district).
    re.compile(r"\d+\s?(?:栋|幢|号楼|座)\s?(?:\d+\s?单元\s?)?\d+\s?(?:室|号|户)"),
    re.compile(r"\d+\s?号\s?(?:院\s?)?\d+\s?(?:室|户)"),
    # E-mail addresses, also written with （at） or [at].
    re.compile(r"[A-Za-z0-9._%+\-]+\s?(?:@|\[at\]|\(at\))\s?[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+", re.IGNORECASE),
)


def without_contact_details(text: str, names: tuple[str, ...] = ()) -> str:
    """``text`` with every contact detail (and each of ``names``) replaced by ``REDACTION``."""
    folded = text.translate(_FULL_WIDTH)
    spans: list[tuple[int, int]] = []
    for pattern in _PATTERNS:
        spans.extend(m.span() for m in pattern.finditer(folded))
    for name in names:
        if len(name.strip()) >= 2:  # a one-character "name" would erase ordinary words
            spans.extend(m.span() for m in re.finditer(re.escape(name.strip()), text))
    if not spans:
        return text
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    parts, last = [], 0
    for start, end in merged:
        parts.append(text[last:start])
        parts.append(REDACTION)
        last = end
    parts.append(text[last:])
    return "".join(parts)
