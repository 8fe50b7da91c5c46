"""Pydantic types for input that every service shares: codes, text, dates, datetimes."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from fastapi import Body
from pydantic import AfterValidator, AwareDatetime, BeforeValidator, ConfigDict, Field, Strict, StringConstraints
from pydantic import BaseModel as _BaseModel

EARLIEST = date(1949, 10, 1)
LATEST = date(2100, 12, 31)

# C0/C1 controls (tab, newline and carriage return allowed in long text) and the bidi
# embedding/override/isolate controls that can make a title display as something else. Written
# as regular-expression text once: the validators search for them, and the OpenAPI document
# states the same sets as patterns (the escapes mean the same in Python and ECMA-262).
_BIDI = r"\u202a-\u202e\u2066-\u2069"
_LINE_FORBIDDEN = rf"\x00-\x1f\x7f-\x9f{_BIDI}"
_TEXT_FORBIDDEN = rf"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}"
_FORBIDDEN_LINE = re.compile(f"[{_LINE_FORBIDDEN}]")
_FORBIDDEN_TEXT = re.compile(f"[{_TEXT_FORBIDDEN}]")
# A line: allowed characters, at least one of them not blank.
LINE_PATTERN = rf"^[^{_LINE_FORBIDDEN}]*[^\s{_LINE_FORBIDDEN}][^{_LINE_FORBIDDEN}]*$"
TEXT_PATTERN = rf"^[^{_TEXT_FORBIDDEN}]*$"
_LINE_SCHEMA = Field(json_schema_extra={"pattern": LINE_PATTERN})
_TEXT_SCHEMA = Field(json_schema_extra={"pattern": TEXT_PATTERN})


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date_text(value: object) -> object:
    """Dates arrive as ``YYYY-MM-DD`` text only: no epoch numbers, no other formats."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError("a date is written YYYY-MM-DD")
    return value


def _iso_datetime_text(value: object) -> object:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value[:10]):
        raise ValueError("a datetime is ISO 8601 text with an offset, e.g. 2026-03-02T09:30:00+08:00")
    return value


def _bounded_date(value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise ValueError(f"date must be between {EARLIEST} and {LATEST}")
    return value


def _bounded_datetime(value: datetime) -> datetime:
    _bounded_date(value.date())
    return value


def _line(value: str) -> str:
    if _FORBIDDEN_LINE.search(value):
        raise ValueError("text must not contain control or bidirectional-override characters")
    if not value.strip():
        raise ValueError("text must not be blank")
    return value


def _text(value: str) -> str:
    if _FORBIDDEN_TEXT.search(value):
        raise ValueError("text must not contain control or bidirectional-override characters")
    return value


# Dates are ISO strings only (no epoch numbers), within a plausible range.
# The range is stated in the OpenAPI document with ajv's formatMinimum/formatMaximum keywords.
_DATE_BOUNDS = Field(json_schema_extra={"formatMinimum": EARLIEST.isoformat(), "formatMaximum": LATEST.isoformat()})
Day = Annotated[date, BeforeValidator(_iso_date_text), AfterValidator(_bounded_date), _DATE_BOUNDS]
# Datetimes must carry an offset (naive ones are 422).
Moment = Annotated[AwareDatetime, BeforeValidator(_iso_datetime_text), AfterValidator(_bounded_datetime), _DATE_BOUNDS]
DepartmentCode = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]{1,15}$")]
Line = Annotated[str, StringConstraints(min_length=1, max_length=500), AfterValidator(_line), _LINE_SCHEMA]
ShortLine = Annotated[str, StringConstraints(min_length=1, max_length=200), AfterValidator(_line), _LINE_SCHEMA]
LongText = Annotated[str, StringConstraints(max_length=200_000), AfterValidator(_text), _TEXT_SCHEMA]
# JSON true/false only ("yes", 1 and "true" are not booleans in a government record).
Flag = Annotated[bool, Strict()]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=2000), AfterValidator(_text), _TEXT_SCHEMA]
Uuid = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]


class Input(_BaseModel):
    """Base of every request body: unknown fields are an error, enums are exact."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class Output(_BaseModel):
    model_config = ConfigDict(from_attributes=True)


class NoBody(Input):
    """The body of a command that takes no fields: absent, or ``{}``; anything else is 422."""


NoFields = Annotated[NoBody, Body(default_factory=NoBody, description="无参数；可省略或为 {}")]
