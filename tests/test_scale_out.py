"""The scaled-out deployment, for real on this machine: PostgreSQL as the tracker store and Redis as
the lock store (Debian's packages, `make services`), each started here on loopback with a throwaway
data directory, one stateless action server, and two Rasa server processes sharing them. One
conversation alternates between the two servers; its context carries over and every turn is
stored exactly once, in order, also when two turns arrive at once.

Skipped, saying why, where PostgreSQL or Redis is not installed.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator, List

import pytest

from tests.servers import (
    background,
    endpoint_env,
    free_port,
    say,
    start_actions,
    start_rasa_servers,
    stored_user_messages,
    texts,
)

INITDB = next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))), None)
REDIS_SERVER = shutil.which("redis-server")

pytestmark = [
    pytest.mark.skipif(INITDB is None, reason="PostgreSQL's server is not installed: run `make services`"),
    pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed: run `make services`"),
]

DB_USER, DB_NAME = "lab_advisor", "lab_advisor"
SHARED_LOCK_STORE = "addons.lock_store.AtomicRedisLockStore"  # what the README's deployment uses
SIMULTANEOUS_ROUNDS = 5


def as_postgres_user(command: List[str]) -> List[str]:
    """PostgreSQL refuses to run as root: run it as the `postgres` user the package created."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


def wait_for(check, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.3)
    raise RuntimeError(f"{what} did not start within {timeout:.0f} s")


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    bin_dir = Path(INITDB or "").parent
    home = Path(tempfile.mkdtemp(prefix="lab-advisor-pg-"))
    data = home / "data"
    if os.geteuid() == 0:
        postgres = pwd.getpwnam("postgres")
        os.chown(home, postgres.pw_uid, postgres.pw_gid)
    port = free_port()
    try:
        subprocess.run(
            as_postgres_user([str(bin_dir / "initdb"), "-D", str(data), "-U", DB_USER, "--auth=trust"]),
            check=True, capture_output=True,
        )  # fmt: skip
        server = as_postgres_user([
            str(bin_dir / "postgres"), "-D", str(data), "-p", str(port), "-k", str(home),
            "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
        ])  # fmt: skip
        with background(server, Path(tempfile.gettempdir()) / f"lab-advisor-pg-{port}.log"):
            ready = [str(bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)]
            wait_for(lambda: subprocess.run(ready, capture_output=True).returncode == 0, "PostgreSQL")
            create = [str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", DB_USER, DB_NAME]
            subprocess.run(create, check=True, capture_output=True)
            yield f"postgresql://{DB_USER}@127.0.0.1:{port}/{DB_NAME}"
    finally:
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="module")
def redis_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    import redis

    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    command = [
        REDIS_SERVER or "", "--port", str(port), "--bind", "127.0.0.1", "--dir", str(workdir),
        "--save", "", "--appendonly", "no",
    ]  # fmt: skip
    with background(command, workdir / "redis.log"):
        client = redis.Redis(host="127.0.0.1", port=port)

        def up() -> bool:
            try:
                return bool(client.ping())
            except redis.exceptions.ConnectionError:
                return False

        wait_for(up, "Redis")
        yield port


def test_two_rasa_servers_share_one_conversation(
    model_path: Path, tmp_path: Path, postgres_url: str, redis_port: int
) -> None:
    student = f"student-{uuid.uuid4().hex[:8]}"
    with start_actions(tmp_path) as actions_url:
        env = endpoint_env(
            actions_url, tmp_path,
            LAB_ADVISOR_DB_URL=postgres_url, LAB_ADVISOR_LOCK_STORE=SHARED_LOCK_STORE,
            LAB_ADVISOR_REDIS_HOST="127.0.0.1", LAB_ADVISOR_REDIS_PORT=str(redis_port),
        )  # fmt: skip
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
            # one in about half of these rounds; see addons/lock_store.py)
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
