"""Rasa's SQL tracker store, made safe to keep students' conversations in.

The database is LAB_ADVISOR_DB_URL (stack/settings.py) unless endpoints.yml gives a `url`.
Whatever channel a message comes through (the REST channel, `rasa shell`, the HTTP API), this is
the one place conversations are written, so the privacy rules hold here for all of them:
- what a student typed is stored redacted (`bot.privacy`: emails, phone, card and Social Security
  numbers), in the text, the parse data and the entities, and client metadata is not stored;
- a SQLite database file is created readable by its owner only.

It also saves a turn without first counting the stored events (STORED_EVENTS below), and a SQLite
database commits a turn without waiting for the disk (write-ahead log, `use_sqlite_wal`). And no
database error stops the server: Rasa's `SQLTrackerStore.session_scope` takes any
ValueError (psycopg2 raises one for a NUL character, for example) for a missing PostgreSQL schema
and calls `sys.exit(1)`. Here the error is raised as an ordinary error instead; Rasa's fail-safe
wrapper logs it and the server goes on.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from pathlib import Path
from typing import Any, Dict, Generator, Iterator, Optional, Text

from rasa.core.tracker_store import SQLTrackerStore, ensure_schema_exists
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.engine.url import make_url

from addons import patches
from bot.privacy import redact_strings
from stack.settings import current as current_settings

patches.apply()  # every Rasa server loads this store (endpoints.yml), rasa shell included

# The longest conversation id the store can hold: its column's width.
MAX_SENDER_ID_CHARS: int = SQLTrackerStore.SQLEvent.__table__.c.sender_id.type.length


# How many of a conversation's events the store holds, remembered on the tracker it returned (and
# updated when it saves it): saving a turn then writes the events after those, where Rasa first
# counts the stored events of the session with a query, on every turn (about 8% of the Rasa
# server's time per turn). Turns of one conversation take turns (the lock store), so the tracker
# a turn read is the one it saves.
STORED_EVENTS = "_lab_advisor_stored_events"


class TrackerStoreError(RuntimeError):
    """A database error the tracker store could not handle (it never exits the process)."""


def stored_user_event(data: Dict[Text, Any]) -> Dict[Text, Any]:
    """A user event's data as it may be stored: every string redacted, no client metadata."""
    kept = redact_strings({key: value for key, value in data.items() if key != "metadata"})
    kept["metadata"] = {}
    return kept


class _Stored:
    """An event as the store writes it (the conversation in memory keeps the original)."""

    def __init__(self, event: Event) -> None:
        self._event = event
        self.type_name = event.type_name

    def as_dict(self) -> Dict[Text, Any]:
        data = self._event.as_dict()
        return stored_user_event(data) if isinstance(self._event, UserUttered) else data


def create_private_sqlite_file(url: Text) -> None:
    """Create a SQLite database file owner-only (0600) before the engine does, with the default
    permissions, and tighten an existing one. Other databases: nothing to do."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or not parsed.database or parsed.database == ":memory:":
        return
    path = Path(parsed.database)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    os.chmod(path, 0o600)


def sqlite_syncs_at_checkpoints(connection: Any, _record: Any) -> None:
    """A new SQLite connection's setting: with the write-ahead log (`use_sqlite_wal`), synced at
    checkpoints rather than on every commit (`synchronous=NORMAL`). A commit then costs no disk
    flush (about 0.7 ms of every turn here); a crash of the server loses nothing, and only a power
    cut or a crash of the machine itself can lose the last turns."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")  # a per-connection setting
    cursor.close()


def use_sqlite_wal(engine: Any) -> None:
    """Commits to SQLite's write-ahead log (a setting the database file keeps, so set once), each
    connection syncing at checkpoints. Readers (`make forget`, the tests) see every commit."""
    sqlalchemy_event.listen(engine, "connect", sqlite_syncs_at_checkpoints)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA journal_mode=WAL")


class PrivateSQLTrackerStore(SQLTrackerStore):
    """`SQLTrackerStore` that stores user messages redacted and never exits the process. Without a
    `url` in endpoints.yml it uses LAB_ADVISOR_DB_URL."""

    def __init__(self, *args: Any, host: Optional[Text] = None, dialect: Text = "sqlite", **kwargs: Any) -> None:
        host = host or current_settings().db_url
        if "://" in host:
            create_private_sqlite_file(host)
        super().__init__(*args, host=host, dialect=dialect, **kwargs)
        if self.engine.dialect.name == "sqlite":
            use_sqlite_wal(self.engine)

    @contextlib.contextmanager
    def session_scope(self) -> Generator[Any, None, None]:
        session = self.sessionmaker()
        try:
            try:
                ensure_schema_exists(session)
            except ValueError as error:  # Rasa's own signal for a missing PostgreSQL schema
                raise TrackerStoreError(f"The PostgreSQL schema {error} does not exist.") from None
            yield session
        finally:
            session.close()

    async def _retrieve(self, sender_id: Text, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        tracker = await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        if tracker is not None and not fetch_events_from_all_sessions:
            setattr(tracker, STORED_EVENTS, len(tracker.events))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        setattr(tracker, STORED_EVENTS, len(tracker.events))

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        stored = getattr(tracker, STORED_EVENTS, None)
        if stored is None:  # a tracker this store did not return: count what is stored, as Rasa does
            new = super()._additional_events(session, tracker)
        else:
            new = itertools.islice(tracker.events, stored, None)
        return (_Stored(event) for event in new)
