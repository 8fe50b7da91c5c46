"""The registry of city departments (codes and Chinese names), from a data file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from shared.errors import RuleViolated

DEFAULT_FILE = Path(__file__).parent / "data" / "departments.json"


@dataclass(frozen=True)
class Department:
    code: str
    name: str


class Departments:
    def __init__(self, path: Path | None = None) -> None:
        source = path or DEFAULT_FILE
        entries = json.loads(source.read_text(encoding="utf-8"))
        self._by_code = {e["code"]: Department(e["code"], e["name"]) for e in entries}

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def codes(self) -> list[str]:
        return list(self._by_code)

    def check(self, code: str) -> str:
        """Return ``code`` if it names a department; 422 ``unknown_department`` otherwise."""
        if code not in self._by_code:
            raise RuleViolated(f"unknown department code {code!r}", code="unknown_department")
        return code

    def name_of(self, code: str) -> str:
        return self._by_code[code].name
