"""The Rasa SDK actions, run with a real Tracker and CollectingDispatcher, and the action server's
refusal to start on an invalid knowledge file."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import actions
from bot import ReloadingKnowledge, load_knowledge
from tests.servers import PROJECT_ROOT, RASA, free_port, server_env

SYNC_LOOKUPS = PROJECT_ROOT / "scripts" / "sync_lookups.py"

MLT = "medical_laboratory_technician"


def tracker_after(
    intent: str, text: str = "", slots: Optional[Dict[str, Any]] = None, **entities: Union[str, List[str]]
) -> Tracker:
    """The tracker after a message with this intent and these entities. Given `text`, each entity
    value gets its position in the text, as the NLU's extractor reports it."""
    found: List[Dict[str, Any]] = []
    for name, values in entities.items():
        for value in [values] if isinstance(values, str) else values:
            entity: Dict[str, Any] = {"entity": name, "value": value}
            if text:
                entity.update(start=text.index(value), end=text.index(value) + len(value))
            found.append(entity)
    latest = {"intent": {"name": intent, "confidence": 0.99}, "entities": found, "text": text or intent}
    events = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": latest["text"], "parse_data": latest},
    ]
    return Tracker(
        sender_id="student-1",
        slots=slots or {},
        latest_message=latest,
        events=events,
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def run(action: Any, intent: str, domain: Dict[str, Any], **context: Any) -> List[Dict[str, Any]]:
    messages, _ = run_with_events(action, intent, domain, **context)
    return messages


def run_with_events(
    action: Any, intent: str, domain: Dict[str, Any], **context: Any
) -> Tuple[List[Dict[str, Any]], Dict[str, Any]]:
    """The messages, and the slots the action set."""
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker_after(intent, **context), domain)
    assert all(e["event"] in ("slot", "followup") for e in events)
    return dispatcher.messages, {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_salary_question_gets_the_newest_figure_with_source_and_buttons(domain: Dict[str, Any]) -> None:
    [message], slots = run_with_events(actions.ActionAnswerTopic(), "ask_salary", domain)
    assert (
        "The newest confirmed figure: median pay for clinical lab technologists and technicians together was $60,780"
        in message["text"]
    )
    assert "$61,890" in message["text"] and "(JobHuntDay (career site, citing BLS), 2026)" in message["text"]
    assert message["buttons"] == [
        {"title": "In Canada", "payload": '/inform{"country": "canada"}'},
        {"title": "In the UK", "payload": '/inform{"country": "uk"}'},
        {"title": "In Australia", "payload": '/inform{"country": "australia"}'},
        {"title": "Job outlook", "payload": "/ask_outlook"},
        {"title": "Education", "payload": "/ask_education"},
        {"title": "Where they work", "payload": "/ask_employers"},
    ]
    assert slots == {"topic": "salary"}  # nothing named, so no career or country is remembered


@pytest.mark.parametrize(
    "intent, phrase",
    [
        ("ask_duties", "body fluids"),
        ("ask_education", "associate degree"),
        ("ask_certification", "MLT(ASCP)"),
        ("ask_employers", "hospitals"),
    ],
)
def test_each_topic_intent_is_answered_from_the_knowledge_file(
    intent: str, phrase: str, domain: Dict[str, Any]
) -> None:
    [message] = run(actions.ActionAnswerTopic(), intent, domain)
    assert phrase in message["text"]
    assert "Source" in message["text"].split("\n\n")[-1]
    intents = set(actions.domain_intents(domain))
    assert message["buttons"], "follow-up topics are offered"
    for button in message["buttons"]:
        assert button["payload"].lstrip("/").split("{")[0] in intents and button["payload"] != f"/{intent}"


def test_missing_knowledge_is_said_honestly(
    domain: Dict[str, Any], write_knowledge: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    kb = ReloadingKnowledge(write_knowledge(lambda d: d["careers"][MLT]["topics"].pop("employers")))
    monkeypatch.setattr(actions, "KNOWLEDGE", kb)
    [message] = run(actions.ActionAnswerTopic(), "ask_employers", domain)
    assert "don't have sourced information on who hires them" in message["text"]
    assert [b["payload"] for b in message["buttons"]] == ["/ask_duties", "/ask_education", "/ask_certification"]


def test_an_edited_knowledge_file_is_answered_from_without_a_restart(
    domain: Dict[str, Any],
    write_knowledge: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = write_knowledge()
    monkeypatch.setattr(actions, "KNOWLEDGE", ReloadingKnowledge(path))
    assert "$61,890" in run(actions.ActionAnswerTopic(), "ask_salary", domain)[0]["text"]

    def new_figure(data: Dict[str, Any]) -> None:
        fact = data["careers"][MLT]["topics"]["salary"]["facts"][0]
        fact["text"], fact["value"] = fact["text"].replace(fact["value"], "$61,000"), "$61,000"

    write_knowledge(new_figure)
    os.utime(path, (path.stat().st_mtime + 5,) * 2)  # saved later (whole-second file systems)
    assert "$61,000" in run(actions.ActionAnswerTopic(), "ask_salary", domain)[0]["text"]

    write_knowledge(lambda d: d["careers"][MLT]["topics"]["salary"]["facts"][0].update(as_of="soon"))
    os.utime(path, (path.stat().st_mtime + 10,) * 2)
    with caplog.at_level(logging.ERROR):
        assert "$61,000" in run(actions.ActionAnswerTopic(), "ask_salary", domain)[0]["text"]  # last good
    assert f"entry careers.{MLT}.topics.salary.facts[0], field 'as_of'" in caplog.text


def test_a_named_career_is_answered_and_remembered(domain: Dict[str, Any]) -> None:
    [message], slots = run_with_events(actions.ActionAnswerTopic(), "ask_duties", domain, career="phlebotomists")
    assert "draw blood" in message["text"]
    assert slots == {"topic": "duties", "career": "phlebotomist"}


def test_a_follow_up_question_keeps_the_career(domain: Dict[str, Any]) -> None:
    [message] = run(actions.ActionAnswerTopic(), "ask_salary", domain, slots={"career": "phlebotomist"})
    assert "$41,810" in message["text"] and "$61,890" not in message["text"]


def test_naming_another_career_switches(domain: Dict[str, Any]) -> None:
    [message], slots = run_with_events(
        actions.ActionAnswerTopic(), "ask_salary", domain, slots={"career": "phlebotomist"}, career="lab techs"
    )
    assert "$61,890" in message["text"] and slots["career"] == "medical_laboratory_technician"


def test_inform_re_answers_the_last_topic_for_a_new_country(domain: Dict[str, Any]) -> None:
    [message], slots = run_with_events(
        actions.ActionAnswerTopic(), "inform", domain, slots={"topic": "certification"}, country="canada"
    )
    assert "CSMLS" in message["text"] and "Quebec" in message["text"]
    assert slots == {"topic": "certification", "country": "canada"}


def test_inform_re_answers_the_last_topic_for_a_new_career(domain: Dict[str, Any]) -> None:
    [message] = run(actions.ActionAnswerTopic(), "inform", domain, slots={"topic": "salary"}, career="phlebotomist")
    assert "$41,810" in message["text"]


def test_a_job_not_covered_is_declined_even_mid_conversation(domain: Dict[str, Any]) -> None:
    [message], slots = run_with_events(
        actions.ActionAnswerTopic(), "ask_salary", domain, slots={"career": "phlebotomist"}, other_career="nurse"
    )
    assert message["text"].startswith('"nurse" is outside what I know')
    assert "$" not in message["text"]  # not the phlebotomist pay under discussion
    assert {"title": "Phlebotomist", "payload": '/inform{"career": "phlebotomist"}'} in message["buttons"]
    assert slots == {"topic": "salary"}  # the conversation stays about phlebotomists


def test_a_career_word_inside_the_name_of_a_job_not_covered_is_ignored(domain: Dict[str, Any]) -> None:
    text = "how much does a pharmacy technician make"
    [message] = run(
        actions.ActionAnswerTopic(),
        "ask_salary",
        domain,
        text=text,
        career="technician",
        other_career="pharmacy technician",
    )
    assert message["text"].startswith('"pharmacy technician" is outside what I know')


def test_an_ambiguous_name_offers_the_other_meaning(domain: Dict[str, Any]) -> None:
    [message] = run(actions.ActionAnswerTopic(), "ask_duties", domain, career="clinical technician")
    assert "can mean two jobs" in message["text"]
    assert message["buttons"][0] == {
        "title": "Patient-facing clinical technician",
        "payload": '/inform{"career": "patient_care_clinical_technician"}',
    }


def test_related_career_buttons_open_what_that_career_does(domain: Dict[str, Any]) -> None:
    [message] = run(actions.ActionAnswerTopic(), "ask_related_careers", domain)
    assert {"title": "Phlebotomist", "payload": '/ask_duties{"career": "phlebotomist"}'} in message["buttons"]


@pytest.mark.parametrize(
    "named, slots, expected_start",
    [
        (["phlebotomist", "MLT"], {}, "Phlebotomist vs medical laboratory technician:"),
        (["technician", "technologist"], {}, "Medical laboratory technician vs medical laboratory technologist:"),
        ([], {}, "Medical laboratory technician vs medical laboratory technologist:"),
        ([], {"career": "phlebotomist"}, "Phlebotomist vs medical laboratory technician:"),
        (["histotech"], {"career": "cytotechnologist"}, "Histotechnician vs cytotechnologist:"),
        (["MLS", "medical technologist"], {}, '"MLS" and "medical technologist" are two names for the same job'),
    ],
)
def test_compare_careers(named: List[str], slots: Dict[str, Any], expected_start: str, domain: Dict[str, Any]) -> None:
    context: Dict[str, Any] = {"slots": slots}
    if named:
        context["career"] = named
    [message] = run(actions.ActionCompareCareers(), "compare_careers", domain, **context)
    assert message["text"].startswith(expected_start)
    assert "Pay in the US:" in message["text"]


def test_the_nlu_lookup_tables_match_the_knowledge_file() -> None:
    result = subprocess.run([sys.executable, str(SYNC_LOOKUPS), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


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
        "/ask_outlook",
        "/ask_related_careers",
        "/compare_careers",
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


@pytest.mark.integration
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


def test_pathologists_assistant_is_not_read_as_pathologist(domain: Dict[str, Any]) -> None:
    text = "how much does a pathologists' assistant make"
    [message] = run(
        actions.ActionAnswerTopic(),
        "ask_salary",
        domain,
        text=text,
        other_career=["pathologist", "pathologists' assistant"],
    )
    assert message["text"].startswith('"pathologists\' assistant" is outside what I know')


@pytest.mark.parametrize(
    "said, country",
    [
        ("Ontario", "canada"),
        ("CSMLS", "canada"),
        ("HCPC", "uk"),
        ("IBMS", "uk"),
        ("California", "us"),
        ("New South Wales", "australia"),
        ("Queensland", "australia"),
    ],
)
def test_regions_and_credential_bodies_resolve_to_their_country(
    said: str, country: str, domain: Dict[str, Any]
) -> None:
    text = f"what education do i need in {said}"
    action = actions.ActionAnswerTopic()
    [message], slots = run_with_events(action, "ask_education", domain, text=text, country=said)
    assert slots["country"] == country
    assert "in the US" not in message["text"] or country == "us"


@pytest.mark.parametrize("said", ["HT", "HTL", "histology", "histotechnologist"])
def test_histology_credentials_mean_histotechnology(said: str, domain: Dict[str, Any]) -> None:
    text = f"what does a {said} do"
    _, slots = run_with_events(actions.ActionAnswerTopic(), "ask_duties", domain, text=text, career=said)
    assert slots["career"] == "histotechnician"


def test_goodbye_and_are_you_a_bot_get_their_reply_unless_they_ask_for_experience(domain: Dict[str, Any]) -> None:
    action = actions.ActionAnswerSmallTalk()
    assert run(action, "goodbye", domain, text="bye, thanks")[0]["response"] == "utter_goodbye"
    assert run(action, "bot_challenge", domain, text="are you a real person?")[0]["response"] == "utter_iamabot"
    # a forum question pasted in, which the NLU took for small talk
    pasted = run(action, "bot_challenge", domain, text="Are you as miserable as everyone says you are?")
    assert pasted[0]["text"].startswith("I don't have a sourced answer") and pasted[0]["buttons"]
    left = run(action, "goodbye", domain, text="Anyone left and returned?")
    assert left[0]["text"].startswith("I don't have a sourced answer")
