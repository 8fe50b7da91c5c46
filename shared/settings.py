"""Typed settings, read once from ``OPENNESS_*`` environment variables.

Every number that comes from the law is a field here with its legal default, so a province
or a later document can change it without a release.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.rules.law import Law

SERVICES: tuple[str, ...] = ("catalogue", "interpretation", "opinion", "assessment")
DEFAULT_PORTS: dict[str, int] = {
    "catalogue": 8001,
    "interpretation": 8002,
    "opinion": 8003,
    "assessment": 8004,
}


DEVELOPMENT_JWT_SECRET = "openness-development-secret-change-me"  # noqa: S105 - refused in production


class Settings(BaseSettings):
    # OPENNESS_* variables, and a .env file in the working directory for what they do not set
    model_config = SettingsConfigDict(
        env_prefix="OPENNESS_", extra="ignore", env_file=".env", env_file_encoding="utf-8"
    )

    # --- storage -------------------------------------------------------------------
    data_dir: Path = Path("./data")
    database_url: str | None = None
    # Prefix for PostgreSQL schema names (tests give every run its own schemas).
    database_schema_prefix: str = ""

    # --- security ------------------------------------------------------------------
    # production refuses to start with the development secret, an empty audit key or SQLite
    env: Literal["development", "production"] = "development"
    jwt_secret: str = DEVELOPMENT_JWT_SECRET
    jwt_algorithm: Literal["HS256", "RS256", "EdDSA"] = "HS256"
    # RS256/EdDSA tokens from an external identity provider: its PEM public key, or its JWKS URL.
    jwt_public_key_file: Path | None = None
    jwt_jwks_url: str | None = None
    jwt_issuer: str = "openness"
    jwt_audience: str = "openness"
    # The longest a token may live (exp - iat, or exp - now without iat); longer ones are refused.
    jwt_max_lifetime_seconds: int = Field(default=86_400, ge=60)
    # The token services present to each other (followers, the audit CLI): required with an
    # external identity provider (a platform/auditor token it issued); with HS256 the services
    # mint their own, living internal_token_seconds and renewed before they expire.
    service_token: str | None = None
    internal_token_seconds: int = Field(default=300, ge=30)
    # HMAC key that signs pagination cursors (defaults to the JWT secret; production requires its own).
    # The chain head and checkpoints are signed by the log key below.
    audit_signing_key: str | None = None
    hash_algorithm: Literal["sm3", "sha256"] = "sm3"
    # Ed25519 key (PKCS#8 PEM) that signs the checkpoints of every service's log. Unset: the
    # file <data_dir>/log-key.pem, created on first start (development); `openness keygen` writes one.
    log_key_file: Path | None = None
    # Origin line of checkpoints: "<log_origin>/<service>" (C2SP tlog-checkpoint); also the key name.
    log_origin: str = Field(default="openness.local", pattern=r"^[^\s+]{1,200}$")
    webhook_allow_private: bool = False  # deliver to loopback/private addresses and plain http (development only)
    # Seconds before each attempt of a webhook delivery (the first is the first attempt); after the
    # last a delivery is failed (and may be redelivered for webhook_redeliver_days).
    webhook_retry_schedule: str = Field(
        default="0,5,300,1800,7200,18000,36000,50400,72000,86400", pattern=r"^\d+(\.\d+)?(,\d+(\.\d+)?)*$"
    )
    webhook_timeout_seconds: float = Field(default=15.0, gt=0)
    webhook_max_concurrent: int = Field(default=8, ge=1)  # receivers sent to at once per process
    webhook_redeliver_days: int = Field(default=30, ge=1)
    deliver_webhooks: bool = True  # run the deliverer in this process
    # Gateways whose X-Forwarded-For is believed (comma-separated addresses or networks); none by default.
    trusted_proxies: str = ""

    # --- data files ------------------------------------------------------------------
    departments_file: Path | None = None
    calendar_file: Path | None = None

    # --- service addresses -------------------------------------------------------------
    catalogue_port: int = DEFAULT_PORTS["catalogue"]
    interpretation_port: int = DEFAULT_PORTS["interpretation"]
    opinion_port: int = DEFAULT_PORTS["opinion"]
    assessment_port: int = DEFAULT_PORTS["assessment"]
    catalogue_url: str | None = None
    interpretation_url: str | None = None
    opinion_url: str | None = None
    assessment_url: str | None = None
    # The address browsers reach the services at (the gateway), for links in pages such as the
    # desk; "/" links on the same origin. Unset: each service's own address (url_of).
    public_url: str | None = None

    # --- HTTP limits -------------------------------------------------------------------
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    max_json_depth: int = Field(default=32, ge=4)
    feed_max_wait_seconds: float = Field(default=30.0, ge=0)
    feed_max_polls_per_principal: int = Field(
        default=20, ge=1
    )  # concurrent waiting long polls per caller; more get 429
    feed_recheck_seconds: float = Field(default=0.5, gt=0)  # how often a process looks for commits it was not told of
    public_comment_per_minute: int = Field(default=5, ge=1)
    export_max_rows: int = Field(default=100_000, ge=1)
    export_max_concurrent: int = Field(default=2, ge=1)  # exports prepared at once per process; more get 429
    export_per_minute: int = Field(default=10, ge=1)  # exports per client address per minute
    # search ranks the matches newest first in tranches of so many (services/catalogue/queries.py):
    # what one query ranks, so a word found in most records costs what a rarer one does
    search_rank_tranche: int = Field(default=2000, ge=10)
    log_level: str = "INFO"
    log_format: Literal["json", "console"] = "json"  # console: one readable line per record (development)

    # --- followers ----------------------------------------------------------------------
    follow: bool = True
    # events a follower asks for at once: a cold one applies each page in one transaction, while
    # it asks for the next (the feed gives at most 1,000)
    follower_batch_size: int = Field(default=1000, ge=1, le=1000)
    follower_wait_seconds: float = Field(default=10.0, ge=0)
    follower_retry_seconds: float = Field(default=2.0, gt=0)
    # the assessment stores its world (what changed since the previous one) every so many facts, so
    # a past as_of replays at most that many
    assessment_snapshot_every_facts: int = Field(default=20_000, ge=100)
    # and its tallies (sums and open entities: some ten kilobytes) every so many facts, so a past
    # league counts again only the entities that at most that many facts changed (in process, on
    # bench-scale's history of 30k events per service: 2,000 gave a past league p50 116 ms, 500 46 ms)
    assessment_tally_snapshot_every_facts: int = Field(default=500, ge=10)
    # the live world is long-lived and large: once it has grown by so many facts the assessment
    # collects and then freezes what is alive (gc.freeze), so that the collector's full passes,
    # each a pause of every thread, no longer walk it (0: never)
    assessment_gc_freeze_every_facts: int = Field(default=20_000, ge=0)

    # --- legal numbers (domain.md "Rules and numbers") ---------------------------------
    disclosure_working_days: int = 20  # rule 1, 条例 第26条
    request_reply_working_days: int = 20  # rule 2, 条例 第33条
    request_extension_max_working_days: int = 20  # rule 2
    clarification_notice_working_days: int = 7  # rule 3, 条例 第30条
    consultation_pause_max_working_days: int = 15  # rule 4, 条例 第32、34条
    emergency_release_hours: int = 5  # rule 8, 国办发〔2016〕80号
    press_conference_hours: int = 24  # rule 8
    response_hours: int = 48  # rule 9, 国办发〔2016〕61号
    comment_period_min_days: int = 30  # rule 10, 重大行政决策程序暂行条例 第15条
    interpretation_sync_working_days: int = 3  # rule 11
    principal_interpretations_per_year: int = 3  # rule 12
    proposal_publication_working_days: int = 20  # rule 13
    budget_disclosure_calendar_days: int = 20  # rule 1 refinement, 预算法 第十四条 (calendar days)
    clarification_reply_working_days: int = 15  # rule 3 refinement: default 补正期限 named in the notice
    annual_report_department_due: str = Field(
        default="01-31", pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"
    )  # rule 7
    annual_report_city_due: str = Field(default="03-31", pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")  # rule 7
    future_skew_seconds: int = Field(default=300, ge=0)  # api.md: a platform clock may run 5 minutes ahead
    request_due_soon_working_days: int = 5  # issue 4: "what is due in the next 5 working days"

    @property
    def law(self) -> Law:
        return Law.from_settings(self)

    def port_of(self, service: str) -> int:
        return int(getattr(self, f"{service}_port"))

    def url_of(self, service: str) -> str:
        configured = getattr(self, f"{service}_url")
        return str(configured or f"http://127.0.0.1:{self.port_of(service)}").rstrip("/")

    def production_refusals(self) -> list[str]:
        """Why this configuration must not serve in production (OPENNESS_ENV=production); empty: it may."""
        if self.env != "production":
            return []
        refusals = []
        if self.jwt_secret == DEVELOPMENT_JWT_SECRET:
            refusals.append("OPENNESS_JWT_SECRET is the development secret")
        if not self.audit_signing_key:
            refusals.append("OPENNESS_AUDIT_SIGNING_KEY is empty (it must not fall back to the JWT secret)")
        if self.database_url is None or self.database_url.startswith("sqlite"):
            refusals.append("the store is SQLite: set OPENNESS_DATABASE_URL to PostgreSQL")
        if self.webhook_allow_private:
            refusals.append("OPENNESS_WEBHOOK_ALLOW_PRIVATE is on (webhooks to private addresses, development only)")
        return refusals

    @property
    def signing_key(self) -> bytes:
        return (self.audit_signing_key or self.jwt_secret).encode("utf-8")

    @property
    def webhook_schedule(self) -> tuple[float, ...]:
        return tuple(float(seconds) for seconds in self.webhook_retry_schedule.split(","))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
