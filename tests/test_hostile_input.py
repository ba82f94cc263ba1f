"""Hostile and odd input through the REST channel of the running bot, generated with hypothesis, with
conversations kept in SQLite and in PostgreSQL: every well-formed request gets a reply and no 5xx
(a non-empty one, but for commands that end a conversation quietly); every malformed one gets a
4xx with a message; neither server falls over (after about 340 requests for each tracker store)."""

from __future__ import annotations

import json
import unicodedata
import uuid
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.servers import RunningBot, get_json, post_raw

pytestmark = pytest.mark.integration

TRIED: Counter = Counter()
QUIET_COMMANDS = {"/restart", "/session_start"}  # end cleanly with nothing to say


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def bot(request: pytest.FixtureRequest) -> RunningBot:
    """The running bot, once with each tracker store."""
    return request.getfixturevalue("running_bot" if request.param == "sqlite" else "postgres_bot")


def safe_text(text: str, allowed: str = "") -> bool:
    """No control character (but those allowed) and no lone surrogate: what the webhook accepts."""
    return not any(c not in allowed and (unicodedata.category(c) == "Cc" or 0xD800 <= ord(c) <= 0xDFFF) for c in text)


def well_formed(body: Any) -> bool:
    if not isinstance(body, dict):
        return False
    sender, message = body.get("sender"), body.get("message")
    return (
        isinstance(sender, str)
        and sender.strip() != ""
        and len(sender) <= 255
        and safe_text(sender)
        and isinstance(message, str)
        and len(message) <= 2000
        and safe_text(message, "\t\n\r")
    )


HOSTILE_MESSAGES = [
    "",
    " ",
    "\t\n  \r\n",
    "\x00\x01\x02\x1b[31m",
    "\u200b\u200b",
    "\u202egnp.exe",
    "\ufeffhello",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
    "[click](javascript:alert(1))",
    "{{7*7}}",
    "${7*7}",
    "{% debug %}",
    "#{7*7}",
    "%s%s%s%n",
    "'; DROP TABLE events; --",
    '" OR 1=1 --',
    "1; SELECT * FROM events",
    "../../../../etc/passwd",
    "C:\\Windows\\System32",
    "/restart",
    "/nonexistent_intent",
    '/ask_salary{"career": "astronaut"}',
    "/inform{not json",
    '/ask_salary{"career": [1, 2]}',
    '/inform{"country": "mars"}',
    "/",
    "//",
    "/greet/greet",
    "مرحبا، كم راتب فني المختبر؟",
    "שלום, כמה מרוויח טכנאי מעבדה",
    "实验室技术员的工资是多少",
    "🧪🔬💉💰❓",
    "ŁÄß tëch šälärÿ",
    "how much does a lab tech make" * 300,
    "a" * 10_000,
    "what does a phlebotomist do?\n" * 50,
    "a\u0000b",
    "lone \ud800 surrogate",
    "a" * 2001,
]


def assert_answered(bot: RunningBot, message: str) -> None:
    """A well-formed message gets a reply with text; a malformed one, a 400 saying what is wrong."""
    body = {"sender": f"hostile-{uuid.uuid4().hex[:8]}", "message": message}
    status, replies = post_raw(f"{bot.rasa_url}/webhooks/rest/webhook", json.dumps(body).encode())
    if not well_formed(body):
        TRIED["malformed"] += 1
        assert status == 400 and "Bad request" in replies["error"], (status, replies, message[:80])
        return
    TRIED["well-formed"] += 1
    assert status == 200 and isinstance(replies, list), (status, replies, message[:80])
    if message.strip() not in QUIET_COMMANDS:
        assert any(isinstance(r.get("text"), str) and r["text"].strip() for r in replies), (replies, message[:80])


@pytest.mark.parametrize("message", HOSTILE_MESSAGES, ids=lambda m: repr(m[:30]))
def test_hostile_messages_get_a_reply(bot: RunningBot, message: str) -> None:
    assert_answered(bot, message)


TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=400)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(message=st.one_of(TEXT, st.sampled_from(HOSTILE_MESSAGES).flatmap(lambda m: st.just(m) | TEXT.map(m.__add__))))
def test_any_text_gets_a_reply(bot: RunningBot, message: str) -> None:
    assert_answered(bot, message)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=10,
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=st.one_of(
        JSON_VALUES,
        st.fixed_dictionaries({"sender": JSON_VALUES, "message": JSON_VALUES}),
        st.fixed_dictionaries({"message": TEXT}),
        st.fixed_dictionaries({"sender": TEXT, "message": TEXT}),
    )
)
def test_any_json_body_gets_a_reply_or_a_clear_4xx(bot: RunningBot, body: Any) -> None:
    TRIED["json bodies"] += 1
    status, reply = post_raw(f"{bot.rasa_url}/webhooks/rest/webhook", json.dumps(body).encode())
    if well_formed(body):
        # generated senders repeat ("0", "a"): a busy one is told to slow down
        assert status == 200 or (status == 429 and "wait" in reply["error"]), (status, reply, body)
    else:
        assert status == 400 and "Bad request" in reply["error"], (status, reply, body)


@settings(max_examples=50, deadline=None)
@given(raw=st.binary(max_size=300))
def test_any_bytes_get_a_reply_or_a_clear_4xx(bot: RunningBot, raw: bytes) -> None:
    TRIED["raw bodies"] += 1
    status, reply = post_raw(f"{bot.rasa_url}/webhooks/rest/webhook", raw)
    assert status in (200, 400, 429), (status, reply, raw)
    if status != 200:
        assert "Bad request" in reply["error"] or "wait" in reply["error"]


def test_both_servers_are_still_up_after_all_that(bot: RunningBot) -> None:
    assert get_json(f"{bot.actions_url}/health")["status"] == "ok"
    assert get_json(f"{bot.rasa_url}/webhooks/rest/")["status"] == "ok"
    assert sum(TRIED.values()) >= 300, TRIED  # about 340 requests per tracker store
