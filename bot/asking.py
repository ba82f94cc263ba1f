"""Answer the question the student actually asked, not just its topic.

Two entry points, both plain Python over `bot.matching`:

- `answer_question`: a message the NLU gave a topic. When a fact answers it clearly better than
  the topic's overview would (a detail such as "the trainee licence takes about 90 days", or a
  fact filed under another topic), the reply is just the facts that answer it; otherwise (short
  questions, "how much do they make?") it is the topic's overview, as before.
- `search_answer`: a message no intent matched with confidence, or one the NLU thought off-topic.
  The whole file is searched: a close match is answered, saying which career it is about;
  otherwise an honest "I don't have that" with the most useful pointer (the NAACLS program finder,
  a state board, CSMLS...), never a topic's facts for a question it does not answer.

The thresholds are cosine similarities of all-MiniLM-L6-v2 vectors (bot.sentence_encoder): a
question and a phrasing of the same question score about 0.6-0.9, two questions on one topic
about 0.3-0.5.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional

from bot.answers import Answer, Question, answer, cite_all, focused_answer
from bot.knowledge_base import KnowledgeBase
from bot.matching import FactIndex, Match
from bot.schema import Fact

DIRECT_MATCH = 0.58  # a fact this close answers a topic question on its own
SEARCH_MATCH = 0.62  # the bar for a message the NLU did not place: higher, as nothing else backs it
POINTER_MATCH = 0.40  # a pointer this close is worth offering when no fact answers
CLOSE_BEHIND = 0.05  # other facts this close to the best match are part of its answer
MAX_FACTS = 3


@dataclass(frozen=True)
class Searched:
    """What a search of the whole file found: an answer, or nothing worth saying (`answer` None),
    and the score of the best match (for the measurement tools)."""

    answer: Optional[Answer]
    score: float


def answer_question(kb: KnowledgeBase, index: FactIndex, question: Question, text: Optional[str]) -> Answer:
    """A topic question in the student's words (see the module docstring)."""
    if not _words(text) or (question.not_covered and question.career_id is None):
        return answer(kb, question)
    career_id = question.career_id or kb.default_career
    country_id = question.country_id or kb.default_country
    matches = index.rank(index.encode(str(text)), careers=[career_id], country_id=country_id)
    if not matches or matches[0].score < DIRECT_MATCH:
        return answer(kb, question)  # nothing answers it more closely than the topic as a whole
    top = matches[0]
    if top.located.topic_id == question.topic_id and not top.located.is_detail:
        return answer(kb, question)  # the overview leads with what was asked
    return _focused(kb, question, matches)


def search_answer(
    kb: KnowledgeBase,
    index: FactIndex,
    text: str,
    career_id: Optional[str] = None,
    country_id: Optional[str] = None,
) -> Searched:
    """A message no intent took: the facts that answer it, from any career and topic; else a
    pointer to where the answer is; else nothing (`answer` None: say "didn't get that")."""
    if not _words(text):
        return Searched(None, -1.0)
    vector = index.encode(text)
    matches = index.rank(vector, country_id=country_id or kb.default_country)
    if career_id:  # the career under discussion wins a close call
        preferred = [m for m in matches if m.located.career_id == career_id]
        if preferred and preferred[0].score >= matches[0].score - CLOSE_BEHIND:
            matches = preferred + [m for m in matches if m.located.career_id != career_id]
    if matches and matches[0].score >= SEARCH_MATCH:
        top = matches[0]
        # the answer names its career: the student did not, or named another
        question = Question(top.located.topic_id or "", career_id=top.located.career_id, country_id=country_id)
        return Searched(_focused(kb, question, matches), top.score)
    pointers = index.rank(vector, pointers=True, country_id=country_id)
    score = matches[0].score if matches else -1.0
    if pointers and pointers[0].score >= POINTER_MATCH:
        return Searched(pointer_answer(kb, pointers[0]), score)
    return Searched(None, score)


def pointer_answer(kb: KnowledgeBase, pointer: Match) -> Answer:
    """The honest reply when the file has no answer: say so, and where the answer is."""
    said = f"I don't have a sourced answer to that exact question, so I won't guess. {pointer.fact.text}"
    cited = [cite_all([kb.source(pointer.fact.source)])] if pointer.fact.source else []
    return Answer(text="\n\n".join([said, *cited]), found=False)


def _focused(kb: KnowledgeBase, question: Question, matches: List[Match]) -> Answer:
    """The best match and the facts close behind it from the same career, topic and country, for
    the career in `question` (None: the default career, and the answer says it assumed it)."""
    top = matches[0]
    where = (top.located.career_id, top.located.topic_id, top.fact.country)
    chosen = [
        m.fact
        for m in matches
        if isinstance(m.fact, Fact)
        if (m.located.career_id, m.located.topic_id, m.fact.country) == where
        and m.score >= max(DIRECT_MATCH, top.score - CLOSE_BEHIND)
    ][:MAX_FACTS]
    same_career = top.located.career_id == (question.career_id or kb.default_career)
    asked = Question(
        top.located.topic_id or question.topic_id,
        career_id=question.career_id if same_career else top.located.career_id,
        country_id=question.country_id,
        said_as=question.said_as if same_career else None,
    )
    return focused_answer(kb, asked, chosen, country_id=top.fact.country or question.country_id)


def _words(text: Optional[str]) -> bool:
    """Whether a message has words to match: a button's payload ("/ask_salary") has none."""
    return bool(text and text.strip() and not text.lstrip().startswith("/"))
