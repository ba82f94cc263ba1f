"""What the REST webhook accepts: one small JSON object `{"sender": "...", "message": "..."}`, sent
as application/json. Everything else is refused with a status and a sentence saying what is wrong,
before any of it reaches Rasa, the tracker store or a log.

Plain Python (no Rasa import), so the rules are unit-tested in milliseconds.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from typing import Optional, Union

MAX_MESSAGE_CHARS = 2000  # the widget's own limit (web/lab-career-advisor.js, characterLimit)
MAX_BODY_BYTES = 64 * 1024  # a 2,000-character message and the longest sender, escaped, fit easily
MAX_NESTING = 16  # brackets inside brackets; the object itself is one
ALLOWED_WHITESPACE = "\t\n\r"  # the only control characters a message may hold
SHAPE = '{"sender": "<conversation id>", "message": "<text>"}'


@dataclass(frozen=True)
class Turn:
    """A well-formed request: who is talking and what they said (as typed)."""

    sender: str
    message: str


@dataclass(frozen=True)
class Rejection:
    status: int
    problem: str

    @property
    def error(self) -> str:
        return f"Bad request: {self.problem}." if self.status == 400 else self.problem


def _nesting_depth(raw: bytes) -> int:
    """How deeply brackets nest in a JSON text, not counting brackets inside strings."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def _too_deep(raw: bytes) -> bool:
    if raw.count(b"[") + raw.count(b"{") <= MAX_NESTING:  # the common case, counted in C
        return False
    return _nesting_depth(raw) > MAX_NESTING


def _unsafe_character(text: str, allowed: str = "") -> Optional[str]:
    """A description of the first control character or lone surrogate in `text`, if any."""
    for char in text:
        if char in allowed:
            continue
        if 0xD800 <= ord(char) <= 0xDFFF:
            return f"a lone surrogate (U+{ord(char):04X})"
        if unicodedata.category(char) == "Cc":
            return f"a control character (U+{ord(char):04X})"
    return None


def is_json_media_type(content_type: Optional[str]) -> bool:
    return (content_type or "").split(";", 1)[0].strip().lower() == "application/json"


def read_turn(raw: bytes, content_type: Optional[str], max_sender_chars: int) -> Union[Turn, Rejection]:
    """The turn a webhook request asks for, or why it is refused."""
    if not is_json_media_type(content_type):
        return Rejection(415, f"Unsupported media type: send the body as Content-Type: application/json, {SHAPE}")
    if len(raw) > MAX_BODY_BYTES:
        return Rejection(413, f"Request too large: the body may be at most {MAX_BODY_BYTES} bytes")
    if _too_deep(raw):
        return Rejection(400, f"the body nests more than {MAX_NESTING} levels deep; send {SHAPE}")
    try:
        body = json.loads(raw or b"")
    except (ValueError, UnicodeDecodeError, RecursionError):
        return Rejection(400, f"the body must be JSON: {SHAPE}")
    if not isinstance(body, dict):
        return Rejection(400, f"the body must be a JSON object: {SHAPE}")
    sender, message = body.get("sender"), body.get("message")
    if not isinstance(sender, str) or not sender.strip():
        return Rejection(400, '"sender" must be a non-empty string that identifies the conversation')
    if len(sender) > max_sender_chars:
        return Rejection(400, f'"sender" must be at most {max_sender_chars} characters')
    unsafe = _unsafe_character(sender)
    if unsafe:
        return Rejection(400, f'"sender" must not contain {unsafe}')
    if not isinstance(message, str):
        return Rejection(400, '"message" must be a string')
    if len(message) > MAX_MESSAGE_CHARS:
        return Rejection(400, f'"message" must be at most {MAX_MESSAGE_CHARS} characters (it has {len(message)})')
    unsafe = _unsafe_character(message, ALLOWED_WHITESPACE)
    if unsafe:
        return Rejection(400, f'"message" must not contain {unsafe}')
    return Turn(sender, message)
