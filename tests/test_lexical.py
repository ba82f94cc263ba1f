"""Word overlap between a question and the facts (bot.lexical): BM25 as its formula gives it, and,
added to the sentence vectors' cosine (bot.matching), the fact that uses the question's rarer
words leads among facts about as close in meaning."""

from __future__ import annotations

import math

import numpy as np
import pytest

import bot.matching
from bot.lexical import K1, B, LexicalIndex, terms
from bot.matching import FactIndex


def test_terms_leave_out_question_words_and_make_plurals_singular() -> None:
    assert terms("What are the MLT programs in Ontario?") == ["mlt", "program", "ontario"]
    assert terms("Is it the class or the classes? Specialties or a specialty?") == ["class"] * 2 + ["specialty"] * 2


def test_scores_are_bm25() -> None:
    documents = [["blood", "bank"], ["blood", "draw", "blood"], ["ontario", "regulator", "college", "exam"]]
    index = LexicalIndex([" ".join(d) for d in documents])
    average = sum(len(d) for d in documents) / 3

    def expected(term: str, document: list[str]) -> float:
        having = sum(term in d for d in documents)
        idf = math.log((3 - having + 0.5) / (having + 0.5) + 1)
        count = document.count(term)
        return idf * count * (K1 + 1) / (count + K1 * (1 - B + B * len(document) / average))

    got = index.scores("blood bank hours")
    want = [expected("blood", d) + expected("bank", d) for d in documents]
    assert got == pytest.approx(want, rel=1e-5)


def test_relative_scores_run_from_nothing_shared_to_the_best() -> None:
    index = LexicalIndex(["VisaScreen certificate", "certificates", "shift"])
    relative = index.relative_scores("Do I need a VisaScreen certificate?")
    assert relative[0] == pytest.approx(1.0) and 0 < relative[1] < 1 and relative[2] == 0
    assert not index.relative_scores("what is it?").any()  # question words only: no document is preferred


def test_ignored_words_count_in_neither_the_texts_nor_the_question() -> None:
    index = LexicalIndex(["salary in Australia", "Australia, Australia: how many work there"], ignored={"australia"})
    assert list(index.relative_scores("how much do they earn in Australia?")) == [0.0, 0.0]
    assert index.relative_scores("what salary?")[0] == pytest.approx(1.0)


def test_the_fact_using_the_questions_rarer_words_leads(index: FactIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    question = "what do I need to become a practising member of the SSMLT?"

    def best(weight: float) -> str:
        monkeypatch.setattr(bot.matching, "LEXICAL_WEIGHT", weight)
        query = index.encode(question)  # encoded again: the ranking keeps no score from the other weight
        return index.rank(query)[0].fact.text

    assert best(bot.matching.LEXICAL_WEIGHT).startswith("To become a Practicing member")
    assert not best(0.0).startswith("To become a Practicing member")  # meaning alone picks what SSMLT is


def test_the_word_share_comes_with_the_question(index: FactIndex) -> None:
    query = index.encode("what do I need to become a practising member of the SSMLT?")
    wordless = query._replace(words=np.zeros_like(query.words))  # the same meaning, no words shared
    assert index.rank(wordless)[0].score < index.rank(query)[0].score
    assert index.rank(wordless)[0].meaning == pytest.approx(index.rank(wordless)[0].score)
