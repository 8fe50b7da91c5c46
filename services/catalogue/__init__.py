"""catalogue: the proactive-disclosure catalogue, disclosure records, requests, annual reports."""
