"""End to end over Rasa's REST channel: the real action server and Rasa server on loopback, started
by the test (see tests/servers.py) and stopped at the end."""

from __future__ import annotations

import uuid
from typing import Any, Dict, List

import pytest

from tests.servers import RunningBot, texts

pytestmark = pytest.mark.integration


def buttons(replies: List[Dict[str, Any]]) -> List[str]:
    return [b["payload"] for r in replies for b in r.get("buttons", [])]


def new_sender() -> str:
    return f"test-{uuid.uuid4().hex[:8]}"


def test_salary_question_gets_the_newest_figure_with_source_and_year(running_bot: RunningBot) -> None:
    replies = running_bot.say("how much does a lab tech make?", new_sender())
    text = texts(replies)
    assert "$61,890" in text and "May 2024" in text and "JobHuntDay (career site, citing BLS), 2026" in text
    assert "$60,780" in text and "May 2023" in text
    assert "Sources:" in text
    assert buttons(replies), "follow-up topics come as buttons"


def test_weather_gets_the_fallback_with_topic_buttons_and_no_figures(running_bot: RunningBot) -> None:
    replies = running_bot.say("what's the weather?", new_sender())
    text = texts(replies)
    assert "outside what I know" in text
    assert "$" not in text and "%" not in text
    assert {"/ask_salary", "/ask_related_careers", "/compare_careers"} <= set(buttons(replies))


def test_hi_then_salary(running_bot: RunningBot) -> None:
    sender = new_sender()
    greeting = running_bot.say("hi", sender)
    assert "Lab Career Advisor" in texts(greeting)
    assert "/ask_salary" in buttons(greeting)
    answer = texts(running_bot.say("salary", sender))
    assert "$61,890" in answer


def test_button_payload_answers_its_topic(running_bot: RunningBot) -> None:
    text = texts(running_bot.say("/ask_certification", new_sender()))
    assert "MLT(ASCP)" in text and "Sources:" in text


def test_gibberish_gets_a_helpful_reply_not_silence(running_bot: RunningBot) -> None:
    replies = running_bot.say("qwpoeiru zmxncb", new_sender())
    assert replies, "never silence"
    assert "/ask_duties" in buttons(replies)
    assert "$" not in texts(replies)
