"""JSON logs with a request id, and Prometheus metrics."""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime

from prometheus_client import (
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
)

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
# Who made the request being served (principal, department, client), filled in as it becomes known;
# a dict set by the middleware, so a dependency running in a worker thread can add to it.
request_facts: ContextVar[dict[str, str] | None] = ContextVar("request_facts", default=None)
FIELDS = ("service", "method", "path", "status", "duration_ms", "code", "principal", "department", "client")


def _fields(record: logging.LogRecord) -> dict[str, object]:
    entry: dict[str, object] = {}
    rid = request_id.get()
    if rid:
        entry["request_id"] = rid
    for key in FIELDS:
        value = record.__dict__.get(key)
        if value is not None:
            entry[key] = value
    return entry


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_fields(record),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class ConsoleFormatter(logging.Formatter):
    """One readable line per record, for a developer's terminal (OPENNESS_LOG_FORMAT=console)."""

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC).strftime("%H:%M:%S.%f")[:-3]
        extras = " ".join(f"{k}={v}" for k, v in _fields(record).items())
        line = f"{moment} {record.levelname:<7} {record.name}: {record.getMessage()}" + (
            f"  {extras}" if extras else ""
        )
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def configure_logging(level: str, log_format: str = "json") -> None:
    """Our one handler on the root logger (replacing the one installed before, never a handler
    someone else added, such as a test's capture); uvicorn's loggers propagate to it."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(ConsoleFormatter() if log_format == "console" else JsonFormatter())
    handler.set_name(_HANDLER_NAME)
    root = logging.getLogger()
    root.handlers[:] = [h for h in root.handlers if h.get_name() != _HANDLER_NAME and not _is_default(h)]
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)  # we log requests ourselves


_HANDLER_NAME = "openness"


def _is_default(handler: logging.Handler) -> bool:
    """A bare stream handler of logging.basicConfig or lastResort style (ours replaces it)."""
    return type(handler) is logging.StreamHandler and handler.get_name() is None and handler.formatter is None


class Metrics:
    """One registry per app, so several apps can live in one process (tests)."""

    def __init__(self, service: str) -> None:
        self.registry = CollectorRegistry()
        # The process (CPU seconds, resident memory, open files, start time), Python and its GC.
        for collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
            self.registry.register(collector)
        self.requests = Counter(
            "openness_http_requests_total",
            "HTTP requests by route and status",
            ["service", "method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "openness_http_request_seconds",
            "HTTP request latency by route",
            ["service", "method", "route"],
            registry=self.registry,
        )
        self.follower_lag = Gauge(
            "openness_follower_lag_events",
            "Events the follower has not applied yet",
            ["service", "upstream"],
            registry=self.registry,
        )
        self.chain_breaks = Counter(
            "openness_follower_chain_breaks_total",
            "Upstream items whose chain link did not verify (the source is stopped)",
            ["service", "upstream"],
            registry=self.registry,
        )
        self.webhook_deliveries = Counter(
            "openness_webhook_deliveries_total",
            "Webhook delivery attempts by outcome (delivered, retry, failed, disabled)",
            ["service", "outcome"],
            registry=self.registry,
        )
        self.webhook_queue = Gauge(
            "openness_webhook_queue_depth",
            "Deliveries waiting to be sent, per webhook",
            ["service", "webhook"],
            registry=self.registry,
        )
        self.webhook_oldest = Gauge(
            "openness_webhook_oldest_undelivered_seconds",
            "Age of the oldest delivery not yet sent, per webhook",
            ["service", "webhook"],
            registry=self.registry,
        )
        self.waiting_polls = Gauge(
            "openness_feed_waiting_polls",
            "Feed long polls waiting for a commit",
            ["service"],
            registry=self.registry,
        )
        self.events_appended = Counter(
            "openness_events_appended_total",
            "Events this process appended to the service's log, by type",
            ["service", "type"],
            registry=self.registry,
        )
        self.log_head = Gauge(
            "openness_log_head_position",
            "Position of the newest event in the service's log",
            ["service"],
            registry=self.registry,
        )
        self.violations = Gauge(
            "openness_violations",
            "What the assessment's judge counts against departments in the current year, live, by kind"
            " (missed legal deadlines and the other violations of domain.md)",
            ["service", "kind"],
            registry=self.registry,
        )
        self.service = service

    def count_appended(self, types: list[str]) -> None:
        for type_ in types:
            self.events_appended.labels(self.service, type_).inc()
