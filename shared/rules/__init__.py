"""The legal rules of the platform, each computed in exactly one place.

Pure functions and plain data: no web framework, no database, no settings object. The service
that runs a clock (catalogue, interpretation, opinion) and the assessment that judges it call
the same function, so the deadline an editor is shown is the one the department is scored
against. ``docs/rules.md`` of the project maps every rule to its legal source, its function
and its tests.

- ``time``: time limits in working or calendar days, the met/missed/pending judgement, no future facts
- ``disclosure``: proactive disclosure (rule 1, 16), catalogue items' elements
- ``requests``: the information-request clock as a fold over its facts (rules 2-5), appeals
- ``proposals``: NPC/CPPCC reply publication (rule 13)
- ``contacts``: contact details removed from published text (rule 13, every public view)
- ``interpretation``: synchronised interpretation and the principal-interpreter quota (rules 11-12)
- ``opinion``: incident deadlines in clock hours, re-assessment (rules 8-9)
- ``consultations``: the public comment period of draft decisions (rule 10)
- ``annual_report``: the annual report's due date and publication (rule 7)
- ``vocabulary``: the closed lists (outcomes, reasons, applicant types, indicators, action kinds)
- ``law``: every number above as one value built from configuration
"""
