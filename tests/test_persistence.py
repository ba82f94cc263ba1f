"""Conversations persist (SQLite tracker store by default), old ones can be deleted (`make forget`),
personal details are not stored, and Rasa's HTTP API is never open without a token.

Servers run on free loopback ports with throwaway databases (tests/servers.py)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import List

import pytest

from tests.servers import (
    PROJECT_ROOT,
    RunningBot,
    endpoint_env,
    say,
    start_actions,
    start_rasa,
    texts,
)

pytestmark = pytest.mark.integration

RETENTION = PROJECT_ROOT / "scripts" / "retention.py"
DAY = 86_400


def stored_events(db_url: str, sender: str) -> List[str]:
    """The raw event records the tracker store holds for one conversation."""
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as db:
        return [row[0] for row in db.execute("SELECT data FROM events WHERE sender_id = ?", (sender,))]


def test_a_restarted_rasa_server_continues_the_conversation(model_path: Path, tmp_path: Path) -> None:
    student = f"student-{uuid.uuid4().hex[:8]}"
    with start_actions(tmp_path) as actions_url:
        env = endpoint_env(actions_url, tmp_path)
        with start_rasa(model_path, tmp_path, env, name="rasa-before") as rasa_url:
            assert "draw blood" in texts(say(rasa_url, "what does a phlebotomist do?", student))
        with start_rasa(model_path, tmp_path, env, name="rasa-after") as rasa_url:
            # "they" still means phlebotomists: the context came back from the SQLite file
            assert "$41,810" in texts(say(rasa_url, "how much do they make?", student))
    assert (tmp_path / "conversations.db").is_file()


def test_emails_and_phone_numbers_are_redacted_before_they_are_stored(running_bot: RunningBot) -> None:
    student = f"student-{uuid.uuid4().hex[:8]}"
    replies = say(running_bot.rasa_url, "i'm sam@example.com, 555-123-4567. how much do lab techs make?", student)
    assert "$61,890" in texts(replies)  # still understood
    stored = "\n".join(stored_events(running_bot.db_url or "", student))
    assert "[email]" in stored and "[phone]" in stored
    assert "sam@example.com" not in stored and "555-123-4567" not in stored


def save_conversation(db_url: str, sender: str, timestamps: List[float]) -> None:
    """A conversation in Rasa's own SQL tracker store, one user message at each timestamp."""
    import asyncio

    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    store = SQLTrackerStore(Domain.empty(), host=db_url)
    tracker = DialogueStateTracker.from_events(sender, [UserUttered("hi", timestamp=t) for t in timestamps])
    asyncio.run(store.save(tracker))


def senders(db_url: str) -> List[str]:
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as db:
        return sorted(row[0] for row in db.execute("SELECT DISTINCT sender_id FROM events"))


def test_retention_deletes_exactly_the_conversations_idle_longer_than_the_limit(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'conversations.db'}"
    now = time.time()
    save_conversation(db_url, "idle-40-days", [now - 45 * DAY, now - 40 * DAY])
    save_conversation(db_url, "idle-31-days", [now - 31 * DAY])
    save_conversation(db_url, "started-long-ago-active-yesterday", [now - 90 * DAY, now - 1 * DAY])
    save_conversation(db_url, "today", [now - 60])
    result = subprocess.run(
        [sys.executable, str(RETENTION), "--days", "30", "--db-url", db_url],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Deleted 2 conversation(s) idle for more than 30 days." in result.stdout
    assert senders(db_url) == ["started-long-ago-active-yesterday", "today"]
    # and a conversation kept is kept whole
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as db:
        kept = db.execute(
            "SELECT COUNT(*) FROM events WHERE sender_id = 'started-long-ago-active-yesterday'"
        ).fetchone()
    assert kept == (2,)


def test_retention_on_an_empty_store_deletes_nothing(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'none-yet.db'}"
    result = subprocess.run([sys.executable, str(RETENTION), "--db-url", db_url], capture_output=True, text=True)
    assert result.returncode == 0 and "Deleted 0 conversation(s)" in result.stdout


def request(url: str, method: str = "GET", body: object = None) -> int:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_http_api_refuses_calls_without_its_token_while_the_chat_works(model_path: Path, tmp_path: Path) -> None:
    token = uuid.uuid4().hex
    env = endpoint_env("http://127.0.0.1:9", tmp_path)  # no action server needed for these
    with start_rasa(model_path, tmp_path, env, ["--enable-api", "--auth-token", token]) as rasa_url:
        refused = {
            "tracker": request(f"{rasa_url}/conversations/someone/tracker"),
            "conversation": request(
                f"{rasa_url}/conversations/someone/messages", "POST", {"text": "hi", "sender": "user"}
            ),
            "model parse": request(f"{rasa_url}/model/parse", "POST", {"text": "hi"}),
            "model replace": request(f"{rasa_url}/model", "PUT", {"model_file": "/tmp/x.tar.gz"}),
            "status": request(f"{rasa_url}/status"),
        }
        assert set(refused.values()) == {401}, refused
        assert request(f"{rasa_url}/conversations/someone/tracker?token={token}") == 200
        assert request(f"{rasa_url}/model/parse?token={token}", "POST", {"text": "hi"}) == 200
        # the chat channel needs no token
        assert "welcome" in texts(say(rasa_url, "thanks!", "student-1"))
