"""Which facts answer a question, ranked by meaning.

Every fact is indexed under its own text and under the questions it says it answers (`answers:` in
the knowledge file); a question's score for a fact is its best cosine similarity to any of them,
with sentence vectors from `bot.sentence_encoder` (or any object with the same `encode`). The
vectors are computed once per version of the knowledge file: kept in memory, and on disk when a
cache folder is given, under a name made from the file's content, so a restarted action server or
a second one does not compute them again. The labelled real questions the own-case detector
(`bot.own_case`) learns from are encoded and cached with them, and it is fitted when the index is.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional, Protocol, Sequence, Tuple, Union

import numpy as np
from numpy.typing import NDArray

from bot.knowledge_base import KnowledgeBase
from bot.lexical import LexicalIndex, terms
from bot.own_case import AskedQuestion, OwnCaseDetector, load_asked
from bot.schema import TYPOGRAPHIC_APOSTROPHES, Fact, Pointer, names_pattern
from bot.sentence_encoder import MODEL_PACKAGE, Vectors

logger = logging.getLogger(__name__)

# Where the action server, the tests and the benchmark keep computed fact vectors (git ignores it).
OTHER_COUNTRY_PENALTY = 0.04  # a fact for another country than the one in question must match clearly better
SHARED_FACT_PENALTY = 0.08  # a fact filed under another career (`also_for`) leads only a clear call
OTHER_TOPIC_PENALTY = 0.04  # a fact under another topic than the one the question was classed in
# how many matches a ranking returns: an answer reads its first few (and those of one career or
# country among them), and making a match for each of the file's ~2,300 entries was most of a
# ranking's cost; the same replies to every real and end-to-end question as a full ranking
RANKED = 100
# how much sharing the question's rarer words (bot.lexical) adds to a fact's cosine: the fact that
# shares most gains this much, one that shares none nothing; it reorders facts about as close in
# meaning ("can I use VisaScreen?"), not a close match and a loose one
LEXICAL_WEIGHT = 0.08
# a fact about a state or province (it names one or two of the file's `regions`; a list of more is
# about them all) matches a question naming other regions this much less, which leaves it below
# every bar: "how do I register as an MLT in Quebec?" is never answered with Ontario's rules (at
# 0.10 it still was, as the career's one Canadian registration fact), nor a Texas question with
# California's. Tuning, held-out and e2e figures are the same at 0, 0.10 and 1.0.
OTHER_REGION_PENALTY = 1.0
REGIONAL_FACT_MAX = 2


class Encoder(Protocol):
    def encode(self, texts: Sequence[str]) -> Vectors: ...


@dataclass(frozen=True)
class Located:
    """A fact and where it sits (the career and topic it answers), or a pointer (`pointer_id`)."""

    fact: Union[Fact, Pointer]
    career_id: Optional[str]
    topic_id: Optional[str]
    pointer_id: Optional[str] = None
    shared: bool = False  # filed under another career, and holds for this one too (`also_for`)

    @property
    def is_detail(self) -> bool:
        """Whether it answers only specific questions: not part of this career's topic overview."""
        return isinstance(self.fact, Fact) and (self.fact.detail or self.shared)


class Query(NamedTuple):
    """A question as the ranking reads it (`FactIndex.encode` makes it): its vector, its share of
    each statement's rarer words (bot.lexical), and the regions it names (as columns of
    `FactIndex._about_region`)."""

    vector: Vectors
    words: NDArray[np.float32]
    regions: Tuple[int, ...]


class Match(NamedTuple):
    """A fact (or pointer) and how closely it matches a question. A tuple, not a dataclass: a
    ranking makes one for each of its best entries (RANKED), several times a turn."""

    located: Located
    score: float  # what ranks it: its closeness in meaning, plus its share of the question's rarer words
    meaning: float  # its closeness in meaning alone (the cosine, less the same penalties): for the bars
    # that tell whether a fact answers at all ("is this about lab careers?"), calibrated on it

    @property
    def fact(self) -> Union[Fact, Pointer]:
        return self.located.fact

    @property
    def fit(self) -> float:
        """How closely it answers the question: its score before the penalty that ranks a shared
        fact behind the career's own (a fact that holds for the career answers it as well)."""
        return self.score + (SHARED_FACT_PENALTY if self.located.shared else 0.0)


