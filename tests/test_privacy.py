"""Emails and phone numbers are removed from what a student types; figures are kept."""

from __future__ import annotations

import pytest

from bot.privacy import redact


@pytest.mark.parametrize(
    "typed, kept",
    [
        ("mail me at sam.lee+jobs@example.com please", "mail me at [email] please"),
        ("my school email is a.b@college.edu.au", "my school email is [email]"),
        ("call (555) 123-4567", "call [phone]"),
        ("text 555.123.4567 or 5551234567", "text [phone] or [phone]"),
        ("my number is +44 20 7946 0958", "my number is [phone]"),
        ("call 555-1234", "call [phone]"),
    ],
)
def test_emails_and_phone_numbers_are_replaced(typed: str, kept: str) -> None:
    assert redact(typed) == kept


@pytest.mark.parametrize(
    "typed",
    [
        "is $60,290 a year good?",
        "is 50k normal for lab techs",
        "median $29.22 an hour",
        "job growth 2024-2034",
        "i graduate in 2027 and i'm 17",
        "route 1 needs 60 semester hours",
        "zip code 90210",
    ],
)
def test_figures_students_type_are_kept(typed: str) -> None:
    assert redact(typed) == typed
