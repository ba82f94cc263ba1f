"""Answers composed from the knowledge file: content, ordering of dated figures, sources, honesty."""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any, Callable, Dict

import pytest

from bot import answer_topic, describe_topics, load_knowledge, topics_overview
from bot.knowledge_base import KnowledgeBase

MLT = "medical_laboratory_technician"
CORE_TOPICS = ["duties", "education", "certification", "salary", "employers"]


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge()


def test_salary_leads_with_the_newest_figure_and_names_source_and_year(kb: KnowledgeBase) -> None:
    text = answer_topic(kb, "salary").text
    first_paragraph = text.split("\n\n")[0]
    assert "$60,290" in first_paragraph and "May 2024" in first_paragraph
    assert "Beacon Hill Career Training, 2025" in first_paragraph
    assert "could not confirm" in first_paragraph  # it is unconfirmed, and the answer says so


def test_salary_gives_the_newest_confirmed_bls_figure_after_an_unconfirmed_one(kb: KnowledgeBase) -> None:
    text = answer_topic(kb, "salary").text
    confirmed = text.split("\n\n")[1]
    assert confirmed.startswith("The newest confirmed figure")
    assert "$60,780" in confirmed and "May 2023" in confirmed
    assert "U.S. Bureau of Labor Statistics" in confirmed


def test_salary_keeps_older_figures_with_their_true_periods(kb: KnowledgeBase) -> None:
    text = answer_topic(kb, "salary").text
    assert "$57,800 (May 2021)" in text
    assert "$52,330 (May 2018)" in text
    # the seeds' mislabels are not repeated
    assert "2019 figures" not in text
    assert not re.search(r"average[^.]*57,800|57,800[^.]*average", text)


def test_figures_are_ordered_by_date_not_by_file_order(write_knowledge: Callable[..., Path]) -> None:
    def shuffle(data: Dict[str, Any]) -> None:
        facts = data["careers"][MLT]["topics"]["salary"]["facts"]
        random.Random(7).shuffle(facts)
        facts.reverse()

    text = answer_topic(load_knowledge(write_knowledge(shuffle)), "salary").text
    assert text.index("$60,290") < text.index("$60,780") < text.index("$57,800") < text.index("$52,330")


def test_no_confirmed_line_when_the_newest_figure_is_confirmed(write_knowledge: Callable[..., Path]) -> None:
    def confirm_all(data: Dict[str, Any]) -> None:
        for fact in data["careers"][MLT]["topics"]["salary"]["facts"]:
            fact.pop("confirmed", None)

    text = answer_topic(load_knowledge(write_knowledge(confirm_all)), "salary").text
    assert "newest confirmed" not in text
    assert "Earlier figures: $60,780 (May 2023), $57,800 (May 2021), $52,330 (May 2018)." in text


def test_outlook_does_not_present_healthcare_growth_as_lab_growth(kb: KnowledgeBase) -> None:
    text = answer_topic(kb, "outlook").text
    assert text.split("\n\n")[0].count("6%") == 1 and "2023-2033" in text
    assert "5%" in text and "2022-2032" in text
    assert "13%" in text and "all healthcare jobs, not lab technicians" in text


@pytest.mark.parametrize(
    "topic, must_contain",
    [
        ("duties", ["blood", "tissue", "body fluids", "diagnose"]),
        ("education", ["associate", "bachelor", "NAACLS", "certificate"]),
        ("certification", ["ASCP", "AMT", "MLT", "exam", "CSMLS", "Puerto Rico"]),
        ("employers", ["hospital", "diagnostic laborator", "doctors' offices"]),
    ],
)
def test_topic_answers_contain_the_key_facts(kb: KnowledgeBase, topic: str, must_contain: list) -> None:
    text = answer_topic(kb, topic).text
    for phrase in must_contain:
        assert phrase in text, phrase


@pytest.mark.parametrize("topic", CORE_TOPICS)
def test_every_answer_ends_with_its_sources_and_years(kb: KnowledgeBase, topic: str) -> None:
    answer = answer_topic(kb, topic)
    last = answer.text.split("\n\n")[-1]
    assert re.fullmatch(r"Sources?: .+\(\d{4}(, \d{4})*\)\.", last), last
    assert answer.found


@pytest.mark.parametrize("topic", CORE_TOPICS)
def test_answers_are_short_and_offer_follow_ups(kb: KnowledgeBase, topic: str) -> None:
    answer = answer_topic(kb, topic)
    body = answer.text.rsplit("\n\n", 1)[0]
    sentences_or_items = len(re.findall(r"[.!?](\s|$)", body))
    assert 2 <= sentences_or_items <= 9, sentences_or_items
    assert 2 <= len(answer.follow_ups) <= 3
    assert topic not in [t.id for t in answer.follow_ups]


def test_sources_line_merges_editions_of_the_same_work(kb: KnowledgeBase) -> None:
    last = answer_topic(kb, "education").text.split("\n\n")[-1]
    assert "Occupational Outlook Handbook (2024, 2022)" in last
    assert last.count("Occupational Outlook Handbook") == 1


def test_missing_topic_is_said_honestly(write_knowledge: Callable[..., Path]) -> None:
    kb = load_knowledge(write_knowledge(lambda d: d["careers"][MLT]["topics"].pop("employers")))
    answer = answer_topic(kb, "employers")
    assert not answer.found
    assert "don't have sourced information on who hires them" in answer.text
    assert "won't guess" in answer.text
    assert "$" not in answer.text
    assert [t.id for t in answer.follow_ups] == ["duties", "education", "certification"]


def test_unknown_topic_is_said_honestly(kb: KnowledgeBase) -> None:
    answer = answer_topic(kb, "astrology")
    assert not answer.found and "don't have sourced information" in answer.text


def test_topics_overview_and_description(kb: KnowledgeBase) -> None:
    topics = [t for t in topics_overview(kb) if t.id in CORE_TOPICS]
    assert [t.id for t in topics] == CORE_TOPICS
    sentence = describe_topics(topics)
    assert sentence.startswith("I can tell you about what the job involves day to day, ")
    assert "how much they earn and who hires them." in sentence
