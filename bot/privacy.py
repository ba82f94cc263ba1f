"""What the assistant keeps of a student's message: personal details are replaced by placeholders
before the message is understood or stored, because nothing it answers needs them.

    >>> redact("mail me at sam@example.com or call (555) 123-4567, thanks")
    'mail me at [email] or call [phone], thanks'

`PERSONAL_DATA` is the one list of what is removed (the README and the widget's privacy note
describe it): email addresses, payment-card numbers (Luhn-checked), US Social Security numbers and
phone numbers, extensions included. Figures students type are kept: pay such as $60,290 or 50k,
1,234,567, years and year ranges such as 2024-2034 (a comma stops a number only where it is a
thousands separator).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, List, Pattern

# Not inside a word or a figure: no letter, digit, "$" or "." just before, and no "1," (a thousands
# separator) either. After: no letter or digit, and no ",2" (the comma of a larger figure).
_START = r"(?<![\w$.])(?<!\d,)"
_END = r"(?![\w]|,\d)"
_EXTENSION = r"(?:\s*(?:x|ext\.?|extension)\s*\d{1,6})?"


def _luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _card_number(text: str) -> bool:
    digits = re.sub(r"\D", "", text)
    return 13 <= len(digits) <= 19 and _luhn_valid(digits)


def _phone_number(text: str) -> bool:
    digits = sum(c.isdigit() for c in re.split(r"(?i)x|ext", text)[0])
    year_range = re.fullmatch(r"(?:19|20)\d\d\s*-\s*(?:19|20)\d\d", text.strip())
    return 7 <= digits <= 15 and not year_range  # a local number .. the longest international one


@dataclass(frozen=True)
class PersonalData:
    """One kind of personal detail: how to find candidates, and which candidates really are one."""

    name: str
    placeholder: str
    pattern: Pattern[str]
    is_one: Callable[[str], bool] = lambda text: True


PERSONAL_DATA: List[PersonalData] = [
    PersonalData(
        "email address", "[email]", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
    ),
    PersonalData("payment-card number", "[card]", re.compile(_START + r"\d(?:[ -]?\d){12,18}" + _END), _card_number),
    PersonalData("US Social Security number", "[ssn]", re.compile(_START + r"\d{3}([- ])\d{2}\1\d{4}" + _END)),
    PersonalData(
        "phone number",
        "[phone]",
        re.compile(_START + r"\+?(?:\(\d+\)|\d)[\d\s().-]{5,}\d" + _EXTENSION + _END, re.IGNORECASE),
        _phone_number,
    ),
]


def redact(text: str) -> str:
    """The message with every kind of `PERSONAL_DATA` replaced by its placeholder."""
    for kind in PERSONAL_DATA:
        text = kind.pattern.sub(_replacer(kind), text)
    return text


def _replacer(kind: PersonalData) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        return kind.placeholder if kind.is_one(match.group(0)) else match.group(0)

    return replace


def redact_strings(value: Any) -> Any:
    """A copy of JSON-like data (dicts, lists, strings, numbers) with every string redacted."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: redact_strings(item) for key, item in value.items()}
    if isinstance(value, list):
        return [redact_strings(item) for item in value]
    return value
