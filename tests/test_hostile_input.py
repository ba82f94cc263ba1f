"""Hostile and odd input through the REST channel of the running bot, generated with hypothesis:
every well-formed request gets a non-empty reply and no 5xx; every malformed one gets a 4xx with a
message; neither server falls over. The number of inputs tried is printed at the end."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from typing import Any, List

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.servers import RunningBot, get_json, post_raw

TRIED: Counter = Counter()

HOSTILE_MESSAGES = [
    "", " ", "\t\n  \r\n", "\x00\x01\x02\x1b[31m", "\u200b\u200b", "\u202egnp.exe", "\ufeffhello",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>',
    "javascript:alert(1)", "[click](javascript:alert(1))",
    "{{7*7}}", "${7*7}", "{% debug %}", "#{7*7}", "%s%s%s%n",
    "'; DROP TABLE events; --", "\" OR 1=1 --", "1; SELECT * FROM events",
    "../../../../etc/passwd", "C:\\Windows\\System32",
    "/restart", "/nonexistent_intent", "/ask_salary{\"career\": \"astronaut\"}", "/inform{not json",
    "/ask_salary{\"career\": [1, 2]}", "/inform{\"country\": \"mars\"}", "/", "//", "/greet/greet",
    "مرحبا، كم راتب فني المختبر؟", "שלום, כמה מרוויח טכנאי מעבדה", "实验室技术员的工资是多少",
    "🧪🔬💉💰❓", "ŁÄß tëch šälärÿ", "how much does a lab tech make" * 300, "a" * 10_000,
    "what does a phlebotomist do?\n" * 50,
]  # fmt: skip


def assert_answered(bot: RunningBot, message: str) -> None:
    TRIED["well-formed"] += 1
    body = json.dumps({"sender": f"hostile-{uuid.uuid4().hex[:8]}", "message": message}).encode()
    status, replies = post_raw(f"{bot.rasa_url}/webhooks/rest/webhook", body)
    assert status == 200, (status, replies, message[:80])
    assert isinstance(replies, list) and replies, message[:80]
    assert any(isinstance(r.get("text"), str) and r["text"].strip() for r in replies), (replies, message[:80])


@pytest.mark.parametrize("message", HOSTILE_MESSAGES, ids=lambda m: repr(m[:30]))
def test_hostile_messages_get_a_reply(running_bot: RunningBot, message: str) -> None:
    assert_answered(running_bot, message)


TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=400)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(message=st.one_of(TEXT, st.sampled_from(HOSTILE_MESSAGES).flatmap(lambda m: st.just(m) | TEXT.map(m.__add__))))
def test_any_text_gets_a_reply(running_bot: RunningBot, message: str) -> None:
    assert_answered(running_bot, message)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=10,
)


def well_formed(body: Any) -> bool:
    return (
        isinstance(body, dict) and isinstance(body.get("sender"), str) and body["sender"].strip() != ""
        and len(body["sender"]) <= 256 and isinstance(body.get("message"), str)
    )  # fmt: skip


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=st.one_of(
        JSON_VALUES,
        st.fixed_dictionaries({"sender": JSON_VALUES, "message": JSON_VALUES}),
        st.fixed_dictionaries({"message": TEXT}),
        st.fixed_dictionaries({"sender": TEXT, "message": TEXT}),
    )
)
def test_any_json_body_gets_a_reply_or_a_clear_4xx(running_bot: RunningBot, body: Any) -> None:
    TRIED["json bodies"] += 1
    status, reply = post_raw(f"{running_bot.rasa_url}/webhooks/rest/webhook", json.dumps(body).encode())
    if well_formed(body):
        assert status == 200 and reply, (status, reply, body)
    else:
        assert status == 400 and "Bad request" in reply["error"], (status, reply, body)


@settings(max_examples=50, deadline=None)
@given(raw=st.binary(max_size=300))
def test_any_bytes_get_a_reply_or_a_clear_4xx(running_bot: RunningBot, raw: bytes) -> None:
    TRIED["raw bodies"] += 1
    status, reply = post_raw(f"{running_bot.rasa_url}/webhooks/rest/webhook", raw)
    assert status in (200, 400), (status, reply, raw)
    if status == 400:
        assert "Bad request" in reply["error"]


def test_both_servers_are_still_up_after_all_that(running_bot: RunningBot, capsys: pytest.CaptureFixture) -> None:
    assert get_json(f"{running_bot.actions_url}/health")["status"] == "ok"
    assert get_json(f"{running_bot.rasa_url}/webhooks/rest/")["status"] == "ok"
    with capsys.disabled():
        counts: List[str] = [f"{n} {kind}" for kind, n in TRIED.items()]
        print(f"\nHostile input: {sum(TRIED.values())} requests tried ({', '.join(counts)}); both servers still up.")
