"""Throwaway PostgreSQL and Redis servers on loopback for the tests and `make bench` (Debian's
packages, installed by `make services`), each with its own data directory, stopped at the end."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterator, List

from stack.launcher import background, free_port

INITDB = next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))), None)
REDIS_SERVER = shutil.which("redis-server")
DB_USER, DB_NAME = "lab_advisor", "lab_advisor"


def as_postgres_user(command: List[str]) -> List[str]:
    """PostgreSQL refuses to run as root: run it as the `postgres` user the package created."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


def wait_for(check: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.3)
    raise RuntimeError(f"{what} did not start within {timeout:.0f} s")


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """A new PostgreSQL cluster with one empty database; yields its SQLAlchemy URL."""
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
            check=True,
            capture_output=True,
        )
        server = as_postgres_user(
            [
                str(bin_dir / "postgres"),
                "-D",
                str(data),
                "-p",
                str(port),
                "-k",
                str(home),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "fsync=off",
            ]
        )
        with background(server, Path(tempfile.gettempdir()) / f"lab-advisor-pg-{port}.log"):
            ready = [str(bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)]
            wait_for(lambda: subprocess.run(ready, capture_output=True).returncode == 0, "PostgreSQL")
            create = [str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", DB_USER, DB_NAME]
            subprocess.run(create, check=True, capture_output=True)
            yield f"postgresql://{DB_USER}@127.0.0.1:{port}/{DB_NAME}"
    finally:
        shutil.rmtree(home, ignore_errors=True)


@contextlib.contextmanager
def redis_server(workdir: Path) -> Iterator[int]:
    """A Redis server that keeps nothing on disk; yields its port."""
    import redis

    port = free_port()
    command = [
        REDIS_SERVER or "",
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        str(workdir),
        "--save",
        "",
        "--appendonly",
        "no",
    ]
    with background(command, workdir / "redis.log"):
        client = redis.Redis(host="127.0.0.1", port=port)

        def up() -> bool:
            try:
                return bool(client.ping())
            except redis.exceptions.ConnectionError:
                return False

        wait_for(up, "Redis")
        yield port
