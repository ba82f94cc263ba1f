"""A Redis lock store that is safe with several Rasa servers.

Rasa's own `RedisLockStore` issues and returns a conversation's tickets by reading the lock from
Redis, changing it and writing it back. When two Rasa servers get a message for the same
conversation at the same moment, both can read the lock before either writes it, take the same
ticket and process the conversation at once; one of the two turns is then lost from the tracker
store (RasaHQ/rasa#9213; measured here by tests/test_scale_out.py). This subclass does each of
those read-change-write steps under a short Redis mutex per conversation, so tickets are unique and
turns take their turn.

endpoints.yml names `ConfiguredLockStore`, which is Rasa's in-memory lock store or this one, as
LAB_ADVISOR_LOCK_STORE says (in_memory or redis, with LAB_ADVISOR_REDIS_HOST / _PORT / _DB).
"""

from __future__ import annotations

from typing import Any, Optional, Text

from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from stack.settings import current as current_settings

MUTEX_TIMEOUT_SECONDS = 10  # a crashed server's mutex expires after this


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url, **endpoint_config.kwargs, **kwargs}
        if "port" in kwargs and kwargs["port"] is not None:
            kwargs["port"] = int(kwargs["port"])
        super().__init__(**kwargs)

    def _mutex(self, conversation_id: Text) -> Any:
        return self.red.lock(
            f"{self.key_prefix}{conversation_id}:mutex",
            timeout=MUTEX_TIMEOUT_SECONDS,
            blocking_timeout=MUTEX_TIMEOUT_SECONDS,
        )

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        with self._mutex(conversation_id):
            return super().issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: Text) -> None:
        with self._mutex(conversation_id):
            super().update_lock(conversation_id)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        with self._mutex(conversation_id):
            super().cleanup(conversation_id, ticket_number)


class ConfiguredLockStore(LockStore):
    """The lock store LAB_ADVISOR_LOCK_STORE names: creating one gives Rasa's `InMemoryLockStore`
    (in_memory) or an `AtomicRedisLockStore` on LAB_ADVISOR_REDIS_HOST / _PORT / _DB (redis)."""

    def __new__(cls, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> LockStore:
        settings = current_settings()
        if settings.lock_store == "redis":
            return AtomicRedisLockStore(host=settings.redis_host, port=settings.redis_port, db=settings.redis_db)
        return InMemoryLockStore()
