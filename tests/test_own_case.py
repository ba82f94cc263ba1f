"""The own-case detector (bot.own_case): questions only the asker's own situation can answer are told
apart from factual ones, it is fitted as scikit-learn fits the same model, its labelled questions
are validated like the knowledge file, and such a question gets an honest pointer, not facts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from bot import Question
from bot.asking import OWN_CASE, answer_question, asks_for_opinion
from bot.knowledge_base import KnowledgeBase
from bot.loader import KnowledgeFileError
from bot.matching import FactIndex
from bot.own_case import ASKED_FILE, check_asked, fit_logistic, load_asked
from bot.sentence_encoder import DEFAULT_CACHE_DIR, shared_encoder

# not in the labelled set, and no phrase of bot.asking's marks them as asking for an opinion
OWN_CASE_QUESTIONS = [
    "I'm 34 with two kids and work nights, can I realistically finish a lab program while keeping my job?",
    "My manager keeps scheduling me for doubles and I am exhausted, how do I bring this up with her?",
]
FACTUAL_QUESTIONS = [
    "How many continuing education hours does a California clinical laboratory scientist need every two years?",
    "What is the passing score on the ASCP board of certification exam for medical laboratory scientists?",
    "How long does a medical laboratory technician associate degree program usually take to complete?",
    "Which US states require a state license for clinical laboratory personnel to work in a lab?",
]


def test_questions_on_ones_own_case_are_told_apart_from_factual_ones(index: FactIndex) -> None:
    assert not any(asks_for_opinion(q) for q in OWN_CASE_QUESTIONS)
    assert all(index.own_case(index.encode(q)) >= OWN_CASE for q in OWN_CASE_QUESTIONS)
    assert all(index.own_case(index.encode(q)) < OWN_CASE for q in FACTUAL_QUESTIONS)


def test_a_question_on_ones_own_case_gets_an_honest_pointer(kb: KnowledgeBase, index: FactIndex) -> None:
    reply = answer_question(kb, index, Question("work_environment"), OWN_CASE_QUESTIONS[1]).text
    assert reply.startswith("I don't have a sourced answer") and "counselor" in reply


def test_a_question_on_ones_own_case_with_a_factual_part_gets_the_facts_after_the_honest_part(
    kb: KnowledgeBase, index: FactIndex
) -> None:
    # no phrase marks it: the detector does; whether *this* student gets in is theirs to find out,
    # what programs ask of applicants is sourced
    text = "I'm in my thirties and I failed chemistry once, can I still get into an MLT program?"
    assert not asks_for_opinion(text) and index.own_case(index.encode(text)) >= OWN_CASE
    reply = answer_question(kb, index, Question("education"), text).text
    honest, facts = reply.split("What the sources do say:")
    assert honest.startswith("I don't have a sourced answer") and "counselor" in honest
    assert "chemistry" in facts and "Source" in facts


def test_a_factual_question_still_gets_its_facts(kb: KnowledgeBase, index: FactIndex) -> None:
    reply = answer_question(kb, index, Question("certification"), FACTUAL_QUESTIONS[0]).text
    assert "I don't have a sourced answer" not in reply and "hours" in reply


def test_an_index_without_labelled_questions_detects_nothing(kb: KnowledgeBase) -> None:
    bare = FactIndex(kb, shared_encoder(), cache_dir=DEFAULT_CACHE_DIR, asked=[])
    assert bare.own_case(bare.encode(OWN_CASE_QUESTIONS[1])) == 0.0


def test_the_fit_is_scikit_learns_logistic_regression() -> None:
    rng = np.random.default_rng(7)
    points = rng.normal(size=(200, 5))
    labels = (points @ np.array([1.0, -2.0, 0.5, 0.0, 1.5]) + rng.normal(scale=0.8, size=200) > 0.3).astype(float)
    ours = fit_logistic(np.hstack([points, np.ones((200, 1))]), labels, strength=1.0)
    theirs = LogisticRegression(C=1.0, tol=1e-10, max_iter=10_000).fit(points, labels)
    assert np.allclose(ours[:-1], theirs.coef_[0], atol=1e-5)
    assert ours[-1] == pytest.approx(theirs.intercept_[0], abs=1e-5)


def test_the_shipped_labelled_questions_load() -> None:
    asked = load_asked(ASKED_FILE)
    assert len(asked) > 500 and any(q.answerable for q in asked) and not all(q.answerable for q in asked)
    ok, message = check_asked(ASKED_FILE)  # what `python -m bot` (make validate) prints
    assert ok and f"{len(asked)} labelled questions" in message


def test_the_command_line_check_names_what_is_wrong(tmp_path: Path) -> None:
    path = tmp_path / "asked.yml"
    path.write_text("questions:\n- {question: 'is it hard?'}\n", encoding="utf-8")
    ok, message = check_asked(path)
    assert not ok and "questions[0], field 'answerable'" in message


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("questions: []\n", "field 'questions'"),
        (
            "questions:\n- {question: 'is it hard?', answerable: true}\n- {question: 'and pay?'}\n",
            "questions[1], field 'answerable'",
        ),
        ("questions:\n- {question: '', answerable: true}\n", "questions[0], field 'question'"),
        ("questions:\n- {question: 'a', answerable: true}\n- {question: 'b', answerable: true}\n", "both answerable"),
        ("questions: [\n", "not valid YAML"),
    ],
)
def test_a_malformed_labelled_file_is_rejected_naming_entry_and_field(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "asked.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeFileError) as raised:
        load_asked(path)
    assert str(path) in str(raised.value) and problem in str(raised.value)
