"""A long conversation starts a new session every LAB_ADVISOR_SESSION_TURNS turns (addons/patches/
sessions.py), so a turn's cost does not grow with the conversation, and the student notices nothing:
the career, country and topic carry over, and every earlier turn stays in the store."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path
from typing import Any, List

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from addons.patches import sessions
from tests.servers import PROJECT_ROOT, endpoint_env, say, start_actions, start_rasa, texts

DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))


def tracker_with(turns_before: int, turns_since: int) -> DialogueStateTracker:
    events: List[Any] = [SessionStarted()] + [UserUttered("hi")] * turns_before
    events += [SessionStarted(), ActionExecuted("action_listen")] + [UserUttered("hi")] * turns_since
    return DialogueStateTracker.from_events("student", events)


class Processor:
    """What the patched method reads from Rasa's MessageProcessor."""

    domain = DOMAIN


def test_turns_are_counted_from_the_session_start() -> None:
    assert sessions.turns_in_session(tracker_with(turns_before=30, turns_since=4)) == 4


@pytest.mark.parametrize("limit, since, expired", [("40", 39, False), ("40", 40, True), ("0", 500, False)])
def test_a_session_ends_after_the_set_number_of_turns(
    limit: str, since: int, expired: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAB_ADVISOR_SESSION_TURNS", limit)
    # a tracker whose last message is recent: only the turn count can end its session
    assert sessions._has_session_expired(Processor(), tracker_with(0, since)) is expired


@pytest.mark.integration
def test_context_carries_over_into_the_next_session(model_path: Path, tmp_path: Path) -> None:
    student = f"student-{uuid.uuid4().hex[:8]}"
    with start_actions(tmp_path) as actions_url:
        env = endpoint_env(actions_url, tmp_path, LAB_ADVISOR_SESSION_TURNS="3", LAB_ADVISOR_RATE_LIMIT="0")
        with start_rasa(model_path, tmp_path, env) as rasa_url:
            assert "draw blood" in texts(say(rasa_url, "what does a phlebotomist do?", student))
            for _ in range(4):  # past the end of the first session
                say(rasa_url, "thanks", student)
            assert "$41,810" in texts(say(rasa_url, "how much do they make?", student))  # still phlebotomists
    with sqlite3.connect(tmp_path / "conversations.db") as db:
        kinds = [row[0] for row in db.execute("SELECT type_name FROM events WHERE sender_id = ?", (student,))]
    assert kinds.count("session_started") >= 2  # a new session began
    assert kinds.count("user") == 6  # and no turn was lost
    assert kinds.count("slot") <= 6 * 3 + kinds.count("session_started") * 3  # slots carried once, not copied again


def test_a_new_session_carries_each_slot_once_with_its_latest_value() -> None:
    events: List[Any] = [SessionStarted()]
    for topic in ("duties", "salary", "education"):
        events += [UserUttered("hi"), SlotSet("topic", topic), SlotSet("career", "phlebotomist")]
    carried = sessions.current_slot_events(DialogueStateTracker.from_events("student", events))
    assert [(e.key, e.value) for e in carried] == [("topic", "education"), ("career", "phlebotomist")]
