"""What kind of reply a bot message is, told by the phrase it opens with: an answer, an honest "I
don't have that" with a pointer, or not understood. One list, read by the evaluation of real
questions (scripts/real_questions.py) and by the counselors' report (scripts/report.py). The
phrases come from bot.asking and bot.answers and from domain.yml's responses; tests/test_report.py
and tests/test_real_questions.py check that each still opens the reply it names.
"""

from __future__ import annotations

from typing import List, Tuple

KINDS: List[Tuple[str, str]] = [  # the first phrase a reply contains names its kind
    ("pointer", "I don't have a sourced answer"),
    ("not understood", "didn't get that"),
    ("out of scope", "I only answer questions about"),
    ("declined: other job", "is outside what I know"),
    ("nothing sourced", "I don't have sourced information"),
    ("try again", "can't look that up right now"),
    ("comparison", " vs "),
    ("topic answer", "About "),
    ("menu", "I can tell you about"),
]
HONEST = {"pointer", "nothing sourced", "declined: other job", "out of scope"}  # says it has no answer
NOT_ANSWERED = {"not understood", "out of scope", "try again"}  # the student got no answer at all
POINTED = {"pointer", "nothing sourced"}  # an honest "I don't have that", and where to look


def reply_kind(reply: str) -> str:
    return next((kind for kind, phrase in KINDS if phrase in reply), "other")
