"""Webhooks for provincial platforms (api.md "Webhooks"): where a delivery may go (``targets``) and
what it carries (``messages``: CloudEvents 1.0 structured JSON, signed per Standard Webhooks 1.0)."""