class FactIndex:
    """The knowledge file's facts and pointers as sentence vectors, searchable by a question."""

    def __init__(
        self,
        kb: KnowledgeBase,
        encoder: Encoder,
        cache_dir: Optional[Path] = None,
        asked: Optional[Sequence[AskedQuestion]] = None,
    ) -> None:
        """`asked`: the labelled questions the own-case detector learns from (default: the shipped
        set, `bot.own_case.ASKED_FILE`; none, no detector)."""
        self.kb = kb
        self.encoder = encoder
        self._career_names = _career_names_pattern(kb)
        self.entries: List[Located] = _locate(kb)
        # a fact shared with other careers (`also_for`) has an entry for each, but its keys once
        statement_of: Dict[int, int] = {}
        for located in self.entries:
            statement_of.setdefault(id(located.fact), len(statement_of))
        keys: List[str] = []
        owners: List[int] = []
        for located in self.entries:
            number = statement_of[id(located.fact)]
            if not owners or owners[-1] < number:  # the fact's first entry (they come in order)
                for key in [located.fact.text, *located.fact.answers]:
                    keys.append(self.neutral(key))
                    owners.append(number)
        self._entry_statement = np.array([statement_of[id(e.fact)] for e in self.entries], dtype=np.int64)
        texts = [""] * len(statement_of)  # each statement's words; a pointer's none (pointers are not worded alike)
        for located in self.entries:
            if located.pointer_id is None:
                texts[statement_of[id(located.fact)]] = self.neutral(located.fact.text)
        countries = {word for c in kb.country_ids() for word in terms(kb.country(c).name)}
        self._lexical = LexicalIndex(texts, ignored=countries)
        self._region_column = {region: i for i, region in enumerate(kb.region_ids())}
        self._about_region = np.zeros((len(statement_of), len(self._region_column)), dtype=bool)
        for located in self.entries:
            regions = kb.regions_named(located.fact.text)
            if len(regions) <= REGIONAL_FACT_MAX:
                columns = [self._region_column[r] for r in regions]
                self._about_region[statement_of[id(located.fact)], columns] = True
        self._regional = self._about_region.any(axis=1)
        # each topic as a general question ("how much they earn"): what a topic's overview answers
        self._topic_rows: Dict[str, List[int]] = {}
        for topic in kb.topics():
            general = [topic.about, topic.title, *topic.asks]
            self._topic_rows[topic.id] = list(range(len(keys), len(keys) + len(general)))
            keys += general
        asked = load_asked() if asked is None else asked
        first_asked = len(keys)
        keys += [self.neutral(q.text) for q in asked]
        self._vectors = _cached_vectors(keys, encoder, cache_dir)
        self._fact_vectors = self._vectors[: len(owners)]
        # each fact's keys are consecutive rows: its score is the best over its run of rows
        self._first_rows = np.searchsorted(np.array(owners, dtype=np.int64), np.arange(len(statement_of)))
        self._is_pointer = np.array([e.pointer_id is not None for e in self.entries])
        self._shared_penalty = np.array([SHARED_FACT_PENALTY if e.shared else 0.0 for e in self.entries], np.float32)
        self._codes: Dict[Optional[str], int] = {None: 0}  # careers, topics and countries as numbers: fast to compare
        self._careers = self._coded([e.career_id for e in self.entries])
        self._topics = self._coded([e.topic_id for e in self.entries])
        self._countries = self._coded([e.fact.country for e in self.entries])
        # the latest question's score for each fact: a turn ranks one question several times
        # (the facts, the pointers, the closest pointer), and the product over every row of the
        # file is most of a ranking's cost
        self._latest: Optional[tuple[Query, NDArray[np.float32], NDArray[np.float32]]] = None
        # the statements that are facts, not pointers (the pointers' entries come last)
        self._facts_only = len(statement_of) - int(self._is_pointer.sum())
        self._own_case = self._learn_own_case(asked, self._vectors[first_asked:]) if asked else None

    def encode(self, text: str) -> Query:
        """A question as the ranking reads it: its vector, its rarer words, the regions it names."""
        return self.encode_each([text])[0]

    def encode_each(self, texts: Sequence[str]) -> List[Query]:
        """Several questions (`encode`), their vectors computed in one pass of the encoder."""
        neutral = [self.neutral(t) for t in texts]
        vectors: Vectors = self.encoder.encode(neutral)
        return [
            Query(
                vector,
                self._lexical.relative_scores(text),
                tuple(sorted(self._region_column[r] for r in self.kb.regions_named(text))),
            )
            for text, vector in zip(neutral, vectors, strict=True)
        ]

    def names_a_career(self, text: str) -> bool:
        """Whether the text names a career ("MLS", "lab techs")."""
        return bool(self._career_names.search(TYPOGRAPHIC_APOSTROPHES.sub("'", text)))

    def neutral(self, text: str) -> str:
        """The text without career names: which career is asked about is settled by name
        (bot.knowledge_base), so it must not decide which fact matches; "where do lab techs get
        jobs" then no longer matches "where do lab techs earn the most" for sharing "lab techs"."""
        plain = TYPOGRAPHIC_APOSTROPHES.sub("'", text)
        return " ".join(self._career_names.sub(" ", plain).split()) or text

    def rank(
        self,
        question: Query,
        *,
        careers: Optional[Sequence[str]] = None,
        topic_id: Optional[str] = None,
        prefer_topic: Optional[str] = None,
        country_id: Optional[str] = None,
        pointers: bool = False,
        strict_country: bool = False,
        best: Optional[int] = RANKED,
    ) -> List[Match]:
        """The facts (or, with `pointers`, the pointers) that answer `question` (a `Query` from
        `encode`), best first: within the careers and topic given; a fact under another topic than
        `prefer_topic` (the one the question was classed in) counts a little less; so does a fact
        for another country than `country_id`, so the country in question leads a close call, or,
        with `strict_country` (the student named the country), is left out. Only the `best` few
        (None: all), as an answer reads no further than its first matches."""
        by_meaning, by_fact = self._scores_by_fact(question)
        keep = self._is_pointer == pointers
        if careers is not None:
            keep &= np.isin(self._careers, [self._codes.get(c, -1) for c in careers])
        if topic_id is not None:
            keep &= self._topics == self._codes.get(topic_id, -1)
        penalty = self._shared_penalty.copy()
        if prefer_topic is not None:
            penalty += (self._topics != self._codes.get(prefer_topic, -1)) * np.float32(OTHER_TOPIC_PENALTY)
        if country_id:
            elsewhere = (self._countries != 0) & (self._countries != self._codes.get(country_id, -1))
            if strict_country:
                keep &= ~elsewhere
            else:
                penalty += elsewhere * np.float32(OTHER_COUNTRY_PENALTY)
        scores = by_fact[self._entry_statement] - penalty
        meanings = by_meaning[self._entry_statement] - penalty
        kept = np.flatnonzero(keep)
        if best is not None and len(kept) > best:
            # the best few, in file order so that ties rank as in a full sort
            kept = np.sort(kept[np.argpartition(-scores[kept], best - 1)[:best]])
        best_first = kept[np.argsort(-scores[kept], kind="stable")]
        entries = self.entries
        rows = zip(best_first.tolist(), scores[best_first].tolist(), meanings[best_first].tolist(), strict=True)
        return [Match(entries[i], score, meaning) for i, score, meaning in rows]

    def own_case(self, question: Query) -> float:
        """How likely `question` is one only the asker's own situation can answer (`bot.own_case`);
        0 without a detector."""
        if self._own_case is None:
            return 0.0
        return self._own_case.probability(question.vector, self.best_fact_score(question))

    def best_fact_score(self, question: Query) -> float:
        """The closest in meaning any fact (not a pointer) comes to `question`, whatever its career
        or topic (its cosine alone: what the own-case detector learned from)."""
        return float(np.max(self._scores_by_fact(question)[0][: self._facts_only]))

    def _learn_own_case(self, asked: Sequence[AskedQuestion], vectors: Vectors) -> OwnCaseDetector:
        best = self._by_statement(self._fact_vectors @ vectors.T)[: self._facts_only].max(axis=0)
        return OwnCaseDetector.learn(vectors, best.tolist(), [q.answerable for q in asked])

    def _scores_by_fact(self, query: Query) -> Tuple[NDArray[np.float32], NDArray[np.float32]]:
        """Each fact's (and pointer's) best cosine over its keys, less OTHER_REGION_PENALTY for a
        fact about another region than the question names, and that plus its share of the
        question's rarer words (LEXICAL_WEIGHT), for the latest question kept."""
        latest = self._latest
        if latest is not None and latest[0] is query:
            return latest[1], latest[2]
        by_meaning = self._by_statement(self._fact_vectors @ query.vector).astype(np.float32)
        if query.regions:
            elsewhere = self._regional & ~self._about_region[:, list(query.regions)].any(axis=1)
            by_meaning -= elsewhere * np.float32(OTHER_REGION_PENALTY)
        by_fact = by_meaning + np.float32(LEXICAL_WEIGHT) * query.words
        self._latest = (query, by_meaning, by_fact)
        return by_meaning, by_fact

    def _by_statement(self, by_key: NDArray[np.float32]) -> NDArray[np.float32]:
        """Scores by key row (one question, or a column per question) as each statement's best."""
        best: NDArray[np.float32] = np.maximum.reduceat(by_key, self._first_rows, axis=0)
        return best

    def _coded(self, names: List[Optional[str]]) -> NDArray[np.int64]:
        return np.array([self._codes.setdefault(n, len(self._codes)) for n in names], dtype=np.int64)

    def topic_score(self, question: Query, topic_id: str) -> float:
        """How closely the question matches the topic asked in general ("how much they earn")."""
        rows = self._topic_rows.get(topic_id)
        return float(np.max(self._vectors[rows] @ question.vector)) if rows else -1.0


