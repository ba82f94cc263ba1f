"""Faults: the action server down, slow, or back again; malformed requests. The student always
gets a reply, and the conversation goes on when the action server returns."""

from __future__ import annotations

import contextlib
import json
import socket
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Iterator, Tuple

import pytest

from addons.server.private_rest import UNAVAILABLE
from tests.servers import (
    RunningBot,
    endpoint_env,
    free_port,
    post_raw,
    say,
    start_actions,
    start_rasa,
    stored_user_messages,
    texts,
)

pytestmark = pytest.mark.integration

REPLY_TIMEOUT_SECONDS = 3


@contextlib.contextmanager
def silent_server(port: int) -> Iterator[None]:
    """A 'slow' action server: it accepts connections and never answers."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen(16)
        yield


def timed_say(rasa_url: str, message: str, sender: str) -> Tuple[str, float]:
    start = time.monotonic()
    reply = texts(say(rasa_url, message, sender))
    return reply, time.monotonic() - start


def test_action_server_down_or_slow_gets_a_friendly_reply_and_the_conversation_goes_on(
    model_path: Path, tmp_path: Path
) -> None:
    student = f"student-{uuid.uuid4().hex[:8]}"
    actions_port = free_port()
    env = endpoint_env(
        f"http://127.0.0.1:{actions_port}", tmp_path, LAB_ADVISOR_REPLY_TIMEOUT=str(REPLY_TIMEOUT_SECONDS)
    )
    with start_rasa(model_path, tmp_path, env) as rasa_url:
        with start_actions(tmp_path, actions_port):
            assert "draw blood" in texts(say(rasa_url, "what does a phlebotomist do?", student))

        # down: connection refused
        reply, seconds = timed_say(rasa_url, "how much do they make?", student)
        assert reply == UNAVAILABLE and seconds < REPLY_TIMEOUT_SECONDS + 2

        # slow: accepts and never answers
        with silent_server(actions_port):
            reply, seconds = timed_say(rasa_url, "how much do they make?", student)
        assert reply == UNAVAILABLE and seconds < REPLY_TIMEOUT_SECONDS + 2

        # back: the conversation goes on, still about phlebotomists
        with start_actions(tmp_path, actions_port):
            assert "$41,810" in texts(say(rasa_url, "how much do they make?", student))


@pytest.mark.parametrize(
    "body, problem",
    [
        (b"{not json", "the body must be JSON"),
        (b"", "the body must be JSON"),
        (b'["hello"]', "must be a JSON object"),
        (b'{"message": "hi"}', '"sender" must be a non-empty string'),
        (b'{"sender": "  ", "message": "hi"}', '"sender" must be a non-empty string'),
        (b'{"sender": 42, "message": "hi"}', '"sender" must be a non-empty string'),
        (b'{"sender": "s"}', '"message" must be a string'),
        (b'{"sender": "s", "message": {"text": "hi"}}', '"message" must be a string'),
        (json.dumps({"sender": "s", "message": "x" * 2_001}).encode(), "at most 2000 characters"),
    ],
)
def test_malformed_requests_get_400_saying_what_is_wrong(running_bot: RunningBot, body: bytes, problem: str) -> None:
    status, reply = post_raw(f"{running_bot.rasa_url}/webhooks/rest/webhook", body)
    assert status == 400
    assert problem in reply["error"]


def test_a_rasa_server_restart_during_load_loses_no_acknowledged_turn(model_path: Path, tmp_path: Path) -> None:
    """Students keep chatting (and retrying) while the Rasa server is stopped and started again:
    every turn that got a reply is in the tracker store afterwards."""
    import threading

    rasa_port = free_port()
    acknowledged: dict = {}
    stop = threading.Event()

    def student(number: int, rasa_url: str) -> None:
        sender, turn = f"load-{number}-{uuid.uuid4().hex[:6]}", 0
        acknowledged[sender] = []
        while not stop.is_set():
            message = f"how much do phlebotomists make {turn}"
            try:
                if texts(say(rasa_url, message, sender)):
                    acknowledged[sender].append(message)
                    turn += 1
            except (urllib.error.URLError, OSError, ValueError):
                time.sleep(0.2)  # the server is restarting: try the same turn again

    with start_actions(tmp_path) as actions_url:
        env = endpoint_env(actions_url, tmp_path)
        with start_rasa(model_path, tmp_path, env, name="rasa-1", port=rasa_port) as rasa_url:
            students = [threading.Thread(target=student, args=(n, rasa_url)) for n in range(4)]
            for thread in students:
                thread.start()
            time.sleep(3)
        # stopped (SIGTERM) under load; the students keep retrying until it is back
        with start_rasa(model_path, tmp_path, env, name="rasa-2", port=rasa_port):
            before = sum(len(turns) for turns in acknowledged.values())
            time.sleep(3)
            stop.set()
            for thread in students:
                thread.join(timeout=60)
    assert sum(len(turns) for turns in acknowledged.values()) > before > 0  # turns before and after
    for sender, turns in acknowledged.items():
        stored = stored_user_messages(env["LAB_ADVISOR_DB_URL"], sender)
        missing = [t for t in turns if t not in stored]
        assert not missing, (sender, missing)
