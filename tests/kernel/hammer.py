"""Child process for the concurrency test: appends records to the catalogue store named by the environment."""

from __future__ import annotations

import sys
from datetime import date

from shared.auth import Principal
from shared.settings import Settings
from tests.support import open_application


def record_fields(title: str) -> dict[str, object]:
    return {
        "department": "FIN",
        "title": title,
        "category": "announcement",
        "area": "other",
        "item_code": None,
        "doc_number": None,
        "formed_on": date(2026, 6, 1),
        "body": "",
        "attachments": [],
        "disclosure": "proactive",
        "withheld_reason": None,
        "needs_interpretation": False,
    }


def main(count: int, label: str) -> None:
    settings = Settings()
    editor = Principal(sub=f"proc-{label}", roles=frozenset({"editor"}), dept="FIN")
    with open_application("catalogue", settings) as app:
        for n in range(count):
            app.draft_record(actor=editor, fields=record_fields(f"{label}-{n}"))


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
