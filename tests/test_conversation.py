"""Conversation decisions that are about careers (bot/conversation.py)."""

from __future__ import annotations

from bot.conversation import comparison_pair, comparison_title, default_comparison, follow_up_topic, same_career_names
from bot.knowledge_base import KnowledgeBase

MLT, MLS, PHLEB = "medical_laboratory_technician", "medical_laboratory_technologist", "phlebotomist"


def test_two_named_careers_are_compared(kb: KnowledgeBase) -> None:
    assert comparison_pair(kb, [PHLEB, MLS], MLT) == (PHLEB, MLS)


def test_one_named_career_is_compared_with_the_one_under_discussion(kb: KnowledgeBase) -> None:
    assert comparison_pair(kb, [PHLEB], MLT) == (PHLEB, MLT)


def test_without_a_career_under_discussion_the_counterpart_is_taken(kb: KnowledgeBase) -> None:
    assert comparison_pair(kb, [MLT], None) == (MLT, kb.career(MLT).compare_with)
    assert comparison_pair(kb, [], None) == (MLT, MLS) == default_comparison(kb)


def test_a_career_is_never_compared_with_itself(kb: KnowledgeBase) -> None:
    first, second = comparison_pair(kb, [MLT, MLT], None)
    assert first == MLT and second != MLT
    assert comparison_pair(kb, [], MLS)[0] == MLS and comparison_pair(kb, [], MLS)[1] != MLS


def test_a_bare_follow_up_keeps_the_topic_or_starts_where_it_makes_sense() -> None:
    assert follow_up_topic("salary", named_a_country=True) == "salary"
    assert follow_up_topic(None, named_a_country=False) == "duties"
    assert follow_up_topic(None, named_a_country=True) == "certification"


def test_comparison_titles_leave_out_the_shared_words(kb: KnowledgeBase) -> None:
    assert comparison_title(kb, *default_comparison(kb)) == "Technician vs technologist"
    assert comparison_title(kb, PHLEB, MLT) == "Phlebotomist vs medical laboratory technician"


def test_two_names_of_one_job_are_said_to_be_the_same_job(kb: KnowledgeBase) -> None:
    note = same_career_names(kb, ["medical laboratory scientist", "medical technologist"])
    assert note is not None and "two names for the same job, the medical laboratory technologist" in note
    assert same_career_names(kb, ["MLT", "MLS"]) is None  # two jobs
    assert same_career_names(kb, ["MLS", "mls"]) is None  # one name, said twice
    assert same_career_names(kb, ["medical laboratory scientist"]) is None