def _career_names_pattern(kb: KnowledgeBase) -> re.Pattern[str]:
    names = {n.lower() for c in kb.career_ids() for n in (kb.career(c).name, kb.career(c).plural, *kb.career_names())}
    return names_pattern(names, endings="(?:e?s)?(?:'s)?")


def _locate(kb: KnowledgeBase) -> List[Located]:
    entries: List[Located] = []
    for career_id in kb.career_ids():
        for topic_id, entry in kb.career(career_id).topics.items():
            for fact in entry.facts:
                entries.append(Located(fact, career_id, topic_id))
                entries += [Located(fact, other, topic_id, shared=True) for other in fact.also_for]
    entries += [Located(fact, None, None, pointer_id) for pointer_id, fact in kb.pointers().items()]
    return entries


_MEMORY: dict[str, Vectors] = {}  # by content digest: one computation per knowledge version per process
# each encoder's vectors by key text, for the version of the file it last made or read: an edited
# file then costs an encoding of the keys the edit changed, not of all ~10,000 (about 30 s of a core)
_LATEST_BY_KEY: weakref.WeakKeyDictionary[Encoder, Dict[str, Vectors]] = weakref.WeakKeyDictionary()


def _cached_vectors(keys: List[str], encoder: Encoder, cache_dir: Optional[Path]) -> Vectors:
    made_by = getattr(encoder, "version", type(encoder).__name__)  # SentenceEncoder names its model and graph
    digest = hashlib.sha256("\n".join([MODEL_PACKAGE, made_by, *keys]).encode()).hexdigest()[:24]
    if digest in _MEMORY:
        _remember(encoder, keys, _MEMORY[digest])
        return _MEMORY[digest]
    path = cache_dir / f"fact-vectors-{digest}.npy" if cache_dir else None
    vectors = _read(path, len(keys)) if path else None
    if vectors is None:
        vectors = _encode_new_keys(keys, encoder)
        if path:
            _write(path, vectors)
    _remember(encoder, keys, vectors)
    _MEMORY.clear()  # only the current version is kept
    _MEMORY[digest] = vectors
    return vectors


