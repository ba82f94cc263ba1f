"""The Rasa SDK actions, run with a real Tracker and CollectingDispatcher, and the action server's
refusal to start on an invalid knowledge file."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import actions
from bot import load_knowledge
from tests.servers import PROJECT_ROOT, RASA, free_port, server_env

MLT = "medical_laboratory_technician"


def tracker_after(intent: str, text: str = "") -> Tracker:
    latest = {"intent": {"name": intent, "confidence": 0.99}, "entities": [], "text": text or intent}
    events = [{"event": "action", "name": "action_listen"}, {"event": "user", "text": latest["text"], "parse_data": latest}]
    return Tracker(
        sender_id="student-1",
        slots={},
        latest_message=latest,
        events=events,
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def run(action: Any, intent: str, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker_after(intent), domain)
    assert events == []
    return dispatcher.messages


def test_salary_question_gets_the_newest_figure_with_source_and_buttons(domain: Dict[str, Any]) -> None:
    [message] = run(actions.ActionAnswerTopic(), "ask_salary", domain)
    assert message["text"].startswith("The newest figure I have: median pay for medical laboratory technicians was $60,290")
    assert "(Beacon Hill Career Training, 2025)" in message["text"]
    assert message["buttons"] == [
        {"title": "Education", "payload": "/ask_education"},
        {"title": "Where they work", "payload": "/ask_employers"},
    ]  # the salary follow-ups are outlook, education, employers; outlook has no intent yet


@pytest.mark.parametrize(
    "intent, phrase",
    [
        ("ask_duties", "body fluids"),
        ("ask_education", "associate degree"),
        ("ask_certification", "MLT(ASCP)"),
        ("ask_employers", "hospitals"),
    ],
)
def test_each_topic_intent_is_answered_from_the_knowledge_file(intent: str, phrase: str, domain: Dict[str, Any]) -> None:
    [message] = run(actions.ActionAnswerTopic(), intent, domain)
    assert phrase in message["text"]
    assert "Source" in message["text"].split("\n\n")[-1]
    intents = set(actions.domain_intents(domain))
    assert message["buttons"], "follow-up topics are offered"
    for button in message["buttons"]:
        assert button["payload"].lstrip("/") in intents and button["payload"] != f"/{intent}"


def test_missing_knowledge_is_said_honestly(
    domain: Dict[str, Any], write_knowledge: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    kb = load_knowledge(write_knowledge(lambda d: d["careers"][MLT]["topics"].pop("employers")))
    monkeypatch.setattr(actions, "KNOWLEDGE", kb)
    [message] = run(actions.ActionAnswerTopic(), "ask_employers", domain)
    assert "don't have sourced information on who hires them" in message["text"]
    assert [b["payload"] for b in message["buttons"]] == ["/ask_duties", "/ask_education", "/ask_certification"]


@pytest.mark.parametrize("intent", ["greet", "help", "out_of_scope", "nlu_fallback"])
def test_offer_topics_lists_every_answerable_topic_as_a_button(intent: str, domain: Dict[str, Any]) -> None:
    [message] = run(actions.ActionOfferTopics(), intent, domain)
    assert message["text"].startswith("I can tell you about what the job involves day to day")
    assert "$" not in message["text"]
    assert [b["payload"] for b in message["buttons"]] == [
        "/ask_duties",
        "/ask_education",
        "/ask_certification",
        "/ask_salary",
        "/ask_employers",
    ]


def test_domain_intents_reads_names_and_mappings() -> None:
    domain = {"intents": ["greet", {"ask_salary": {"use_entities": []}}]}
    assert actions.domain_intents(domain) == ["greet", "ask_salary"]


def test_every_topic_intent_in_the_domain_has_knowledge(domain: Dict[str, Any]) -> None:
    kb = load_knowledge()
    for intent in actions.domain_intents(domain):
        if intent.startswith(actions.TOPIC_INTENT_PREFIX):
            topic_id = intent[len(actions.TOPIC_INTENT_PREFIX) :]
            assert kb.career_topic(topic_id) is not None, f"{intent} has no entry in the knowledge file"


def test_action_server_refuses_to_start_on_an_invalid_knowledge_file(write_knowledge: Callable[..., Path]) -> None:
    path = write_knowledge(lambda d: d["careers"][MLT]["topics"]["salary"]["facts"][0].pop("source"))
    result = subprocess.run(
        [RASA, "run", "actions", "--actions", "actions", "--port", str(free_port())],
        cwd=PROJECT_ROOT,
        env=server_env(LAB_ADVISOR_KNOWLEDGE_FILE=str(path)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "The action server cannot start." in output
    assert str(path) in output
    assert f"entry careers.{MLT}.topics.salary.facts[0], field 'source': field required" in output
    assert "Traceback" not in output
