"""The working-day (工作日) calendar, with the State Council's 调休.

Years 2004-2026 come from the ``chinesecalendar`` package; later years from a JSON file the
office keeps (``OPENNESS_CALENDAR_FILE``), shaped ``{"2027": {"holidays": [...],
"workdays": [...]}}`` where ``workdays`` are weekend days that are worked (调休). A year in
neither source is counted Mon-Fri and every deadline touching it is flagged provisional.

Counting starts the day after the starting event (民法典 第201条).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar


@dataclass(frozen=True)
class Deadline:
    start_on: date
    working_days: int
    due_on: date
    calendar_provisional: bool

    def as_dict(self) -> dict[str, object]:
        return {
            "start_on": self.start_on.isoformat(),
            "working_days": self.working_days,
            "due_on": self.due_on.isoformat(),
            "calendar_provisional": self.calendar_provisional,
        }


_COUNT_FROM = date(2000, 1, 1)


def _days(first: date, last: date) -> list[date]:
    """Every day from ``first`` through ``last``."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


class CalendarFileError(ValueError):
    pass


class WorkingCalendar:
    def __init__(self, extra_file: Path | None = None) -> None:
        self._holidays: set[date] = set()
        self._workdays: set[date] = set()
        self._file_years: set[int] = set()
        if extra_file is not None:
            self._load(extra_file)
        package_years = sorted({d.year for d in chinese_calendar.constants.holidays})
        self._package_years = set(range(package_years[0], package_years[-1] + 1))
        # Pure functions of their arguments for the life of this instance (the data is loaded
        # once): memoised, since scoring asks the same questions for thousands of records.
        self._working: dict[date, bool] = {}
        self._deadlines: dict[tuple[date, int], Deadline] = {}
        self._counts: list[int] = []  # [i]: working days from _COUNT_FROM through _COUNT_FROM + i days
        self._fingerprint: str | None = None

    def _load(self, path: Path) -> None:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            for year_text, year in raw.items():
                year_number = int(year_text)
                holidays = {date.fromisoformat(d) for d in year.get("holidays", [])}
                workdays = {date.fromisoformat(d) for d in year.get("workdays", [])}
                if any(d.year != year_number for d in holidays | workdays):
                    raise CalendarFileError(f"{path}: a date in {year_number} belongs to another year")
                self._file_years.add(year_number)
                self._holidays |= holidays
                self._workdays |= workdays
        except (OSError, ValueError, AttributeError, TypeError) as error:
            raise CalendarFileError(f"calendar file {path} is not valid: {error}") from error

    @property
    def fingerprint(self) -> str:
        """A digest of every day this calendar knows: two calendars with the same fingerprint
        count every day alike (kept judgements stay valid across a restart)."""
        if self._fingerprint is None:
            known = {
                "file": {
                    "years": sorted(self._file_years),
                    "holidays": sorted(self._holidays),
                    "workdays": sorted(self._workdays),
                },
                "package": {
                    "holidays": sorted(chinese_calendar.constants.holidays),
                    "workdays": sorted(chinese_calendar.constants.workdays),
                },
            }
            self._fingerprint = hashlib.sha256(repr(known).encode("utf-8")).hexdigest()[:32]
        return self._fingerprint

    def covers(self, year: int) -> bool:
        return year in self._file_years or year in self._package_years

    def is_working_day(self, day: date) -> bool:
        known = self._working.get(day)
        if known is None:
            known = self._working[day] = self._is_working_day(day)
        return known

    def _is_working_day(self, day: date) -> bool:
        if day.year in self._file_years:
            if day in self._holidays:
                return False
            return day in self._workdays or day.weekday() < 5
        if day.year in self._package_years:
            return bool(chinese_calendar.is_workday(day))
        return day.weekday() < 5

    def add_working_days(self, start_on: date, working_days: int) -> Deadline:
        """The ``working_days``-th working day after ``start_on``."""
        if working_days < 0:
            raise ValueError("working_days must not be negative")
        known = self._deadlines.get((start_on, working_days))
        if known is None:
            known = self._deadlines[(start_on, working_days)] = self._add_working_days(start_on, working_days)
        return known

    def _add_working_days(self, start_on: date, working_days: int) -> Deadline:
        day, counted, provisional = start_on, 0, not self.covers(start_on.year)
        while counted < working_days:
            day += timedelta(days=1)
            provisional = provisional or not self.covers(day.year)
            if self.is_working_day(day):
                counted += 1
        return Deadline(start_on, working_days, day, provisional)

    def next_working_day_from(self, day: date) -> Deadline:
        """``day`` itself when it is a working day, else the next one (民法典 第203条)."""
        due, provisional = day, not self.covers(day.year)
        while not self.is_working_day(due):
            due += timedelta(days=1)
            provisional = provisional or not self.covers(due.year)
        return Deadline(day, 0, due, provisional)

    def working_days_between(self, start_on: date, end_on: date) -> int:
        """Working days after ``start_on`` up to and including ``end_on`` (0 if not after)."""
        if end_on <= start_on:
            return 0
        return self._counted_through(end_on) - self._counted_through(start_on)

    def _counted_through(self, day: date) -> int:
        """Working days from the calendar's first counted day through ``day`` (negative before
        it): a running count kept per day, so a difference of two answers any span at once."""
        first = _COUNT_FROM.toordinal()
        index = day.toordinal() - first
        if index < 0:
            return -sum(self.is_working_day(d) for d in _days(day + timedelta(days=1), _COUNT_FROM - timedelta(days=1)))
        counts = self._counts
        while len(counts) <= index:
            next_day = date.fromordinal(first + len(counts))
            counts.append((counts[-1] if counts else 0) + self.is_working_day(next_day))
        return counts[index]
