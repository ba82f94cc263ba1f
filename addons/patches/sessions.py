"""A conversation also starts a new session after LAB_ADVISOR_SESSION_TURNS turns, so a turn's cost
stays flat however long the conversation.

Rasa reads a conversation's current session from the tracker store on every turn, runs the policies
over it and sends it to the action server; all three grow with the session, and by default a
session ends only after 60 idle minutes. Measured on one conversation (scripts/bench.py): the median
turn went from 51 ms (turns 1-50) to 167 ms (turns 251-300). Nothing this assistant does looks back
further than the slots (career, country, topic), which a new session carries over
(`carry_over_slots_to_new_session` in domain.yml), so ending a session every N turns loses nothing a
student sees, and the earlier sessions stay in the store.

A new session carries over each slot's current value once. Rasa 3.6 copies every `SlotSet` of the
old session instead (tracker.applied_events()), copies included, so each session started with more
events than the last (880 after 280 turns) and turns still grew slower with the conversation.
"""

from __future__ import annotations

from typing import Dict, List

from rasa.core.actions.action import ActionSessionStart
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from stack.settings import current as current_settings

_original_has_session_expired = MessageProcessor._has_session_expired


def turns_in_session(tracker: DialogueStateTracker) -> int:
    """The student's turns since the current session started."""
    turns = 0
    for event in reversed(tracker.events):
        if isinstance(event, SessionStarted):
            break
        if isinstance(event, UserUttered):
            turns += 1
    return turns


def _has_session_expired(self: MessageProcessor, tracker: DialogueStateTracker) -> bool:
    if _original_has_session_expired(self, tracker):
        return True
    limit = current_settings().session_turns
    if limit <= 0 or not self.domain.session_config.are_sessions_enabled():
        return False
    return turns_in_session(tracker) >= limit


def current_slot_events(tracker: DialogueStateTracker) -> List[SlotSet]:
    """One `SlotSet` per slot: its latest value (with its metadata), in the order slots were first set."""
    latest: Dict[str, SlotSet] = {}
    for event in tracker.applied_events():
        if isinstance(event, SlotSet):
            latest[event.key] = event
    return [SlotSet(key=e.key, value=e.value, metadata=e.metadata) for e in latest.values()]


def apply() -> None:
    MessageProcessor._has_session_expired = _has_session_expired
    ActionSessionStart._slot_set_events_from_tracker = staticmethod(current_slot_events)
