"""addons/patches/speedups.py makes Rasa faster without changing what it accepts: action server responses
are validated against the same schema, and events are read back as the same classes."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered

from addons.patches import speedups


@pytest.fixture(autouse=True)
def applied() -> None:
    speedups.apply()


def remote_action() -> RemoteAction:
    return RemoteAction("action_answer_topic", None)


def test_valid_action_responses_are_accepted() -> None:
    valid = {
        "events": [{"event": "slot", "name": "topic", "value": "salary", "timestamp": None}],
        "responses": [{"text": "About lab techs", "buttons": [{"title": "Education", "payload": "/ask_education"}]}],
    }
    assert remote_action()._validate_action_result(valid) is True
    assert remote_action()._validate_action_result({"events": [], "responses": []}) is True


@pytest.mark.parametrize(
    "invalid",
    [
        {"events": [{"name": "topic"}], "responses": []},  # an event without its type
        {"events": "not a list", "responses": []},
    ],
)
def test_invalid_action_responses_are_rejected_with_rasas_message(invalid: dict) -> None:
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        remote_action()._validate_action_result(invalid)


def test_events_resolve_to_the_same_classes_and_unknown_types_still_fail() -> None:
    assert Event.resolve_by_type("user") is UserUttered
    assert Event.resolve_by_type("user") is UserUttered  # remembered
    assert Event.resolve_by_type("slot") is SlotSet and Event.resolve_by_type("action") is ActionExecuted
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        Event.resolve_by_type("no_such_event")


def test_an_action_call_sends_this_turns_events_and_otherwise_what_rasa_sends() -> None:
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    from addons.patches import action_payload

    domain = Domain.from_yaml("version: '3.1'\nslots:\n  career:\n    type: text\n    mappings: []\n")
    events = [
        UserUttered("what do lab techs do", intent={"name": "ask_duties"}),
        ActionExecuted("action_answer_topic"),
        SlotSet("career", "medical_laboratory_technician"),
        ActionExecuted("action_listen"),
        UserUttered("and their pay?", intent={"name": "ask_salary"}),
        ActionExecuted("action_answer_topic"),
    ]
    tracker = DialogueStateTracker.from_events("student", events, domain.slots)
    action = remote_action()
    sent = action_payload._action_call_format(action, tracker, domain)
    rasas = action_payload.RASAS_ACTION_CALL_FORMAT(action, tracker, domain)
    assert [e["event"] for e in sent["tracker"]["events"]] == ["user", "action"]
    assert sent["tracker"]["events"] == rasas["tracker"]["events"][-2:]
    assert sent["tracker"]["slots"]["career"] == "medical_laboratory_technician"  # the earlier turn's slot
    del sent["tracker"]["events"], rasas["tracker"]["events"]
    assert sent == rasas  # the rest is what Rasa sends
