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


def wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            get_json(url, timeout=2)
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


@dataclass
class RunningBot:
    rasa_url: str
    actions_url: str

    def say(self, message: str, sender: str) -> List[Dict[str, Any]]:
        """Send a message over the REST channel; the bot's replies."""
        return post_json(f"{self.rasa_url}/webhooks/rest/webhook", {"sender": sender, "message": message})


@contextlib.contextmanager
def start_bot(model: Path, workdir: Path) -> Iterator[RunningBot]:
    actions_port, rasa_port = free_port(), free_port()
    actions_url = f"http://127.0.0.1:{actions_port}"
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(f'action_endpoint:\n  url: "{actions_url}/webhook"\n', encoding="utf-8")
    actions_cmd = [RASA, "run", "actions", "--actions", "actions", "--port", str(actions_port)]
    rasa_cmd = [
        RASA, "run", "--model", str(model), "--endpoints", str(endpoints),
        "--credentials", str(PROJECT_ROOT / "credentials.yml"),
        "--interface", "127.0.0.1", "--port", str(rasa_port),
    ]  # fmt: skip
    with background(actions_cmd, workdir / "actions.log") as actions, background(
        rasa_cmd, workdir / "rasa.log"
    ) as rasa:
        wait_until_up(f"{actions_url}/health", actions, workdir / "actions.log")
        wait_until_up(f"http://127.0.0.1:{rasa_port}/webhooks/rest/", rasa, workdir / "rasa.log")
        yield RunningBot(rasa_url=f"http://127.0.0.1:{rasa_port}", actions_url=actions_url)
