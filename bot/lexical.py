"""Which facts share a question's rarer words (Okapi BM25 over the facts' texts).

The sentence encoder (bot.sentence_encoder) reads a question's meaning, but weighs a rare, decisive
word ("VisaScreen", "fingerprinting", "Route 2", "Saskatchewan") no more than any other: a fact
that says the same kind of thing about something else can outrank the one that names what was
asked. `bot.matching` adds a small share of this score to each fact's cosine, so among facts about
as close in meaning, the one that uses the question's own rare words leads.

Only the facts' texts are indexed, not their `answers` (phrasings written while tuning the bot on
real questions, whose words would echo those questions back). Plain Python and NumPy; an index of
the whole file builds in well under a second and scores a question in about a millisecond.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import AbstractSet, Dict, List, Sequence, Tuple

import numpy as np
from numpy.typing import NDArray

K1 = 1.2  # BM25's term-frequency saturation
B = 0.75  # ... and its document-length normalization
_WORD = re.compile(r"[a-z0-9]+")
# words that say nothing about which fact answers: question words, pronouns, auxiliaries
_STOP_TEXT = (
    "a an the of to in on for and or is are was be do does did i my me you your it its can could would "
    "should will what which who how when where why with as at by from that this there their they them if "
    "so not no yes any have has had get got than then about into out up just also more most much many "
    "some such only very am we our us been being"
)
_STOP_WORDS = frozenset(_STOP_TEXT.split())


def terms(text: str, ignored: AbstractSet[str] = frozenset()) -> List[str]:
    """The words of `text` that count: lower case, no stop words (nor `ignored`), plurals made singular."""
    found = []
    for word in _WORD.findall(text.lower()):
        if word in _STOP_WORDS:
            continue
        word = _singular(word)
        if word not in ignored:
            found.append(word)
    return found


def _singular(word: str) -> str:
    """A plural's singular, by its ending alone ("classes", "specialties", "shifts"); "ss" and short
    words ("bus", "was") stay."""
    if len(word) <= 3 or not word.endswith("s") or word.endswith("ss"):
        return word
    if word.endswith("sses"):
        return word[:-2]
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    return word[:-1]


class LexicalIndex:
    """BM25 scores of a question against a list of documents (the facts' texts, in statement order)."""

    def __init__(self, documents: Sequence[str], ignored: AbstractSet[str] = frozenset()) -> None:
        """`documents`: the texts to score (an empty one never scores); `ignored`: words that do not
        count, in them or in a question (the countries' names: the country asked about is settled
        by name, and "Australia" would favour any short fact that says it twice)."""
        self.ignored = frozenset(ignored)
        with_term: Dict[str, List[Tuple[int, int]]] = {}  # each term's documents, and its count in each
        lengths = np.zeros(len(documents), dtype=np.float64)
        for number, document in enumerate(documents):
            counts = Counter(terms(document, self.ignored))
            lengths[number] = sum(counts.values())
            for term, count in counts.items():
                with_term.setdefault(term, []).append((number, count))
        self.size = len(documents)
        average = float(lengths.mean()) if self.size and lengths.mean() > 0 else 1.0
        # each term's documents and its BM25 weight in each, one run per term in two flat arrays (a
        # pair of small arrays per term would cost the action server megabytes): a question's score
        # is a sum over its terms' runs
        self._runs: Dict[str, Tuple[int, int]] = {}
        numbers: List[int] = []
        weights: List[float] = []
        for term, found in with_term.items():
            idf = math.log((self.size - len(found) + 0.5) / (len(found) + 0.5) + 1.0)
            self._runs[term] = (len(numbers), len(numbers) + len(found))
            for number, count in found:
                saturated = count * (K1 + 1) / (count + K1 * (1 - B + B * lengths[number] / average))
                numbers.append(number)
                weights.append(idf * saturated)
        self._numbers = np.array(numbers, dtype=np.int32)
        self._weights = np.array(weights, dtype=np.float32)

    def scores(self, question: str) -> NDArray[np.float32]:
        """Each document's BM25 score for the question's terms (each term counted once)."""
        total = np.zeros(self.size, dtype=np.float32)
        for term in set(terms(question, self.ignored)):
            run = self._runs.get(term)
            if run is not None:
                total[self._numbers[run[0] : run[1]]] += self._weights[run[0] : run[1]]
        return total

    def relative_scores(self, question: str) -> NDArray[np.float32]:
        """`scores` divided by the best one: 1 for the document sharing most, 0 for one sharing none."""
        total = self.scores(question)
        best = float(total.max()) if self.size else 0.0
        return total / best if best > 0 else total
