"""Public-opinion incidents: response deadlines in clock hours (rules 8-9).

国办发〔2016〕80号 (rule 8): an especially major or major emergency gets authoritative
information within 5 hours and a press conference within 24 hours; 国办发〔2016〕61号 (rule 9):
every other incident is answered within 48 hours. api.md "Deadlines" and "Law corner cases"
(emergency release, re-assessment). The opinion service's views and the assessment's judge
fold the same facts with ``IncidentClock.apply`` and call ``IncidentClock.deadlines``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from shared.rules.law import Law
from shared.rules.time import Status, judge
from shared.rules.vocabulary import SEVERITIES

EMERGENCY_SEVERITIES = frozenset({"especially_major", "major"})
EMERGENCY_DEADLINES = ("authoritative_release", "press_conference")
# Which responses meet which deadline. The 5-hour duty is to release authoritative information
# in whatever form; the 24-hour duty only by a press conference; the 48-hour one by any response.
MEETS: dict[str, frozenset[str] | None] = {
    "authoritative_release": frozenset({"authoritative_release", "press_conference", "statement"}),
    "press_conference": frozenset({"press_conference"}),
    "response": None,
}


def _instant(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


@dataclass(frozen=True, slots=True)
class Deadline:
    kind: str
    due_at: datetime
    met_at: datetime | None

    def status(self, as_of: datetime) -> Status:
        return judge(self.met_at, self.due_at, as_of)


def deadline_kinds(severity: str, emergency: bool) -> tuple[str, ...]:
    if emergency and severity in EMERGENCY_SEVERITIES:
        return EMERGENCY_DEADLINES
    return ("response",)


def gravity(severity: str) -> int:
    """general < large < major < especially_major (一般、较大、重大、特别重大)."""
    return SEVERITIES[::-1].index(severity)


def more_severe(severity: str, emergency: bool, than: Any) -> bool:
    """Whether a judgement (severity, emergency) is graver than ``than``'s (``.severity``,
    ``.emergency``): a higher severity, or an emergency where there was none."""
    return gravity(severity) > gravity(than.severity) or (emergency and not than.emergency)


def hours_of(kind: str, law: Law) -> int:
    return {
        "authoritative_release": law.emergency_release_hours,
        "press_conference": law.press_conference_hours,
        "response": law.response_hours,
    }[kind]


@dataclass(frozen=True, slots=True)
class Judgement:
    """A severity judgement in force from ``since`` (None: from detection)."""

    severity: str
    emergency: bool
    since: datetime | None = None


@dataclass(slots=True)
class IncidentClock:
    """The recorded facts an incident's deadlines are derived from."""

    detected_at: datetime
    judgements: list[Judgement]
    responses: list[tuple[str, datetime]] = field(default_factory=list)

    @classmethod
    def reported(cls, data: Mapping[str, Any]) -> IncidentClock:
        return cls(_instant(data["detected_at"]), [Judgement(str(data["severity"]), bool(data["emergency"]))])

    def apply(self, fact: str, data: Mapping[str, Any], *, occurred_at: datetime | None = None) -> None:
        """Fold one recorded fact. ``Assessed`` facts recorded before they carried ``assessed_at``
        take the instant the event occurred."""
        if fact == "Assessed":
            since = _instant(data.get("assessed_at") or occurred_at)
            self.judgements.append(Judgement(str(data["severity"]), bool(data["emergency"]), since))
        elif fact == "ResponseRecorded":
            self.responses.append((str(data["kind"]), _instant(data["at"])))

    FACTS = ("Assessed", "ResponseRecorded")

    def _deadline(self, kind: str, law: Law) -> Deadline:
        due_at = self.detected_at + timedelta(hours=hours_of(kind, law))
        meeting = MEETS[kind]
        met = [at for k, at in self.responses if meeting is None or k in meeting]
        return Deadline(kind, due_at, min(met) if met else None)

    def deadlines(self, law: Law) -> list[Deadline]:
        """The current judgement's deadlines, and every deadline an earlier judgement had already
        missed when it was replaced: a re-assessment never erases a missed deadline."""
        kept: list[Deadline] = []
        for earlier, later in zip(self.judgements, self.judgements[1:], strict=False):
            assert later.since is not None
            for kind in deadline_kinds(earlier.severity, earlier.emergency):
                deadline = self._deadline(kind, law)
                if deadline.status(later.since) == "missed" and deadline not in kept:
                    kept.append(deadline)
        current = self.judgements[-1]
        now = [self._deadline(kind, law) for kind in deadline_kinds(current.severity, current.emergency)]
        return kept + [d for d in now if d not in kept]
