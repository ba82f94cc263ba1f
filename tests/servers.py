"""Start and stop the action server and the Rasa server for tests, on free loopback ports."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MODEL_PATH = PROJECT_ROOT / "models" / "lab-career-advisor.tar.gz"  # what `make train` writes
RASA = str(Path(sys.executable).parent / "rasa")
STARTUP_TIMEOUT_SECONDS = 180


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(**extra: str) -> Dict[str, str]:
    env = dict(os.environ)
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        PYTHONPATH=str(PROJECT_ROOT),
        SANIC_HOST="127.0.0.1",  # the action server binds to loopback only
    )
    env.update(extra)
    return env


def get_json(url: str, timeout: float = 5) -> Any:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback only
        return json.loads(response.read().decode("utf-8"))


def post_json(url: str, body: Dict[str, Any], timeout: float = 60) -> Any:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode("utf-8"), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - loopback only
        return json.loads(response.read().decode("utf-8"))


def post_raw(url: str, body: bytes, timeout: float = 60) -> Tuple[int, Any]:
    """POST raw bytes as JSON; the status and the parsed reply (or its text if it is not JSON),
    for error responses too."""
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - loopback only
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw or b"null")
    except ValueError:
        return status, raw.decode("utf-8", "replace")


def wait_until_up(url: str, process: subprocess.Popen, log: Path, expect_json: bool = True) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if expect_json:
                get_json(url, timeout=2)
            else:
                urllib.request.urlopen(url, timeout=2).close()  # noqa: S310 - loopback only
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError, json.JSONDecodeError):
            time.sleep(0.5)
    raise RuntimeError(f"server at {url} not up after {STARTUP_TIMEOUT_SECONDS}s:\n{log.read_text()[-3000:]}")


@contextlib.contextmanager
def background(command: List[str], log: Path, env: Optional[Dict[str, str]] = None) -> Iterator[subprocess.Popen]:
    with open(log, "wb") as out:
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, stdout=out, stderr=subprocess.STDOUT, env=env or server_env()
        )
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


WEB_BUNDLE = PROJECT_ROOT / "web" / "vendor" / "deep-chat" / "deepChat.bundle.js"  # what `make web` installs


@dataclass
class RunningBot:
    rasa_url: str
    actions_url: str
    web_url: Optional[str] = None  # the chat page, when the widget is installed
    db_url: Optional[str] = None  # its tracker store
    log_dir: Optional[Path] = None  # where its servers' logs are (rasa.log, actions.log, web.log)

    def say(self, message: str, sender: str) -> List[Dict[str, Any]]:
        """Send a message over the REST channel; the bot's replies."""
        return say(self.rasa_url, message, sender)


def say(rasa_url: str, message: str, sender: str) -> List[Dict[str, Any]]:
    """Send a message to a Rasa server's REST channel; the bot's replies."""
    return post_json(f"{rasa_url}/webhooks/rest/webhook", {"sender": sender, "message": message})


def texts(replies: List[Dict[str, Any]]) -> str:
    """The text of the bot's replies, one per line."""
    return "\n".join(r.get("text", "") for r in replies)


def endpoint_env(actions_url: str, workdir: Path, **overrides: str) -> Dict[str, str]:
    """Values for the variables in endpoints.yml: this action server, a SQLite tracker store in
    `workdir`, one Rasa server (in-memory lock store); `overrides` for anything else."""
    values = {
        "LAB_ADVISOR_ACTIONS_URL": f"{actions_url}/webhook",
        "LAB_ADVISOR_DB_URL": f"sqlite:///{workdir / 'conversations.db'}",
        "LAB_ADVISOR_LOCK_STORE": "in_memory",
        "LAB_ADVISOR_REDIS_HOST": "localhost",
        "LAB_ADVISOR_REDIS_PORT": "6379",
        "LAB_ADVISOR_REDIS_DB": "1",
    }
    values.update(overrides)
    return values


def actions_command(port: int) -> List[str]:
    """`rasa run actions` as `make run` starts it (loopback: SANIC_HOST in server_env)."""
    return [RASA, "run", "actions", "--actions", "actions", "--port", str(port)]


