"""The project's tracker store keeps what students type redacted whatever channel it came through
(`rasa shell` included), keeps no client metadata, and creates its SQLite file owner-only."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import stat
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from addons.server.tracker_store import MAX_SENDER_ID_CHARS, PrivateSQLTrackerStore


def test_messages_from_any_channel_are_stored_redacted_and_the_conversation_in_memory_is_not(tmp_path: Path) -> None:
    db = tmp_path / "conversations.db"
    store = PrivateSQLTrackerStore(Domain.empty(), host=f"sqlite:///{db}")
    typed = "i'm sam@example.com, 555-123-4567, ssn 123-45-6789"
    said = UserUttered(
        typed,
        parse_data={"text": typed, "intent": {"name": "greet"}, "entities": []},
        input_channel="cmdline",
        metadata={"counselor": "pat@school.org"},
    )
    tracker = DialogueStateTracker.from_events("counselor-1", [said, BotUttered("Hi!")])
    asyncio.run(store.save(tracker))

    with sqlite3.connect(db) as connection:
        rows = [json.loads(row[0]) for row in connection.execute("SELECT data FROM events ORDER BY id")]
    user = next(row for row in rows if row["event"] == "user")
    assert user["text"] == "i'm [email], [phone], ssn [ssn]"
    assert user["parse_data"]["text"] == user["text"]
    assert user["metadata"] == {} and user["input_channel"] == "cmdline"
    assert "sam@" not in json.dumps(rows) and "pat@" not in json.dumps(rows)
    assert tracker.latest_message.text == typed  # only what is stored changes
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


def test_the_sender_limit_is_the_columns() -> None:
    assert MAX_SENDER_ID_CHARS == 255


def test_loading_the_store_applies_the_patches_so_rasa_shell_gets_them_too() -> None:
    """rasa shell loads no project channel, only endpoints.yml's stores: the store applies them."""
    from rasa.core.actions.action import RemoteAction

    from addons import patches
    from addons.patches import speedups

    assert RemoteAction.run is patches._recording_remote_run
    assert RemoteAction._validate_action_result is speedups._validate_action_result


def test_a_turn_is_saved_once_without_counting_what_is_stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "conversations.db"
    store = PrivateSQLTrackerStore(Domain.empty(), host=f"sqlite:///{db}")
    first = DialogueStateTracker.from_events("student-1", [UserUttered("hi"), BotUttered("Hello!")])
    asyncio.run(store.save(first))  # a new conversation: its stored events are counted, as Rasa does
    tracker = asyncio.run(store.retrieve("student-1"))
    assert tracker is not None

    def no_counting(*args: object, **kwargs: object) -> None:
        raise AssertionError("counted the stored events")

    monkeypatch.setattr(PrivateSQLTrackerStore, "_event_query", no_counting)
    for turn in range(2):  # two turns saved from one tracker: each event stored once
        tracker.update(UserUttered(f"question {turn}"))
        tracker.update(BotUttered(f"answer {turn}"))
        asyncio.run(store.save(tracker))
    monkeypatch.undo()
    with sqlite3.connect(db) as connection:
        texts = [json.loads(row[0]).get("text") for row in connection.execute("SELECT data FROM events ORDER BY id")]
    assert texts == ["hi", "Hello!", "question 0", "answer 0", "question 1", "answer 1"]


def test_sqlite_commits_go_to_the_write_ahead_log_which_is_owner_only_and_visible_to_readers(tmp_path: Path) -> None:
    db = tmp_path / "conversations.db"
    store = PrivateSQLTrackerStore(Domain.empty(), host=f"sqlite:///{db}")
    asyncio.run(store.save(DialogueStateTracker.from_events("student-1", [UserUttered("hi"), BotUttered("Hello!")])))
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL: synced at checkpoints
        wal = Path(f"{db}-wal")
        assert wal.exists() and stat.S_IMODE(wal.stat().st_mode) == 0o600
    with sqlite3.connect(db) as reader:  # another process's view (make forget): every commit is there
        assert reader.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 2
    restarted = PrivateSQLTrackerStore(Domain.empty(), host=f"sqlite:///{db}")
    tracker = asyncio.run(restarted.retrieve("student-1"))
    assert tracker is not None and tracker.latest_message.text == "hi"
