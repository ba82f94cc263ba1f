"""Thin Rasa SDK actions over the knowledge core in `bot/`.

They translate only: an `ask_<topic>` intent becomes a topic id for `bot.answer_topic`, and topics
become quick-reply buttons whose payload is `/ask_<topic>`. Buttons are offered only for topics
whose intent the domain defines, so a topic added to the knowledge file shows up once its intent
and rule exist. The knowledge file is loaded when the action server starts; an invalid file stops
the server with a message naming the file, the entry and the field.
"""

from __future__ import annotations

import logging
import os
from typing import Any, Dict, Iterable, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot import (
    DEFAULT_KNOWLEDGE_FILE,
    KnowledgeBase,
    KnowledgeFileError,
    Topic,
    answer_topic,
    describe_topics,
    load_knowledge,
    topics_overview,
)

logger = logging.getLogger(__name__)

KNOWLEDGE_FILE_VARIABLE = "LAB_ADVISOR_KNOWLEDGE_FILE"
TOPIC_INTENT_PREFIX = "ask_"


def load_configured_knowledge() -> KnowledgeBase:
    """Load the knowledge file named by $LAB_ADVISOR_KNOWLEDGE_FILE (default: bot/knowledge/careers.yml)."""
    path = os.environ.get(KNOWLEDGE_FILE_VARIABLE) or DEFAULT_KNOWLEDGE_FILE
    try:
        knowledge = load_knowledge(path)
    except KnowledgeFileError as error:
        logger.error("%s", error)
        raise SystemExit(f"The action server cannot start. {error}") from None
    logger.info("Loaded knowledge file %s: %s", path, knowledge.summary())
    return knowledge


KNOWLEDGE = load_configured_knowledge()


def topic_intent(topic: Topic) -> Text:
    return f"{TOPIC_INTENT_PREFIX}{topic.id}"


def domain_intents(domain: Dict[Text, Any]) -> List[Text]:
    """Intent names from a domain dict, whose entries are names or {name: properties}."""
    names: List[Text] = []
    for intent in domain.get("intents", []):
        names.extend(intent.keys() if isinstance(intent, dict) else [intent])
    return names


def topic_buttons(topics: Iterable[Topic], domain: Dict[Text, Any]) -> List[Dict[Text, Text]]:
    intents = set(domain_intents(domain))
    return [
        {"title": t.title, "payload": f"/{topic_intent(t)}"} for t in topics if topic_intent(t) in intents
    ]


class ActionAnswerTopic(Action):
    """Answers the topic named by the latest `ask_<topic>` intent from the knowledge file."""

    def name(self) -> Text:
        return "action_answer_topic"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        intent: Optional[Text] = (tracker.latest_message.get("intent") or {}).get("name")
        topic_id = intent[len(TOPIC_INTENT_PREFIX) :] if intent and intent.startswith(TOPIC_INTENT_PREFIX) else ""
        answer = answer_topic(KNOWLEDGE, topic_id)
        dispatcher.utter_message(text=answer.text, buttons=topic_buttons(answer.follow_ups, domain))
        return []


class ActionOfferTopics(Action):
    """Lists what the bot can talk about, with a button for each topic (after a greeting, a help
    request, an out-of-scope or a not-understood message)."""

    def name(self) -> Text:
        return "action_offer_topics"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        intents = set(domain_intents(domain))
        topics = [t for t in topics_overview(KNOWLEDGE) if topic_intent(t) in intents]
        dispatcher.utter_message(text=describe_topics(topics), buttons=topic_buttons(topics, domain))
        return []