def rasa_command(model: Path, port: int, extra_args: Sequence[str] = ()) -> List[str]:
    """`rasa run` with the project's endpoints.yml and credentials.yml, on loopback."""
    return [
        RASA, "run", "--model", str(model), "--endpoints", str(PROJECT_ROOT / "endpoints.yml"),
        "--credentials", str(PROJECT_ROOT / "credentials.yml"),
        "--interface", "127.0.0.1", "--port", str(port), *extra_args,
    ]  # fmt: skip


def stored_user_messages(db_url: str, sender: str) -> List[str]:
    """What the student said in one conversation, as the tracker store holds it, in order."""
    import sqlalchemy as sa

    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT data FROM events WHERE sender_id = :s AND type_name = 'user' ORDER BY id"), {"s": sender}
            )
            return [json.loads(row[0])["text"] for row in rows]
    finally:
        engine.dispose()


@contextlib.contextmanager
def start_actions(workdir: Path, port: Optional[int] = None) -> Iterator[str]:
    """The action server on `port` (default: a free loopback port); yields its URL."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    with background(actions_command(port), workdir / "actions.log") as process:
        wait_until_up(f"{url}/health", process, workdir / "actions.log")
        yield url


@contextlib.contextmanager
def start_rasa(
    model: Path, workdir: Path, env: Dict[str, str], extra_args: Sequence[str] = (), name: str = "rasa",
    port: Optional[int] = None,
) -> Iterator[str]:
    """A Rasa server with the project's endpoints.yml and credentials.yml on `port` (default: a
    free loopback port), `env` filling endpoints.yml's variables; yields its URL."""
    with start_rasa_servers(model, workdir, env, [name], extra_args, [port] if port else None) as [url]:
        yield url


@contextlib.contextmanager
def start_rasa_servers(
    model: Path, workdir: Path, env: Dict[str, str], names: Sequence[str], extra_args: Sequence[str] = (),
    ports: Optional[Sequence[int]] = None,
) -> Iterator[List[str]]:
    """Several Rasa servers sharing one configuration, started at once (each takes ~30 s to load
    the model); yields their URLs. Logs go to `workdir`/<name>.log."""
    with contextlib.ExitStack() as stack:
        started = []
        for index, name in enumerate(names):
            port = ports[index] if ports else free_port()
            log = workdir / f"{name}.log"
            process = stack.enter_context(background(rasa_command(model, port, extra_args), log, env=server_env(**env)))
            started.append((f"http://127.0.0.1:{port}", process, log))
        for url, process, log in started:
            wait_until_up(f"{url}/webhooks/rest/", process, log)
        yield [url for url, _, _ in started]


@contextlib.contextmanager
def start_web(workdir: Path, rasa_url: str, port: int, extra_args: Sequence[str] = ()) -> Iterator[str]:
    """The demo page with the chat widget (scripts/web_server.py); yields its URL."""
    command = [
        sys.executable, str(PROJECT_ROOT / "scripts" / "web_server.py"), "--port", str(port), "--rasa-url", rasa_url,
        *extra_args,
    ]  # fmt: skip
    with background(command, workdir / "web.log") as process:
        wait_until_up(f"http://127.0.0.1:{port}/", process, workdir / "web.log", expect_json=False)
        yield f"http://127.0.0.1:{port}"


@contextlib.contextmanager
def start_bot(model: Path, workdir: Path, **env_overrides: str) -> Iterator[RunningBot]:
    """The action server, the Rasa server and (when `make web` has run) the chat page, as `make run`
    starts them: the Rasa server accepts browser calls from the page's origin only. `env_overrides`
    change endpoints.yml's variables (LAB_ADVISOR_DB_URL=postgresql://...)."""
    web_port = free_port()
    web_origin = f"http://127.0.0.1:{web_port}" if WEB_BUNDLE.is_file() else None
    with contextlib.ExitStack() as stack:
        actions_url = stack.enter_context(start_actions(workdir))
        cors = ["--cors", web_origin] if web_origin else []
        env = endpoint_env(actions_url, workdir, **env_overrides)
        rasa_url = stack.enter_context(start_rasa(model, workdir, env, cors))
        web_url = stack.enter_context(start_web(workdir, rasa_url, web_port)) if web_origin else None
        yield RunningBot(rasa_url, actions_url, web_url, db_url=env["LAB_ADVISOR_DB_URL"], log_dir=workdir)
