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
from typing import Any, Dict, Iterator, List, Optional

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

    def say(self, message: str, sender: str) -> List[Dict[str, Any]]:
        """Send a message over the REST channel; the bot's replies."""
        return post_json(f"{self.rasa_url}/webhooks/rest/webhook", {"sender": sender, "message": message})


@contextlib.contextmanager
def start_bot(model: Path, workdir: Path) -> Iterator[RunningBot]:
    """The action server, the Rasa server and (when `make web` has run) the chat page, as `make run`
    starts them: the Rasa server accepts browser calls from the page's origin only."""
    actions_port, rasa_port, web_port = free_port(), free_port(), free_port()
    actions_url = f"http://127.0.0.1:{actions_port}"
    rasa_url = f"http://127.0.0.1:{rasa_port}"
    web_url = f"http://127.0.0.1:{web_port}" if WEB_BUNDLE.is_file() else None
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(f'action_endpoint:\n  url: "{actions_url}/webhook"\n', encoding="utf-8")
    actions_cmd = [RASA, "run", "actions", "--actions", "actions", "--port", str(actions_port)]
    rasa_cmd = [
        RASA, "run", "--model", str(model), "--endpoints", str(endpoints),
        "--credentials", str(PROJECT_ROOT / "credentials.yml"),
        "--interface", "127.0.0.1", "--port", str(rasa_port),
    ] + (["--cors", web_url] if web_url else [])  # fmt: skip
    web_cmd = [
        sys.executable, str(PROJECT_ROOT / "scripts" / "web_server.py"),
        "--port", str(web_port), "--rasa-url", rasa_url,
    ]  # fmt: skip
    with contextlib.ExitStack() as stack:
        actions = stack.enter_context(background(actions_cmd, workdir / "actions.log"))
        rasa = stack.enter_context(background(rasa_cmd, workdir / "rasa.log"))
        if web_url:
            web = stack.enter_context(background(web_cmd, workdir / "web.log"))
            wait_until_up(f"{web_url}/", web, workdir / "web.log", expect_json=False)
        wait_until_up(f"{actions_url}/health", actions, workdir / "actions.log")
        wait_until_up(f"{rasa_url}/webhooks/rest/", rasa, workdir / "rasa.log")
        yield RunningBot(rasa_url=rasa_url, actions_url=actions_url, web_url=web_url)
