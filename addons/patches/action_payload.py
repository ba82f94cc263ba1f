"""What a custom action call sends the action server: the current turn's events, not the session's.

Rasa 3.6 sends the whole current session with every custom action call (up to
LAB_ADVISOR_SESSION_TURNS turns of events), serialised by the Rasa server and parsed by the action
server on every turn. This project's actions read only the latest message, the slots and the
latest intent (actions/actions.py), all of which the tracker state carries on its own; the
`events` list now holds the events since the student's latest message, so a call costs the same
early and late in a session. The rest of the request is as Rasa makes it.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

import rasa
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

RASAS_ACTION_CALL_FORMAT = RemoteAction._action_call_format  # kept for the tests to compare with


def events_of_this_turn(tracker: DialogueStateTracker) -> List[Event]:
    """The events from the student's latest message on (all of them if there is none)."""
    events = list(tracker.events)
    for index in range(len(events) - 1, -1, -1):
        if isinstance(events[index], UserUttered):
            return events[index:]
    return events


def _action_call_format(self: RemoteAction, tracker: DialogueStateTracker, domain: Domain) -> Dict[Text, Any]:
    """Rasa 3.6's `RemoteAction._action_call_format`, with this turn's events only."""
    state = tracker.current_state(EventVerbosity.NONE)
    state["events"] = [event.as_dict() for event in events_of_this_turn(tracker)]
    request: Dict[Text, Any] = {
        "next_action": self._name,
        "sender_id": tracker.sender_id,
        "tracker": state,
        "version": rasa.__version__,
    }
    if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(self.name()):
        request["domain"] = domain.as_dict()
    return request


def apply() -> None:
    RemoteAction._action_call_format = _action_call_format
