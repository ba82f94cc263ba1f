"""What the assistant keeps of a student's message: email addresses and phone numbers are replaced
by placeholders before the message is understood or stored, because nothing it answers needs them.

    >>> redact("mail me at sam@example.com or call (555) 123-4567")
    'mail me at [email] or call [phone]'

Figures students type (pay such as $60,290 or 50k, years, year ranges such as 2024-2034) are kept.
"""

from __future__ import annotations

import re

EMAIL_PLACEHOLDER = "[email]"
PHONE_PLACEHOLDER = "[phone]"

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# A run of digits with the separators phone numbers use; judged by its digit count below.
PHONE_CANDIDATE = re.compile(r"(?<![\w$.,])\+?(?:\(\d+\)|\d)[\d\s().-]{5,}\d(?![\w,])")
YEAR_RANGE = re.compile(r"^(?:19|20)\d\d\s*-\s*(?:19|20)\d\d$")
MIN_PHONE_DIGITS, MAX_PHONE_DIGITS = 7, 15  # a local number .. the longest international one


def _phone_or_not(match: re.Match) -> str:
    text = match.group(0)
    digits = sum(c.isdigit() for c in text)
    if not MIN_PHONE_DIGITS <= digits <= MAX_PHONE_DIGITS or YEAR_RANGE.match(text.strip()):
        return text
    return PHONE_PLACEHOLDER


def redact(text: str) -> str:
    """The message with email addresses and phone numbers replaced by [email] and [phone]."""
    return PHONE_CANDIDATE.sub(_phone_or_not, EMAIL.sub(EMAIL_PLACEHOLDER, text))
