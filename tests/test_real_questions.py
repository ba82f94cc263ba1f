"""The set of real questions (bot/knowledge/real_questions.yml) stays what it claims to be: each item a
question with the public page it was copied from and a theme, and the reply kinds are told apart."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from scripts.real_questions import SETS, is_direct, load, reply_kind

THEMES = {
    "licensing_by_state",
    "certification_routes",
    "programs",
    "physical_health",
    "the_work",
    "pay",
    "careers_around_the_lab",
    "canada_uk",
    "personal",
}


@pytest.mark.parametrize("path", SETS.values(), ids=SETS.keys())
def test_every_item_has_its_question_its_page_and_a_theme(path: Path) -> None:
    questions = load(path)
    # a held-out collection holds what unused stored pages are left: the tenth found 38 questions
    assert len(questions) >= (150 if path == SETS["tuning"] else 30)
    for item in questions:
        assert item["question"].strip() and item["url"].startswith(("http://", "https://")), item
        assert item["theme"] in THEMES and isinstance(item["answerable"], bool), item
    # at most 5 from one page in a collection; the tuning set joins two collections
    assert max(Counter(item["url"] for item in questions).values()) <= (10 if path == SETS["tuning"] else 5)


@pytest.mark.parametrize("path", SETS.values(), ids=SETS.keys())
def test_every_item_says_what_a_direct_answer_holds(path: Path) -> None:
    for item in load(path):
        # the facts a direct answer must contain (from the sources), or that only a pointer is honest
        assert ("expect" in item) != ("pointer" in item), item
        assert item["answerable"] == ("expect" in item), item
        assert all(isinstance(e, str) and e.strip() for e in item.get("expect", [])), item


def test_the_held_out_set_shares_no_question_with_the_tuning_set() -> None:
    tuning = {" ".join(q["question"].lower().split()) for q in load(SETS["tuning"])}
    assert not [q for q in load(SETS["heldout"]) if " ".join(q["question"].lower().split()) in tuning]


def test_a_direct_answer_holds_every_expected_fact_and_a_pointer_admits_it() -> None:
    licensing = {"question": "How long is the licensing process?", "expect": ["90 days", "150 days"]}
    assert is_direct(licensing, "About ...: processing averages 90 days but can take up to 150 days.")
    assert not is_direct(licensing, "About ...: processing averages 90 days.")
    cycle = {"question": "What happens if I skip CMP?", "expect": ["three year"]}
    assert is_direct(cycle, "ASCP certification is kept up in a three-year cycle.")  # hyphens and case aside
    assert not is_direct(cycle, "ASCP certification is kept up in a cycle of three.")
    outlook = {"question": "What is the job outlook?", "expect": ["5 percent"]}
    assert is_direct(outlook, "Jobs are projected to grow 5% from 2022-2032.")  # the sign is the word
    assert not is_direct(outlook, "Jobs are projected to grow 15% from 2022-2032.")
    opinion = {"question": "Do you like your job?", "pointer": "counselor"}
    assert is_direct(opinion, "I don't have a sourced answer to that exact question, so I won't guess. ...")
    assert not is_direct(opinion, "About medical laboratory technicians:\n\nMost work full time.")


def test_reply_kinds() -> None:
    assert reply_kind("Sorry, I didn't get that. Could you ask in other words?") == "not understood"
    assert reply_kind('"nurse" is outside what I know: I only cover ...') == "declined: other job"
    assert reply_kind("About phlebotomists:\n\nThey draw blood.") == "topic answer"
    assert reply_kind("I don't have sourced information on pay for cytotechnologists yet") == "nothing sourced"
    assert reply_kind("I don't have a sourced answer to that exact question, so I won't guess.") == "pointer"
