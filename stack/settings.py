"""Every setting of Lab Career Advisor, with its default, in one place.

Each is an environment variable (`lab-advisor.env.example` lists exactly these, with these
defaults; a test checks it). The launcher (`make run`, `make shell`, the tests, `make bench`), the
action server, the REST channel, the tracker and lock stores and the scripts all read them here, so
changing one changes it everywhere. Plain Python, no Rasa import.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str
    group: str


SETTINGS: Tuple[Setting, ...] = (
    # Where things run (`make run` binds everything to loopback)
    Setting(
        "LAB_ADVISOR_ACTIONS_URL",
        "http://127.0.0.1:5055/webhook",
        "the action server, as the Rasa server calls it (make run starts it on this port)",
        "run",
    ),
    Setting("LAB_ADVISOR_RASA_PORT", "5005", "the Rasa server's port (the REST channel)", "run"),
    Setting("LAB_ADVISOR_WEB_HOST", "127.0.0.1", "the demo chat page's address", "run"),
    Setting("LAB_ADVISOR_WEB_PORT", "8080", "the demo chat page's port", "run"),
    Setting(
        "LAB_ADVISOR_RASA_URL",
        "",
        "the Rasa server as browsers reach it (empty: http://127.0.0.1:<LAB_ADVISOR_RASA_PORT>)",
        "run",
    ),
    Setting(
        "LAB_ADVISOR_CORS_ORIGINS",
        "",
        "web origins allowed to call the Rasa server, space-separated (empty: the demo page's own)",
        "run",
    ),
    Setting(
        "LAB_ADVISOR_KNOWLEDGE_FILE",
        "bot/knowledge/careers.yml",
        "the knowledge file the action server loads (and reloads when edited)",
        "run",
    ),
    Setting("LAB_ADVISOR_REPLY_TIMEOUT", "10", 'seconds before a turn answers "please try again"', "run"),
    Setting("LAB_ADVISOR_RATE_LIMIT", "30", "turns per minute per conversation (0 = no limit; load tests)", "run"),
    Setting(
        "LAB_ADVISOR_SESSION_TURNS",
        "40",
        "turns after which a conversation starts a new session, keeping its slots (0 = only after 60 idle minutes)",
        "run",
    ),
    # Conversations (tracker store) and retention
    Setting(
        "LAB_ADVISOR_DB_URL",
        "sqlite:///conversations.db",
        "or postgresql://user:password@host:5432/lab_advisor",
        "store",
    ),
    Setting("LAB_ADVISOR_RETENTION_DAYS", "30", "`make forget` deletes conversations idle longer than this", "store"),
    # Scale-out: a lock store shared by several Rasa servers
    Setting("LAB_ADVISOR_LOCK_STORE", "in_memory", "in_memory (one Rasa server) or redis (several)", "scale"),
    Setting("LAB_ADVISOR_REDIS_HOST", "localhost", "the Redis server of the redis lock store", "scale"),
    Setting("LAB_ADVISOR_REDIS_PORT", "6379", "its port", "scale"),
    Setting("LAB_ADVISOR_REDIS_DB", "1", "its database number", "scale"),
    # Rasa's HTTP API: off unless one of these is set, and then only with authentication
    Setting("LAB_ADVISOR_API_TOKEN", "", "--enable-api --auth-token (a long random string)", "api"),
    Setting("LAB_ADVISOR_JWT_SECRET", "", "or --enable-api --jwt-secret (HS256)", "api"),
)
DEFAULTS: Dict[str, str] = {s.name: s.default for s in SETTINGS}
LOCK_STORES = ("in_memory", "redis")


class SettingError(ValueError):
    """A setting whose value cannot be used; the message names the variable."""


def _whole(name: str, raw: str, least: int = 0) -> int:
    if not raw.strip().isdigit() or int(raw) < least:
        raise SettingError(f"{name} must be a whole number of at least {least}, not {raw!r}")
    return int(raw)


def _number(name: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value < 0:
        raise SettingError(f"{name} must be a number of 0 or more, not {raw!r}")
    return value


def _port_of(name: str, url: str) -> int:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingError(f"{name} must be an http(s) URL such as {DEFAULTS[name]}, not {url!r}")
    return parts.port or (443 if parts.scheme == "https" else 80)


@dataclass(frozen=True)
class Settings:
    """The settings in force: from the environment, with the defaults above for what is not set."""

    actions_url: str
    rasa_port: int
    web_host: str
    web_port: int
    rasa_public_url: str
    cors_origins: List[str]
    knowledge_file: Path
    reply_timeout: float
    rate_limit: int
    session_turns: int
    db_url: str
    retention_days: float
    lock_store: str
    redis_host: str
    redis_port: int
    redis_db: int
    api_token: str
    jwt_secret: str
    extra_env: Dict[str, str] = field(default_factory=dict)  # anything else for child processes

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None, **overrides: str) -> Settings:
        """Settings from `env` (default: this process's environment), then `overrides` by
        variable name; raises SettingError naming the variable for a value that cannot be used."""
        values = {**DEFAULTS, **{k: v for k, v in (os.environ if env is None else env).items() if k in DEFAULTS}}
        values.update(overrides)
        unknown = [name for name in overrides if name not in DEFAULTS]
        if unknown:
            raise SettingError(f"no such setting: {', '.join(unknown)} (see lab-advisor.env.example)")
        _port_of("LAB_ADVISOR_ACTIONS_URL", values["LAB_ADVISOR_ACTIONS_URL"])
        rasa_port = _whole("LAB_ADVISOR_RASA_PORT", values["LAB_ADVISOR_RASA_PORT"], 1)
        web_port = _whole("LAB_ADVISOR_WEB_PORT", values["LAB_ADVISOR_WEB_PORT"], 1)
        web_host = values["LAB_ADVISOR_WEB_HOST"]
        lock_store = values["LAB_ADVISOR_LOCK_STORE"]
        if lock_store not in LOCK_STORES:
            raise SettingError(f"LAB_ADVISOR_LOCK_STORE must be one of {', '.join(LOCK_STORES)}, not {lock_store!r}")
        knowledge = Path(values["LAB_ADVISOR_KNOWLEDGE_FILE"])
        return cls(
            actions_url=values["LAB_ADVISOR_ACTIONS_URL"],
            rasa_port=rasa_port,
            web_host=web_host,
            web_port=web_port,
            rasa_public_url=(values["LAB_ADVISOR_RASA_URL"] or f"http://127.0.0.1:{rasa_port}").rstrip("/"),
            cors_origins=values["LAB_ADVISOR_CORS_ORIGINS"].split()
            or [f"http://{web_host}:{web_port}", f"http://localhost:{web_port}"],
            knowledge_file=knowledge if knowledge.is_absolute() else PROJECT_ROOT / knowledge,
            reply_timeout=_number("LAB_ADVISOR_REPLY_TIMEOUT", values["LAB_ADVISOR_REPLY_TIMEOUT"]),
            rate_limit=_whole("LAB_ADVISOR_RATE_LIMIT", values["LAB_ADVISOR_RATE_LIMIT"]),
            session_turns=_whole("LAB_ADVISOR_SESSION_TURNS", values["LAB_ADVISOR_SESSION_TURNS"]),
            db_url=values["LAB_ADVISOR_DB_URL"],
            retention_days=_number("LAB_ADVISOR_RETENTION_DAYS", values["LAB_ADVISOR_RETENTION_DAYS"]),
            lock_store=lock_store,
            redis_host=values["LAB_ADVISOR_REDIS_HOST"],
            redis_port=_whole("LAB_ADVISOR_REDIS_PORT", values["LAB_ADVISOR_REDIS_PORT"], 1),
            redis_db=_whole("LAB_ADVISOR_REDIS_DB", values["LAB_ADVISOR_REDIS_DB"]),
            api_token=values["LAB_ADVISOR_API_TOKEN"],
            jwt_secret=values["LAB_ADVISOR_JWT_SECRET"],
        )

    @property
    def actions_port(self) -> int:
        return _port_of("LAB_ADVISOR_ACTIONS_URL", self.actions_url)

    def changed(self, **values: Any) -> Settings:
        """A copy with some fields changed (tests and the benchmark use free ports, say)."""
        return replace(self, **values)

    def as_env(self) -> Dict[str, str]:
        """These settings as the environment of a child process (the action server, the Rasa
        server, the page), so that they read the same values."""
        return {
            "LAB_ADVISOR_ACTIONS_URL": self.actions_url,
            "LAB_ADVISOR_RASA_PORT": str(self.rasa_port),
            "LAB_ADVISOR_WEB_HOST": self.web_host,
            "LAB_ADVISOR_WEB_PORT": str(self.web_port),
            "LAB_ADVISOR_RASA_URL": self.rasa_public_url,
            "LAB_ADVISOR_CORS_ORIGINS": " ".join(self.cors_origins),
            "LAB_ADVISOR_KNOWLEDGE_FILE": str(self.knowledge_file),
            "LAB_ADVISOR_REPLY_TIMEOUT": f"{self.reply_timeout:g}",
            "LAB_ADVISOR_RATE_LIMIT": str(self.rate_limit),
            "LAB_ADVISOR_SESSION_TURNS": str(self.session_turns),
            "LAB_ADVISOR_DB_URL": self.db_url,
            "LAB_ADVISOR_RETENTION_DAYS": f"{self.retention_days:g}",
            "LAB_ADVISOR_LOCK_STORE": self.lock_store,
            "LAB_ADVISOR_REDIS_HOST": self.redis_host,
            "LAB_ADVISOR_REDIS_PORT": str(self.redis_port),
            "LAB_ADVISOR_REDIS_DB": str(self.redis_db),
            "LAB_ADVISOR_API_TOKEN": self.api_token,
            "LAB_ADVISOR_JWT_SECRET": self.jwt_secret,
            **self.extra_env,
        }


def current() -> Settings:
    """The settings of this process, from its environment."""
    return Settings.from_env()
