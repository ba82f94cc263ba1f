"""The audit's findings against the running bot (issue 11), each with SQLite and PostgreSQL as the
tracker store where the store is involved: no request can stop a server, nothing personal is
stored, requests are bounded, and the REST channel refuses what it does not accept."""

from __future__ import annotations

import json
import stat
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest
import sqlalchemy as sa

from addons.server.private_rest import UNAVAILABLE
from tests.servers import RunningBot, endpoint_env, get_json, http, post_raw, say, start_rasa, texts

pytestmark = pytest.mark.integration

AUDIT_PHONES = [
    ("call me at 555-123-4567, thanks", "555-123-4567"),
    ("(555) 123-4567, is my number", "123-4567"),
    ("5551234567, text me", "5551234567"),
    ("+1 555 123 4567, call after 5", "123 4567"),  # not "4567": ids and timestamps can hold those digits
    ("555-123-4567x89 is my office", "4567x89"),
]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def bot(request: pytest.FixtureRequest) -> RunningBot:
    return request.getfixturevalue("running_bot" if request.param == "sqlite" else "postgres_bot")


def new_sender() -> str:
    return f"student-{uuid.uuid4().hex[:8]}"


def stored_rows(db_url: str, sender: str) -> List[Dict[str, Any]]:
    """Every event the tracker store holds for one conversation, as stored."""
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}
            )
            return [json.loads(row[0]) for row in rows]
    finally:
        engine.dispose()


def post(url: str, body: bytes, headers: Optional[Dict[str, str]] = None) -> Tuple[int, Any, Dict[str, str]]:
    """POST; the status, the parsed JSON reply and the headers."""
    status, raw, got = http(url, body, headers)
    return status, json.loads(raw or b"null"), got


def webhook(bot: RunningBot) -> str:
    return f"{bot.rasa_url}/webhooks/rest/webhook"


def test_a_nul_in_the_sender_is_refused_and_the_server_stays_up(bot: RunningBot) -> None:
    status, reply = post_raw(webhook(bot), json.dumps({"sender": "a\u0000b", "message": "hi"}).encode())
    assert status == 400 and "control character" in reply["error"]
    assert get_json(f"{bot.rasa_url}/webhooks/rest/")["status"] == "ok"
    assert "Lab Career Advisor" in texts(say(bot.rasa_url, "hi", new_sender()))


def test_a_lone_surrogate_is_refused(bot: RunningBot) -> None:
    status, reply = post_raw(webhook(bot), b'{"sender": "s", "message": "hi \\ud800 there"}')
    assert status == 400 and "lone surrogate" in reply["error"]


@pytest.mark.parametrize("typed, typed_digits", AUDIT_PHONES)
def test_phone_numbers_are_not_stored_as_typed(bot: RunningBot, typed: str, typed_digits: str) -> None:
    sender = new_sender()
    replies = say(bot.rasa_url, typed, sender)
    assert texts(replies) and replies[-1]["custom"]["redacted_message"].count("[phone]") == 1
    stored = json.dumps(stored_rows(bot.db_url or "", sender))
    assert "[phone]" in stored and typed_digits not in stored


def test_metadata_and_input_channel_from_the_client_are_not_stored(bot: RunningBot) -> None:
    sender = new_sender()
    metadata = {"email": "sam@example.com", "phone": "555-123-4567", "ssn": "123-45-6789", "note": "secret-note"}
    body = {"sender": sender, "message": "how much do lab techs make?", "metadata": metadata, "input_channel": "evil"}
    status, replies, _ = post(webhook(bot), json.dumps(body).encode())
    assert status == 200 and "$61,890" in texts(replies)
    users = [row for row in stored_rows(bot.db_url or "", sender) if row["event"] == "user"]
    assert len(users) == 1 and users[0]["input_channel"] == "rest" and not users[0].get("metadata")
    stored = json.dumps(stored_rows(bot.db_url or "", sender))
    assert not any(value in stored for value in metadata.values())


def test_ssn_and_card_numbers_are_not_stored(bot: RunningBot) -> None:
    sender = new_sender()
    say(bot.rasa_url, "my ssn is 123-45-6789 and card 4111 1111 1111 1111, how much do lab techs make?", sender)
    stored = json.dumps(stored_rows(bot.db_url or "", sender))
    # "-6789", not "6789": a stored timestamp can hold those digits (1795461099.0678985 did)
    assert "[ssn]" in stored and "[card]" in stored and "-6789" not in stored and "4111 1111" not in stored


