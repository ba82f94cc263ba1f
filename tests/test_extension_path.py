"""What the README's "Extending" section promises holds: every topic in the knowledge file is wired
into the assistant (its intent in the domain, a rule that answers it, training examples, a button
that reaches it), and the topic menu, which is also the policies' fallback, never repeats itself."""

from __future__ import annotations

from typing import Any, Dict, List, Set

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions import actions
from bot import load_knowledge
from tests.conftest import PROJECT_ROOT
from tests.test_actions import tracker_after

KB = load_knowledge()
TOPICS = [topic.id for topic in KB.topics()]


def rules() -> List[Dict[str, Any]]:
    return yaml.safe_load((PROJECT_ROOT / "data" / "rules.yml").read_text())["rules"]


def intents_with_examples() -> Set[str]:
    nlu = yaml.safe_load((PROJECT_ROOT / "data" / "nlu.yml").read_text())["nlu"]
    return {block["intent"] for block in nlu if "intent" in block}


def reachable_by_button() -> Set[str]:
    """Menu topics, and every topic some career offers as a follow-up."""
    found = {topic.id for topic in KB.topics() if topic.menu}
    for career_id in KB.career_ids():
        for entry in KB.career(career_id).topics.values():
            found.update(entry.follow_ups)
    return found


@pytest.mark.parametrize("topic", TOPICS)
def test_every_topic_is_wired_into_the_assistant(topic: str, domain: Dict[str, Any]) -> None:
    intent = f"ask_{topic}"
    assert intent in actions.domain_intents(domain), f"domain.yml: add `{intent}` under intents"
    answering = [r for r in rules() if r["steps"][0].get("intent") == intent]
    assert answering and answering[0]["steps"][1] == {"action": "action_answer_topic"}, (
        f"data/rules.yml: add a rule `{intent}` -> action_answer_topic"
    )
    assert intent in intents_with_examples(), f"data/nlu.yml: add examples for `{intent}`"
    assert topic in reachable_by_button(), f"careers.yml: make `{topic}` a menu topic or another topic's follow-up"


def test_the_topic_menu_is_offered_once_and_then_the_bot_listens(domain: Dict[str, Any]) -> None:
    dispatcher = CollectingDispatcher()
    events = actions.ActionOfferTopics().run(dispatcher, tracker_after("nlu_fallback"), domain)
    assert len(dispatcher.messages) == 1
    assert events == [{"event": "followup", "timestamp": None, "name": "action_listen"}]
