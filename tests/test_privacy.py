"""Personal details are removed from what a student types; figures are kept."""

from __future__ import annotations

import doctest

import pytest

import bot.privacy
from bot.privacy import PERSONAL_DATA, redact, redact_strings


@pytest.mark.parametrize(
    "typed, kept",
    [
        ("mail me at sam.lee+jobs@example.com please", "mail me at [email] please"),
        ("my school email is a.b@college.edu.au", "my school email is [email]"),
        ("call (555) 123-4567", "call [phone]"),
        ("text 555.123.4567 or 5551234567", "text [phone] or [phone]"),
        ("my number is +44 20 7946 0958", "my number is [phone]"),
        ("call 555-1234", "call [phone]"),
        # followed by a comma or letters (the audit's cases)
        ("call me at 555-123-4567, thanks", "call me at [phone], thanks"),
        ("(555) 123-4567,", "[phone],"),
        ("5551234567,", "[phone],"),
        ("+1 555 123 4567,", "[phone],"),
        ("555-123-4567x89", "[phone]"),
        ("office 555-123-4567 ext. 204, ask for me", "office [phone], ask for me"),
        # Social Security and payment-card numbers
        ("my ssn is 123-45-6789, is that needed?", "my ssn is [ssn], is that needed?"),
        ("ssn 123 45 6789", "ssn [ssn]"),
        ("card 4111 1111 1111 1111 exp 12/29", "card [card] exp 12/29"),
        ("pay with 4111-1111-1111-1111.", "pay with [card]."),
        ("amex 378282246310005", "amex [card]"),
    ],
)
def test_personal_details_are_replaced(typed: str, kept: str) -> None:
    assert redact(typed) == kept


@pytest.mark.parametrize(
    "typed",
    [
        "is $61,890 a year good?",
        "is $61,890, or more, normal?",
        "1,234,567",
        "the population is 1,234,567, right?",
        "is 50k normal for lab techs",
        "median $29.22 an hour",
        "job growth 2024-2034",
        "i graduate in 2027 and i'm 17",
        "route 1 needs 60 semester hours",
        "zip code 90210",
        "between 50,000 and 60,000 a year",
        "4111 1111 1111 1112 is not a card number (fails the Luhn check)",
    ],
)
def test_figures_students_type_are_kept(typed: str) -> None:
    assert redact(typed) == typed


def test_every_kind_has_its_own_placeholder() -> None:
    placeholders = [kind.placeholder for kind in PERSONAL_DATA]
    assert len(set(placeholders)) == len(placeholders) == 4


def test_redact_strings_reaches_every_string_in_nested_data() -> None:
    data = {"text": "call 555-123-4567", "entities": [{"value": "a@b.org"}], "n": 3, "ok": None}
    assert redact_strings(data) == {"text": "call [phone]", "entities": [{"value": "[email]"}], "n": 3, "ok": None}


def test_the_module_examples_run() -> None:
    result = doctest.testmod(bot.privacy)
    assert result.attempted >= 1 and result.failed == 0
