"""Start and stop Lab Career Advisor's servers: the one place that knows their command lines,
readiness checks, ports and environment.

`make run` (`python -m stack run`) and `make shell` (`python -m stack shell`) use it, and so do
the tests, `make bench` and the end-to-end check, with their own settings (free ports, throwaway
databases). Every server listens on loopback; each one's output goes to a rotating, owner-only
log file; every process started here is stopped when its `with` block ends, also on Ctrl-C.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence

from stack import logs
from stack.settings import PROJECT_ROOT, Settings

MODEL_PATH = PROJECT_ROOT / "models" / "lab-career-advisor.tar.gz"  # what `make train` writes
ENDPOINTS = PROJECT_ROOT / "endpoints.yml"
CREDENTIALS = PROJECT_ROOT / "credentials.yml"
WEB_BUNDLE = PROJECT_ROOT / "web" / "vendor" / "deep-chat" / "deepChat.bundle.js"  # what `make web` installs
RASA = str(Path(sys.executable).parent / "rasa")
STARTUP_TIMEOUT_SECONDS = 180
STOP_TIMEOUT_SECONDS = 10
QUIET_CHILDREN = {
    "RASA_TELEMETRY_ENABLED": "false",
    "TF_CPP_MIN_LOG_LEVEL": "2",  # no TensorFlow info and warnings
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "PYTHONWARNINGS": "ignore",  # Rasa's dependencies print pages of deprecation warnings on start
}


class StartError(RuntimeError):
    """A server did not start; the message names it, its log, and the end of that log."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def throwaway_settings(workdir: Path, **values: str) -> Settings:
    """Settings for a private copy of the assistant (tests, `make bench`, the end-to-end check):
    the defaults, not this shell's environment; free loopback ports; a SQLite database in
    `workdir`; then `values` by setting name (LAB_ADVISOR_DB_URL=postgresql://...)."""
    web_port = values.pop("LAB_ADVISOR_WEB_PORT", str(free_port()))
    defaults = {
        "LAB_ADVISOR_ACTIONS_URL": f"http://127.0.0.1:{free_port()}/webhook",
        "LAB_ADVISOR_RASA_PORT": str(free_port()),
        "LAB_ADVISOR_WEB_PORT": web_port,
        "LAB_ADVISOR_CORS_ORIGINS": f"http://127.0.0.1:{web_port}",
        "LAB_ADVISOR_DB_URL": f"sqlite:///{workdir / 'conversations.db'}",
    }
    return Settings.from_env({}, **{**defaults, **values})


def child_env(settings: Settings) -> Dict[str, str]:
    """The environment of every server: this one's, the settings, quiet and on loopback."""
    return {
        **os.environ,
        **QUIET_CHILDREN,
        **settings.as_env(),
        "PYTHONPATH": str(PROJECT_ROOT),
        "SANIC_HOST": "127.0.0.1",  # the action server binds to loopback only
    }


def get_json(url: str, timeout: float = 5) -> Any:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read().decode("utf-8"))


def post_json(url: str, body: Dict[str, Any], timeout: float = 60) -> Any:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode("utf-8"), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read().decode("utf-8"))


def say(rasa_url: str, message: str, sender: str) -> List[Dict[str, Any]]:
    """Send a message to a Rasa server's REST channel; the bot's replies."""
    replies: List[Dict[str, Any]] = post_json(
        f"{rasa_url}/webhooks/rest/webhook", {"sender": sender, "message": message}
    )
    return replies


def log_tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log written)"