def _encode_new_keys(keys: List[str], encoder: Encoder) -> Vectors:
    """The keys' vectors, a row each: those the encoder's previous version of the file had are
    taken from it, and each other distinct key is encoded once."""
    by_key = dict(_latest_by_key(encoder))
    new = [key for key in dict.fromkeys(keys) if key not in by_key]
    if new:
        by_key.update(zip(new, encoder.encode(new).astype(np.float32), strict=True))
    vectors: Vectors = np.stack([by_key[key] for key in keys])
    return vectors


def _latest_by_key(encoder: Encoder) -> Dict[str, Vectors]:
    try:
        return _LATEST_BY_KEY.get(encoder, {})
    except TypeError:  # an encoder that cannot be weakly referenced: nothing is reused
        return {}


def _remember(encoder: Encoder, keys: List[str], vectors: Vectors) -> None:
    try:
        _LATEST_BY_KEY[encoder] = dict(zip(keys, vectors, strict=True))
    except TypeError:
        pass


def _read(path: Path, rows: int) -> Optional[Vectors]:
    try:
        vectors: Vectors = np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return None
    return vectors if vectors.shape[0] == rows else None


def _write(path: Path, vectors: Vectors) -> None:
    """Written to a temporary file and renamed, so a reader never sees half a file; a cache that
    cannot be written is only slower next time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            np.save(out, vectors, allow_pickle=False)
        os.replace(temporary, path)
    except OSError as error:
        logger.warning("Could not cache fact vectors in %s: %s", path.parent, error)
