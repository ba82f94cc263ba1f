"""The scaled-out deployment, for real on this machine: PostgreSQL as the tracker store and Redis as
the lock store (Debian's packages, `make services`), each started here on loopback with a throwaway
data directory, one stateless action server, and two Rasa server processes sharing them. One
conversation alternates between the two servers; its context carries over and every turn is
stored exactly once, in order, also when two turns arrive at once.

Skipped, saying why, where PostgreSQL or Redis is not installed.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from stack.services import INITDB, REDIS_SERVER
from tests.servers import endpoint_env, say, start_actions, start_rasa_servers, stored_user_messages, texts

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(INITDB is None, reason="PostgreSQL's server is not installed: run `make services`"),
    pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed: run `make services`"),
]

SHARED_LOCK_STORE = "redis"  # what the README's deployment uses
SIMULTANEOUS_ROUNDS = 5


def test_two_rasa_servers_share_one_conversation(
    model_path: Path, tmp_path: Path, postgres_url: str, redis_port: int
) -> None:
    student = f"student-{uuid.uuid4().hex[:8]}"
    with start_actions(tmp_path) as actions_url:
        env = endpoint_env(
            actions_url,
            tmp_path,
            LAB_ADVISOR_DB_URL=postgres_url,
            LAB_ADVISOR_LOCK_STORE=SHARED_LOCK_STORE,
            LAB_ADVISOR_REDIS_HOST="127.0.0.1",
            LAB_ADVISOR_REDIS_PORT=str(redis_port),
        )
        with start_rasa_servers(model_path, tmp_path, env, ["rasa-a", "rasa-b"]) as (a, b):
            turns = [
                (a, "what does a phlebotomist do?", "draw blood"),
                (b, "how much do they make?", "$41,810"),  # the context comes from server a
                (a, "and what education do they need", "phlebotomy"),
                (b, "thanks!", "welcome"),
            ]
            for server, message, expected in turns:
                assert expected in texts(say(server, message, student)), (server, message)

            # two turns of one conversation at the same moment, one on each server: the lock store
            # makes them take turns, and both are stored once (Rasa's own RedisLockStore loses
            # one in about half of these rounds; see addons/server/lock_store.py)
            for _ in range(SIMULTANEOUS_ROUNDS):
                with ThreadPoolExecutor(2) as pool:
                    first = pool.submit(say, a, "what does a histotech do?", student)
                    second = pool.submit(say, b, "how long does it take to become a lab tech", student)
                    assert texts(first.result()) and texts(second.result())
    stored = stored_user_messages(postgres_url, student)
    assert stored[:4] == [message for _, message, _ in turns]
    simultaneous = stored[4:]
    assert len(simultaneous) == 2 * SIMULTANEOUS_ROUNDS, simultaneous  # none lost, none duplicated
    assert simultaneous.count("what does a histotech do?") == SIMULTANEOUS_ROUNDS