def test_huge_and_deeply_nested_bodies_are_refused_without_a_traceback(running_bot: RunningBot, tmp_path: Path) -> None:
    big = json.dumps({"sender": "s", "message": "hi", "metadata": {"x": "y" * 1_000_000}}).encode()
    status, reply, _ = post(webhook(running_bot), big)
    assert status == 413 and "at most" in reply["error"]
    nested = ('{"a":' * 200) + "1" + ("}" * 200)
    body = ('{"sender": "s", "message": "hi", "metadata": ' + nested + "}").encode()
    assert len(body) < 2048
    status, reply, _ = post(webhook(running_bot), body)
    assert status == 400 and "nests" in reply["error"]
    rasa_log = Path(running_bot.log_dir or "") / "rasa.log"
    assert "Traceback" not in rasa_log.read_text(errors="replace")


def test_a_message_longer_than_the_widget_allows_is_refused_saying_the_limit(running_bot: RunningBot) -> None:
    status, reply = post_raw(webhook(running_bot), json.dumps({"sender": "s", "message": "a" * 2001}).encode())
    assert status == 400 and "at most 2000 characters" in reply["error"]
    assert say(running_bot.rasa_url, "a" * 2000, new_sender())


def test_a_sender_over_the_rate_limit_gets_429_with_retry_after(running_bot: RunningBot) -> None:
    sender, other = new_sender(), new_sender()
    body = json.dumps({"sender": sender, "message": "hi"}).encode()
    statuses = [post(webhook(running_bot), body)[0] for _ in range(30)]
    assert statuses == [200] * 30
    status, reply, headers = post(webhook(running_bot), body)
    assert status == 429 and 1 <= int(headers["Retry-After"]) <= 60 and "wait" in reply["error"]
    assert say(running_bot.rasa_url, "hi", other)  # other students are not affected


def test_the_sender_limit_is_the_columns_and_the_turn_is_stored(bot: RunningBot) -> None:
    longest = "s" * 254 + uuid.uuid4().hex[:1]
    status, reply = post_raw(webhook(bot), json.dumps({"sender": longest + "x", "message": "hi"}).encode())
    assert status == 400 and "at most 255 characters" in reply["error"]
    assert say(bot.rasa_url, "hi", longest)
    assert any(row["event"] == "user" for row in stored_rows(bot.db_url or "", longest))  # not in memory only


def test_only_json_from_allowed_origins_is_processed(running_bot: RunningBot) -> None:
    body = json.dumps({"sender": new_sender(), "message": "hi"}).encode()
    status, reply, _ = post(webhook(running_bot), body, {"Content-Type": "text/plain"})
    assert status == 415 and "application/json" in reply["error"]
    status, reply, _ = post(
        webhook(running_bot), body, {"Content-Type": "application/json", "Origin": "https://evil.example"}
    )
    assert status == 403
    if running_bot.web_url:  # the page's own origin is allowed
        status, _, _ = post(
            webhook(running_bot), body, {"Content-Type": "application/json", "Origin": running_bot.web_url}
        )
        assert status == 200


@pytest.mark.parametrize("command", ["/restart", "/session_start"])
def test_a_turn_that_ends_without_a_reply_is_not_a_failure(running_bot: RunningBot, command: str) -> None:
    sender = new_sender()
    say(running_bot.rasa_url, "what does a phlebotomist do?", sender)
    replies = say(running_bot.rasa_url, command, sender)
    assert UNAVAILABLE not in texts(replies)


def test_the_conversation_database_is_readable_by_its_owner_only(running_bot: RunningBot) -> None:
    path = Path((running_bot.db_url or "").removeprefix("sqlite:///"))
    assert path.is_file() and stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_tracker_store_error_does_not_stop_the_server(model_path: Path, tmp_path: Path, postgres_url: str) -> None:
    """psycopg2 raises ValueError for a NUL; Rasa's own store took it for a missing schema and exited.
    The HTTP API (with its token) reaches the store without the REST channel's checks: an event
    whose action name holds a NUL goes into a column as it is."""
    token = uuid.uuid4().hex
    env = endpoint_env("http://127.0.0.1:9", tmp_path, LAB_ADVISOR_DB_URL=postgres_url)
    with start_rasa(model_path, tmp_path, env, ["--enable-api", "--auth-token", token]) as rasa_url:
        event = {"event": "action", "name": "a\u0000b"}
        status, _, _ = post(
            f"{rasa_url}/conversations/{new_sender()}/tracker/events?token={token}", json.dumps(event).encode()
        )
        assert status < 600  # answered, whatever it says; Rasa's own store closed the connection and exited
        assert get_json(f"{rasa_url}/webhooks/rest/")["status"] == "ok"
        assert "Lab Career Advisor" in texts(say(rasa_url, "hi", new_sender()))
