"""Thin Rasa SDK actions over the knowledge core in `bot/`.

They translate only. In: an `ask_<topic>` intent names the topic; `career` and `country` entities
(the words the student typed) are resolved by `bot`, and remembered in slots so that "how much do
they make?" after "what does a phlebotomist do?" is about phlebotomists; an `other_career` entity
(a job the file does not cover: "nurse") gets "that's outside what I know" rather than an answer
for the career under discussion. Out: a `bot.Answer`
becomes the message text and quick-reply buttons (`/ask_<topic>`, `/inform{"career": ...}`).
Buttons are offered only for intents the domain defines. The knowledge file is loaded when the
action server starts (an invalid file stops the server with a message naming the file, the
entry and the field) and reloaded when it is edited; an invalid edit keeps the last good version
and logs the validation error.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, Iterable, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import (
    RELATED_CAREERS,
    Answer,
    KnowledgeBase,
    KnowledgeFileError,
    Question,
    ReloadingKnowledge,
    Topic,
    describe_topics,
    topics_overview,
)
from bot.asking import answer_comparison, answer_question, answer_small_talk, search_answer
from bot.conversation import comparison_pair, comparison_title, default_comparison, follow_up_topic
from bot.matching import FactIndex
from bot.sentence_encoder import DEFAULT_CACHE_DIR, shared_encoder
from stack.settings import current as current_settings

logger = logging.getLogger(__name__)

TOPIC_INTENT_PREFIX = "ask_"
INFORM_INTENT = "inform"
COMPARE_INTENT = "compare_careers"
MAX_BUTTONS = 6


def load_configured_knowledge() -> ReloadingKnowledge:
    """The knowledge file named by LAB_ADVISOR_KNOWLEDGE_FILE (default: bot/knowledge/careers.yml),
    reloaded when it is edited (an invalid edit keeps the last good version and logs why)."""
    path = current_settings().knowledge_file
    try:
        knowledge = ReloadingKnowledge(path)
    except KnowledgeFileError as error:
        logger.error("%s", error)
        raise SystemExit(f"The action server cannot start. {error}") from None
    logger.info("Loaded knowledge file %s: %s", path, knowledge.current().summary())
    return knowledge


KNOWLEDGE = load_configured_knowledge()
_index: Optional[FactIndex] = None


def fact_index(kb: KnowledgeBase) -> FactIndex:
    """The facts of this version of the knowledge file as sentence vectors (bot.matching): built
    once per version, the first time (the action server builds it as it starts)."""
    global _index
    if _index is None or _index.kb is not kb:
        _index = FactIndex(kb, shared_encoder(), cache_dir=DEFAULT_CACHE_DIR)
    return _index


fact_index(KNOWLEDGE.current())


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
    return [{"title": t.title, "payload": f"/{topic_intent(t)}"} for t in topics if topic_intent(t) in intents]


def payload(intent: Text, **entities: Text) -> Text:
    return f"/{intent}{json.dumps(entities)}" if entities else f"/{intent}"


def answer_buttons(
    kb: KnowledgeBase, result: Answer, topic_id: Text, domain: Dict[Text, Any]
) -> List[Dict[Text, Text]]:
    """Other meanings or related careers, other countries, then follow-up topics."""
    intents = set(domain_intents(domain))
    buttons: List[Dict[Text, Text]] = []
    # from a list of related careers, a career's button opens what that career does;
    # elsewhere it asks the same question about the other career
    career_intent = f"{TOPIC_INTENT_PREFIX}duties" if topic_id == RELATED_CAREERS else INFORM_INTENT
    if career_intent in intents:
        for career_id in result.other_careers:
            title = kb.career(career_id).name.capitalize()
            buttons.append({"title": title, "payload": payload(career_intent, career=career_id)})
    if INFORM_INTENT in intents:
        for country_id in result.other_countries:
            title = f"In {kb.country(country_id).name}"
            buttons.append({"title": title, "payload": payload(INFORM_INTENT, country=country_id)})
    if result.more_on is not None:  # a focused answer: the whole topic is one button away
        buttons += [{**b, "title": f"More: {b['title']}"} for b in topic_buttons([result.more_on], domain)]
    buttons += topic_buttons(result.follow_ups, domain)
    return buttons[:MAX_BUTTONS] if topic_id != RELATED_CAREERS else buttons


def entity_values(tracker: Tracker, entity_type: Text) -> List[Text]:
    """The latest message's values for one entity type, leaving out any found inside a longer name
    ("technician" inside "pharmacy technician", a job the bot does not cover)."""
    entities = tracker.latest_message.get("entities") or []

    def inside_another(e: Dict[Text, Any]) -> bool:
        if "start" not in e or "end" not in e:
            return False
        return any(
            o is not e
            and "start" in o
            and "end" in o
            and o["start"] <= e["start"]
            and e["end"] <= o["end"]
            and o["end"] - o["start"] > e["end"] - e["start"]
            for o in entities
        )

    return [str(e["value"]) for e in entities if e.get("entity") == entity_type and not inside_another(e)]


def mentioned_careers(kb: KnowledgeBase, tracker: Tracker) -> List[Tuple[Text, Optional[Text]]]:
    """(career id, ambiguous name or None) for each career the latest message names, in order."""
    found: List[Tuple[Text, Optional[Text]]] = []
    for value in entity_values(tracker, "career"):
        match = kb.resolve_career(str(value))
        if match is not None and match.career_id not in [c for c, _ in found]:
            found.append((match.career_id, match.ambiguous_name))
    return found


def mentioned_country(kb: KnowledgeBase, tracker: Tracker) -> Optional[Text]:
    for value in entity_values(tracker, "country"):
        country = kb.resolve_country(str(value))
        if country is not None:
            return country
    return None


def latest_intent(tracker: Tracker) -> Text:
    return str((tracker.latest_message.get("intent") or {}).get("name") or "")


def known_career(kb: KnowledgeBase, tracker: Tracker) -> Optional[Text]:
    """The career slot, if it still names a career in the knowledge file."""
    career = tracker.get_slot("career")
    return career if career in kb.career_ids() else None


def known_country(kb: KnowledgeBase, tracker: Tracker) -> Optional[Text]:
    country = tracker.get_slot("country")
    return country if country in kb.country_ids() else None


def current_country(kb: KnowledgeBase, tracker: Tracker) -> Optional[Text]:
    """The country the student names now, or else named earlier in the conversation."""
    return mentioned_country(kb, tracker) or known_country(kb, tracker)


class ActionAnswerTopic(Action):
    """Answers a topic question from the knowledge file, for the career and country the student
    named now or earlier in the conversation (or the defaults, saying they were assumed)."""

    def name(self) -> Text:
        return "action_answer_topic"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        kb = KNOWLEDGE.current()
        intent = latest_intent(tracker)
        careers = mentioned_careers(kb, tracker)
        country = current_country(kb, tracker)
        not_covered = next(iter(entity_values(tracker, "other_career")), None)
        career_id, said_as = careers[0] if careers else (known_career(kb, tracker), None)

        if intent.startswith(TOPIC_INTENT_PREFIX):
            topic_id = intent[len(TOPIC_INTENT_PREFIX) :]
        else:  # "what about phlebotomists?", "and in Canada?": the last topic, for the new career or country
            topic_id = follow_up_topic(tracker.get_slot("topic"), named_a_country=bool(country))

        if not_covered and not careers:  # "how much does a nurse make?": not about the career discussed
            career_id = None
        question = Question(topic_id, career_id=career_id, country_id=country, said_as=said_as, not_covered=not_covered)
        result = answer_question(kb, fact_index(kb), question, tracker.latest_message.get("text"))
        return say_answer(dispatcher, kb, result, topic_id, domain, career_id, country)


def say_answer(
    dispatcher: CollectingDispatcher,
    kb: KnowledgeBase,
    result: Answer,
    topic_id: Text,
    domain: Dict[Text, Any],
    career_id: Optional[Text],
    country: Optional[Text],
) -> List[Dict[Text, Any]]:
    """Send an answer with its buttons, and remember its topic, career and country."""
    if result.more_on is not None:
        topic_id = result.more_on.id
    dispatcher.utter_message(text=result.text, buttons=answer_buttons(kb, result, topic_id, domain))
    events = [SlotSet("topic", topic_id)]
    career_id = result.career_id if result.more_on is not None else career_id
    if career_id:
        events.append(SlotSet("career", career_id))
    if country:
        events.append(SlotSet("country", country))
    return events


class ActionAnswerSmallTalk(Action):
    """Goodbye and "are you a bot?": the usual reply, unless the message asks people for their
    experience or opinion ("anyone left and returned?", "are you as miserable as everyone says?",
    a forum question pasted in): that gets the honest pointer, as any opinion question does."""

    RESPONSES = {"goodbye": "utter_goodbye", "bot_challenge": "utter_iamabot"}

    def name(self) -> Text:
        return "action_answer_small_talk"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        kb = KNOWLEDGE.current()
        text = str(tracker.latest_message.get("text") or "")
        found = answer_small_talk(kb, fact_index(kb), text, country_id=current_country(kb, tracker))
        if found is not None:
            dispatcher.utter_message(text=found.text, buttons=menu_buttons(kb, domain))
            return []
        dispatcher.utter_message(response=self.RESPONSES.get(latest_intent(tracker), "utter_goodbye"))
        return []


class ActionSearchKnowledge(Action):
    """A message no intent matched with confidence, or one the NLU took for off-topic: searched
    against the whole knowledge file (bot.asking.search_answer). A close match is answered; else
    an honest pointer; else "didn't get that" (or "outside what I know") and the topics."""

    def name(self) -> Text:
        return "action_search_knowledge"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        kb = KNOWLEDGE.current()
        intent = latest_intent(tracker)
        careers = mentioned_careers(kb, tracker)
        career_id = careers[0][0] if careers else known_career(kb, tracker)
        country = current_country(kb, tracker)
        text = str(tracker.latest_message.get("text") or "")
        found = search_answer(kb, fact_index(kb), text, career_id=career_id, country_id=country)
        if found is None:
            dispatcher.utter_message(response="utter_out_of_scope" if intent == "out_of_scope" else "utter_fallback")
            offer_topics(dispatcher, kb, domain)
        elif found.more_on is None:  # a pointer: the topics follow it
            dispatcher.utter_message(text=found.text, buttons=menu_buttons(kb, domain))
        else:
            return say_answer(dispatcher, kb, found, found.more_on.id, domain, career_id, country)
        return []


def menu_topics(kb: KnowledgeBase, domain: Dict[Text, Any]) -> List[Topic]:
    intents = set(domain_intents(domain))
    return [t for t in topics_overview(kb) if topic_intent(t) in intents]


def menu_buttons(kb: KnowledgeBase, domain: Dict[Text, Any]) -> List[Dict[Text, Text]]:
    """A button for each menu topic, and one to compare the default career with its counterpart."""
    buttons = topic_buttons(menu_topics(kb, domain), domain)
    if COMPARE_INTENT in domain_intents(domain):
        buttons.append({"title": comparison_title(kb, *default_comparison(kb)), "payload": payload(COMPARE_INTENT)})
    return buttons


def offer_topics(dispatcher: CollectingDispatcher, kb: KnowledgeBase, domain: Dict[Text, Any]) -> None:
    """The topic menu: a sentence naming the topics, and a button for each."""
    dispatcher.utter_message(text=describe_topics(menu_topics(kb, domain)), buttons=menu_buttons(kb, domain))


class ActionCompareCareers(Action):
    """A side-by-side of two careers: the two named, or one named and the career under discussion
    (or its usual counterpart), or the career under discussion and its counterpart."""

    def name(self) -> Text:
        return "action_compare_careers"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        kb = KNOWLEDGE.current()
        named = [career_id for career_id, _ in mentioned_careers(kb, tracker)]
        first, second = comparison_pair(kb, named, known_career(kb, tracker))
        country = current_country(kb, tracker)
        text = tracker.latest_message.get("text")
        names = [str(v) for v in entity_values(tracker, "career")]
        result = answer_comparison(kb, fact_index(kb), (first, second), country, text, len(named), names)
        if result.more_on is not None:  # one fact answers the question itself
            return say_answer(dispatcher, kb, result, result.more_on.id, domain, result.career_id, country)
        dispatcher.utter_message(text=result.text, buttons=topic_buttons(result.follow_ups, domain))
        return [SlotSet("career", first)] + ([SlotSet("country", country)] if country else [])


class ActionOfferTopics(Action):
    """Lists what the bot can talk about, with a button for each menu topic (after a greeting, a
    help request, an out-of-scope or a not-understood message), then listens. It is also the
    policies' fallback action: without the explicit listen, an intent that lacks a rule made the
    fallback predict it again and again (the menu ten times in one reply)."""

    def name(self) -> Text:
        return "action_offer_topics"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        offer_topics(dispatcher, KNOWLEDGE.current(), domain)
        return [FollowupAction("action_listen")]
