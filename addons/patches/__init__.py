"""Every change this project makes to Rasa's own code at run time, applied in one place.

`apply()` is called when a Rasa server loads the project's REST channel (credentials.yml):
- `speedups`: faster versions of two of Rasa's hot paths (same behaviour);
- custom actions that fail are recorded in the turn's `TurnOutcome`, so the REST channel can tell
  a turn that failed (answer "try again") from one that ended cleanly with nothing to say;
- `safe_logging`: request data cannot forge log lines;
- `sessions`: a conversation starts a new session every LAB_ADVISOR_SESSION_TURNS turns (slots kept),
  so a turn costs the same at turn 300 as at turn 3;
- `action_payload`: a custom action call sends the action server the current turn's events, not
  the whole session's.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from typing import Any, Awaitable, Optional, TypeVar

from rasa.core.actions.action import RemoteAction

from addons.patches import action_payload, safe_logging, sessions, speedups

T = TypeVar("T")


@dataclass
class TurnOutcome:
    failed: bool = False


_current_outcome: contextvars.ContextVar[Optional[TurnOutcome]] = contextvars.ContextVar(
    "lab_advisor_turn_outcome", default=None
)
_original_remote_run = RemoteAction.run


async def run_with_outcome(outcome: TurnOutcome, turn: Awaitable[T]) -> T:
    """Await a turn with `outcome` collecting what fails in it (run it as its own task)."""
    _current_outcome.set(outcome)
    return await turn


async def _recording_remote_run(self: RemoteAction, *args: Any, **kwargs: Any) -> Any:
    try:
        return await _original_remote_run(self, *args, **kwargs)
    except Exception:
        outcome = _current_outcome.get()
        if outcome is not None:
            outcome.failed = True
        raise


def apply() -> None:
    """Install every patch (idempotent)."""
    speedups.apply()
    sessions.apply()
    action_payload.apply()
    RemoteAction.run = _recording_remote_run
    safe_logging.install()