def wait_until_up(url: str, process: subprocess.Popen[bytes], name: str, log: Path) -> None:
    """Wait until `url` answers; if the process exits or takes too long, raise StartError with the
    end of its log."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StartError(f"The {name} exited with {process.returncode}; the end of {log}:\n{log_tail(log)}")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise StartError(f"The {name} did not answer at {url} within {STARTUP_TIMEOUT_SECONDS} s; see {log}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Ask a process to stop; kill it if it has not within STOP_TIMEOUT_SECONDS (rasa shell can
    hang after Ctrl-C at a button menu, a Rasa 3.6 bug)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def background(
    command: Sequence[str], log: Path, env: Optional[Dict[str, str]] = None, cwd: Path = PROJECT_ROOT
) -> Iterator[subprocess.Popen[bytes]]:
    """Run `command` in the project folder (with `env`, default this process's environment), its
    output going to the rotating log `log`; stop it when the block ends."""
    process = subprocess.Popen(
        list(command),
        cwd=cwd,
        env=env if env is not None else dict(os.environ),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert process.stdout is not None
    writer = logs.pump(process.stdout, log)
    try:
        yield process
    finally:
        stop(process)
        writer.join(timeout=5)


def endpoints_file(settings: Settings, workdir: Path) -> Path:
    """endpoints.yml as it is, or, when the action server is somewhere else, a copy in `workdir`
    with its URL (Rasa's endpoints file cannot default an environment variable)."""
    committed = ENDPOINTS.read_text(encoding="utf-8")
    default_url = re.search(r"^  url: (\S+)", committed, re.MULTILINE)
    if default_url and default_url.group(1) == settings.actions_url:
        return ENDPOINTS
    path = workdir / "endpoints.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(re.sub(r"^(  url: )\S+", rf"\g<1>{settings.actions_url}", committed, count=1, flags=re.M))
    return path


def actions_command(settings: Settings) -> List[str]:
    return [RASA, "run", "actions", "--actions", "actions", "--port", str(settings.actions_port)]


def api_args(settings: Settings) -> List[str]:
    """Rasa's HTTP API: never without authentication."""
    if settings.api_token:
        return ["--enable-api", "--auth-token", settings.api_token]
    if settings.jwt_secret:
        return ["--enable-api", "--jwt-secret", settings.jwt_secret, "--jwt-method", "HS256"]
    return []


def rasa_command(settings: Settings, model: Path, workdir: Path, cors: bool = True) -> List[str]:
    """`rasa run` with the project's endpoints and credentials, on loopback."""
    command = [
        RASA,
        "run",
        "--model",
        str(model),
        "--endpoints",
        str(endpoints_file(settings, workdir)),
        "--credentials",
        str(CREDENTIALS),
        "--interface",
        "127.0.0.1",
        "--port",
        str(settings.rasa_port),
    ]
    if cors and settings.cors_origins:
        command += ["--cors", *settings.cors_origins]
    return command + api_args(settings)


def web_command(settings: Settings) -> List[str]:
    return [
        sys.executable,
        str(PROJECT_ROOT / "scripts" / "web_server.py"),
        "--host",
        settings.web_host,
        "--port",
        str(settings.web_port),
        "--rasa-url",
        settings.rasa_public_url,
    ]


@contextlib.contextmanager
def start_actions(settings: Settings, log_dir: Path) -> Iterator[str]:
    """The action server on the port of LAB_ADVISOR_ACTIONS_URL; yields its base URL."""
    url = f"http://127.0.0.1:{settings.actions_port}"
    log = log_dir / "actions.log"
    with background(actions_command(settings), log, child_env(settings)) as process:
        wait_until_up(f"{url}/health", process, "action server", log)
        yield url


@contextlib.contextmanager
def start_rasa(
    settings: Settings, model: Path, log_dir: Path, name: str = "rasa", extra_args: Sequence[str] = ()
) -> Iterator[str]:
    """A Rasa server on LAB_ADVISOR_RASA_PORT; yields its URL. Its log is `log_dir`/<name>.log."""
    with start_rasa_servers([settings], model, log_dir, [name], extra_args) as [url]:
        yield url


@contextlib.contextmanager
def start_rasa_servers(
    settings: Sequence[Settings], model: Path, log_dir: Path, names: Sequence[str], extra_args: Sequence[str] = ()
) -> Iterator[List[str]]:
    """Several Rasa servers (one per settings, on their own ports), started at once since each
    takes a while to load the model; yields their URLs."""
    with contextlib.ExitStack() as stack:
        started = []
        for one, name in zip(settings, names, strict=True):
            log = log_dir / f"{name}.log"
            command = [*rasa_command(one, model, log_dir), *extra_args]
            started.append(
                (
                    f"http://127.0.0.1:{one.rasa_port}",
                    stack.enter_context(background(command, log, child_env(one))),
                    log,
                )
            )
        for url, process, log in started:
            wait_until_up(f"{url}/webhooks/rest/", process, "Rasa server", log)
        yield [url for url, _, _ in started]


@contextlib.contextmanager
def start_web(settings: Settings, log_dir: Path, extra_args: Sequence[str] = ()) -> Iterator[str]:
    """The demo page with the chat widget; yields its URL."""
    url = f"http://{settings.web_host}:{settings.web_port}"
    log = log_dir / "web.log"
    with background([*web_command(settings), *extra_args], log, child_env(settings)) as process:
        wait_until_up(f"{url}/", process, "web page", log)
        yield url


@dataclass
class Stack:
    """The running assistant: where each server answers and where its logs are."""

    rasa_url: str
    actions_url: str
    web_url: Optional[str]
    db_url: str
    log_dir: Path

    def say(self, message: str, sender: str) -> List[Dict[str, Any]]:
        """Send a message over the REST channel; the bot's replies."""
        return say(self.rasa_url, message, sender)


Ask = Callable[[str, str], List[Dict[str, Any]]]  # (message, sender) -> the bot's replies


@contextlib.contextmanager
def bot_to_ask(url: Optional[str] = None) -> Iterator[Ask]:
    """A way to ask the bot (the measurement tools): the Rasa server at `url`, or a private copy
    started for the duration, with throwaway settings."""
    if url:
        yield lambda message, sender: say(url.rstrip("/"), message, sender)
        return
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        with start_stack(throwaway_settings(workdir), MODEL_PATH, workdir, web=False) as bot:
            yield bot.say


@contextlib.contextmanager
def start_stack(settings: Settings, model: Path, log_dir: Path, web: bool = True) -> Iterator[Stack]:
    """The action server, the Rasa server and (with `web` and the widget installed) the chat page."""
    with contextlib.ExitStack() as stack:
        actions_url = stack.enter_context(start_actions(settings, log_dir))
        rasa_url = stack.enter_context(start_rasa(settings, model, log_dir))
        web_url = stack.enter_context(start_web(settings, log_dir)) if web and WEB_BUNDLE.is_file() else None
        yield Stack(rasa_url, actions_url, web_url, settings.db_url, log_dir)
