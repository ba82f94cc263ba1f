"""Speed-ups for Rasa 3.6's own hot paths, found by profiling (see BENCHMARKS.md).

`RemoteAction._validate_action_result` checks every action server response with
`jsonschema.validate(response, schema)`, which first validates the *schema itself* against the
JSON Schema meta-schema, on every custom action call. Under load that was 54% of the Rasa server's
CPU time. Here the response is checked against the same schema with a validator built once, so the
same responses are accepted and rejected, with the same error.

`Event.resolve_by_type` finds an event's class by walking every subclass of `Event`, for each
event read back from the tracker store (9% of the Rasa server's time once the above was fixed).
Here a type name's class is remembered after the first lookup; unknown names still go the original
way (and raise the same error).

Applied when the Rasa server loads this package's REST channel (credentials.yml).
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Text, Type

from jsonschema import ValidationError, validators
from jsonschema.exceptions import best_match
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event

_validator: Any = None
_original_resolve_by_type = Event.resolve_by_type
_event_classes: Dict[Text, Type[Event]] = {}


def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    global _validator
    if _validator is None:
        schema = RemoteAction.action_response_format_spec()
        _validator = validators.validator_for(schema)(schema)
    error = best_match(_validator.iter_errors(result))
    if error is None:
        return True
    assert isinstance(error, ValidationError)
    error.message += (
        f". Failed to validate Action server response from API, "
        f"make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


def _resolve_by_type(type_name: Text, default: Optional[Type[Event]] = None) -> Optional[Type[Event]]:
    found = _event_classes.get(type_name)
    if found is None:
        found = _original_resolve_by_type(type_name, default)
        if found is not None and found is not default:
            _event_classes[type_name] = found
    return found


def apply() -> None:
    """Install the speed-ups (idempotent)."""
    RemoteAction._validate_action_result = _validate_action_result
    Event.resolve_by_type = staticmethod(_resolve_by_type)
