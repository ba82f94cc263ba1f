"""Answer the question the student actually asked, not just its topic.

Three entry points, all plain Python over `bot.matching`:

- `answer_question`: a message the NLU gave a topic. When a fact answers it clearly better than
  the topic's overview would (a detail such as "the trainee licence takes about 90 days", or a
  fact filed under another topic), the reply is just the facts that answer it; otherwise (short
  questions, "how much do they make?") it is the topic's overview, as before.
- `search_answer`: a message no intent matched with confidence, or one the NLU thought off-topic.
  The whole file is searched: a close match is answered, saying which career it is about;
  otherwise an honest "I don't have that" with the most useful pointer (the NAACLS program finder,
  a state board, CSMLS...), never a topic's facts for a question it does not answer.
- `answer_comparison`: a comparison ("MLT vs MLS?"): a side-by-side, unless one fact answers
  the question itself.

When the first two answer with facts, a message that asks several things, a sentence each, also
gets the fact that answers each of its other sentences (`_part_facts`).

The thresholds are cosine similarities of all-MiniLM-L6-v2 vectors (bot.sentence_encoder): a
question and a phrasing of the same question score about 0.6-0.9, two questions on one topic
about 0.3-0.5.
"""

from __future__ import annotations

import functools
import re
from dataclasses import replace
from typing import Callable, List, Optional, Sequence, Tuple

import numpy as np

from bot.answers import Answer, Question, answer, cite_all, compare, focused_answer
from bot.conversation import FOLLOW_UP_TOPIC_FOR_A_CAREER, credential_levels, same_career_names
from bot.knowledge_base import KnowledgeBase
from bot.matching import FactIndex, Match, Query
from bot.schema import Fact, refers_to_one_program
from bot.sentence_encoder import Vectors

DIRECT_MATCH = 0.50  # a fact this close answers a topic question on its own
SEARCH_MATCH = 0.55  # the bar for a message the NLU did not place: higher, as nothing else backs it
POINTER_MATCH = 0.40  # a pointer this close is worth offering when no fact answers
USEFUL_POINTER = 0.50  # ... and, once the file has no answer anyway, preferred to the counselor
POINTER_OVER_TOPIC = 0.65  # ... and this close, rather than a topic's overview ("do you recommend it?")
CLOSE_BEHIND = 0.08  # other facts this close to the best match are part of its answer
OTHER_TOPIC_BEHIND = 0.04  # ... or this close, for a fact under another topic than the best match's
# The career in question (named, or the default) leads when its best fact is this close to the
# best: a short question by CLOSE_BEHIND (it is general, and its career's overview answers it), a
# longer one by less (it is specific: the fact that answers it leads, whichever career it is filed under).
SPECIFIC_CAREER_LEAD = 0.03
CLEAR_MATCH = 0.75  # ... and a short question a fact matches this closely is a specific one
# A topic's general questions ("how much do they make?") match a longer, specific question less
# well than their score says: against one, the overview counts this much less.
SPECIFIC_TOPIC_DISCOUNT = 0.05
# A fact must answer better than the topic's overview to be given on its own; a short question
# ("what's the pay for an MLT?") is a general one unless a fact answers it clearly better.
OVERVIEW_MARGIN = 0.04
SHORT_QUESTION_WORDS = 8
SHORT_OVERVIEW_MARGIN = 0.08
# Another career's fact answers only a question with more to it than "what do they do?" (career
# names aside, at most this many words), which matches every career's general questions alike.
GENERAL_QUESTION_WORDS = 4
EXACT_MATCH = 0.85  # ... unless a fact matches it this closely (one of its `answers` is the question)
MAX_FACTS = 3
# A question that names no career is about the lab generalists (MLT, MLS), unless another career's
# fact matches it this closely (a short one, which matches many careers' phrasings alike, more
# closely still), this far ahead of theirs
UNNAMED_CAREER_MATCH = 0.80
UNNAMED_CAREER_SHORT_MATCH = 0.90
UNNAMED_CAREER_LEAD = 0.20
COMPARE_FACT_MATCH = 0.65  # a detail this close answers a comparison question better than a side-by-side
# ... unless the question is about as close to asking for the difference in general: then the
# side-by-side answers it ("what are the major differences between an MLT and an MLS?")
GENERAL_COMPARISON_MARGIN = 0.10
# ... and one this close to asking for the difference in general is such a question, however close a
# fact about one place comes ("is there a difference between an MLT and an MLS?" is not asking
# about California's rules); one with a setting or a part to it scores about 0.37-0.41
GENERAL_COMPARISON_MATCH = 0.50
GENERAL_COMPARISONS = (
    "what is the difference between them",
    "how do they compare",
    "what are the differences between the two jobs",
    "are they the same job",
    "is one the same as the other",
)
GENERAL_TOPIC_MATCH = 0.45  # a longer question this close to a topic in general gets its overview
# A longer message, or one naming a lab career, whose best fact is this close is about lab careers,
# even if nothing answers it (an off-topic one, homework or pizza, scores about 0.2-0.38; a short
# one can score more, "how do I get a driver's license?" 0.68): it gets an honest pointer.
ABOUT_THE_FIELD = 0.40
# A message asking several things, a sentence each ("how big are the classes? is there a waiting
# list?"): a sentence of at least PART_WORDS words that a fact of the answer's career answers this
# closely adds that fact (at most MAX_PART_FACTS), when the message as a whole matched another.
PART_MATCH = 0.60
PART_WORDS = 4
MAX_PART_FACTS = 2
MAX_PARTS = 6  # sentences looked at: a long message must not cost an encoding for each of its sentences
OPINION_FACT_MATCH = 0.70  # a question asking for an opinion gets a fact only if one answers it this closely
# ... and is sent to a particular place (the program list, a state board) only if it is about that
# place this closely; else to a counselor ("is the lab hurting your social life?" is not for NAACLS)
OPINION_POINTER = 0.60
# a question the own-case detector (bot.own_case) puts at least this likely to be about the asker's
# own situation is answered as one asking for an opinion; chosen by cross-validation of the whole
# bot's replies on the real questions it learns from (what it catches there: bot.own_case)
OWN_CASE = 0.40
# ... and gets facts, after the honest part, if one answers it as closely as a search of the whole
# file asks of a match (chosen with OWN_CASE; 0.50 did the same)
OWN_CASE_FACT_MATCH = SEARCH_MATCH
# Asking for an opinion, someone's experience or advice on one's own case: no source answers
# that, so the honest reply is a pointer (a counselor, the state board...), not a topic's facts.
# "Does anyone know whether..." asks for a fact, so it is not one of them.
_OPINION = re.compile(
    r"\b(do|would|did|have|are|were) (you|y'?all|you guys|any of you)\b[^?.!]*?"
    r"\b(like|love|enjoy|hate|regret|recommend|prefer|suggest|advise|think|say|feel|pick|choose)\b"
    r"|\b(does|has|is|did) any(one|body)\b(?! (here )?(know|knows|have any (info|information)))"
    r"|\bwhat (would|should) (you|i) do\b"
    r"|\bin my (position|situation|shoes)\b|\byour( [\w-]+){0,3} experiences?\b"
    r"|\bopinions?\b|\bthoughts\b|\b(tips|advice)\b"
    r"|\bworth (it|the)\b|\btoo late\b|\b(making )?a (mistake|good idea|bad idea)\b"
    r"|\bhow did you\b|\bwhich (one )?do you\b"
    r"|\brecommendations\b|\bmy next steps?\b|\bmy options\b|\byou('d| would) (recommend|suggest|advise)\b"
    r"|\bis (this|it) (a |an )?(good|decent|bad|great|smart|wise)\b[^?.!]{0,25}"
    r"\b(career|field|job|choice|path|option|idea)\b"
    r"|\banyone else\b|\btoxic\b|\blocal (hospitals?|labs?|market|job market)\b"
    r"|\bhow (hard|difficult|competitive)\b|\b(satisfying|rewarding|boring)\b"
    r"|\bexaggerated\b|\bstand out\b|\bactually (seeing|like)\b"
    r"|\b(my|your) chances\b|\b(decide|deciding|choose|choosing|torn) between\b|\bindecisive\b|\btoo limiting\b"
    r"|\bhave you (ever )?(seen|done|gone|had|tried)\b|\byou'?ve (done|seen|gone|had)\b|\bis there (any )?hope\b"
    r"|\b(miserable|defeated)\b"
    # addressed to people who have been there: their experience, not a fact
    r"|\b(to|for) those (of you )?(who|that)\b|^\W*any(one|body)\b(?! (here )?knows?\b)|\b(did|were) you\b"
    r"|\b(most|some|many|all) of you\b|\bpros\b|\bright for (me|you)\b|\bshare (their|your) experiences?\b"
    r"|\bhow common\b|\btoxic\w*|\bwhat'?s the deal\b|\b(greedy|unfulfilled)\b"
    r"|\bwhat('s| is)? (drives|motivates|driving|motivating)\b"
    # advice on one's own next step, or a judgement no source makes
    r"|\bshould (i|one|we) (just |still )?(enroll|wait|email|contact|stay|quit|bother|keep|accept|give up)\b"
    r"|\bor should (i|one|we)\b|\bwould it be (wise|better|smarter?|best)\b"
    r"|\bwhy choose\b|\bbetter fit\b|\bright career\b|\bmy choices\b|\bbenefits of becoming\b"
    r"|\b(employers|hospitals|labs)\b[^?.!]{0,20}\bprefer\b|\bcriminal (record|history|conviction)|\bpicky\b",
    re.IGNORECASE,
)


def asks_for_opinion(text: str) -> bool:
    """Whether a message asks for an opinion, someone's experience or advice on one's own case."""
    return bool(_OPINION.search(text))


def _own_case_bar(index: FactIndex, query: Query, text: str, words: int, one_program: bool) -> Optional[float]:
    """None for a question asking for facts; for one asking for an opinion or turning on the asker's
    own situation, how closely a fact must answer it to follow the honest part of its reply. Told by
    its phrasing (then OPINION_FACT_MATCH: "do you think...?" wants an opinion, whatever it is about),
    or by the own-case detector (bot.own_case) for the forms no phrase lists (then OWN_CASE_FACT_MATCH:
    a likelihood, and a factual question it flags keeps the facts that answer it). The detector learned
    from questions people posted about lab careers, which are seldom short: a short question is left
    to the intent (it takes "medical lab tech salery?" for one with no answer), and so is one about
    something else ("the best pizza place in town?" is not a counselor's), and one about "this
    program", whose reply already says that the program has the final word."""
    if asks_for_opinion(text):
        return OPINION_FACT_MATCH
    if one_program or words <= SHORT_QUESTION_WORDS or index.best_fact_score(query) < ABOUT_THE_FIELD:
        return None
    return OWN_CASE_FACT_MATCH if index.own_case(query) >= OWN_CASE else None


def answer_question(kb: KnowledgeBase, index: FactIndex, question: Question, text: Optional[str]) -> Answer:
    """A topic question in the student's words (see the module docstring)."""
    if not _words(text) or (question.not_covered and question.career_id is None):
        return answer(kb, question)
    setting = _setting(kb, text, country_id=question.country_id)  # "...in New Zealand?", "this program"
    question = replace(question, uncovered_country=setting.uncovered_country, one_program=setting.one_program)
    query = index.encode(str(text))
    words = _question_words(index, str(text))
    country_id = question.country_id or kb.default_country
    # a career the student named bounds the search; else the default career and its counterpart
    # (a "lab tech" is either), the default one leading a close call: a phlebotomist's or a
    # pathologists' assistant's fact answers only a question that names the career
    asked_career = question.career_id or kb.default_career
    careers = _as_one_career(kb, asked_career)
    named_country = bool(question.country_id)
    ranked = index.rank(
        query, careers=careers, prefer_topic=question.topic_id, country_id=country_id, strict_country=named_country
    )
    if question.career_id is None and words > GENERAL_QUESTION_WORDS:  # "what does a lab tech do?" is theirs
        ranked = _unnamed_career(index, query, ranked, question.topic_id, country_id, named_country, words)
    matches = _prefer(ranked, asked_career, words)
    factual = functools.partial(
        _topic_answer, kb, index, question, str(text), query, words, matches, asked_career, country_id
    )
    bar = _own_case_bar(index, query, str(text), words, question.one_program)
    if bar is not None:
        return _opinion_answer(kb, index, query, question, matches, country_id, factual, bar)
    return factual()


def _topic_answer(
    kb: KnowledgeBase,
    index: FactIndex,
    question: Question,
    text: str,
    query: Query,
    words: int,
    matches: List[Match],
    asked_career: str,
    country_id: str,
) -> Answer:
    """`answer_question`'s reply to a question that asks for facts, its matches ranked."""
    pointer = _best_pointer(index, query, country_id)
    if (
        pointer is not None
        and pointer.score >= POINTER_OVER_TOPIC
        and (not matches or pointer.score > matches[0].score + CLOSE_BEHIND)
    ):
        return pointer_answer(kb, pointer)  # an opinion or one person's case: no fact answers it better
    # "what do they do?" is general, "what is the CSMLS?" is as short but names what it asks about,
    # and a fact that says it answers just that question matches it all but exactly
    general = words <= GENERAL_QUESTION_WORDS and not (matches and matches[0].meaning >= EXACT_MATCH)
    # another career's fact only for a specific question it answers ("what do they do?" is not);
    # for a career the student named, only one written for just that question, and not for a
    # question all but its setting ("certification in Australia for lab techs?"): Canada calls its
    # technologists MLTs ("when can I start practising as an MLT in Ontario?")
    if question.career_id:
        other_career_answers = bool(matches) and matches[0].meaning >= EXACT_MATCH and words > GENERAL_QUESTION_WORDS
    else:
        other_career_answers = not general and bool(matches) and matches[0].score >= SEARCH_MATCH
    if matches and matches[0].located.career_id != asked_career and not other_career_answers:
        matches = [m for m in matches if m.located.career_id == asked_career]
    if general and _only_the_career(index, text):  # "what is a phlebotomist?": the overview
        return answer(kb, question)
    if not matches or matches[0].score < DIRECT_MATCH:
        if words > SHORT_QUESTION_WORDS and index.topic_score(query, question.topic_id) < GENERAL_TOPIC_MATCH:
            # a specific question nothing answers, not even the topic in general: say so
            return pointer_answer(kb, _closest_pointer(index, query, country_id))
        return answer(kb, question)  # nothing answers it more closely than the topic as a whole
    top = matches[0]
    short = words <= SHORT_QUESTION_WORDS
    overview_score = max(
        [index.topic_score(query, question.topic_id) - (0 if short else SPECIFIC_TOPIC_DISCOUNT)]
        + [
            m.score
            for m in matches
            if m.located.career_id == asked_career
            and m.located.topic_id == question.topic_id
            and not m.located.is_detail
        ]
    )
    if top.score <= overview_score + (SHORT_OVERVIEW_MARGIN if short else OVERVIEW_MARGIN):
        # the topic's overview answers it as well: a general question; a detail of the career
        # answered that matches it at least as closely follows the overview ("what are the hours
        # like?": the overview's shifts, then the rotating shifts new hires work)
        alongside = top.located.is_detail and top.located.career_id == asked_career and top.score >= overview_score
        also = [top.fact] if alongside and isinstance(top.fact, Fact) else []
        if top.located.career_id == asked_career:
            also += [f for f in _part_facts(index, text, top) if f not in also]
        return answer(kb, question, also=also)
    return _focused(kb, question, matches, _part_facts(index, text, matches[0]))


def _unnamed_career(
    index: FactIndex,
    query: Query,
    ranked: List[Match],
    topic_id: str,
    country_id: str,
    strict_country: bool,
    words: int,
) -> List[Match]:
    """The ranking for a question that names no career: the lab generalists' facts, unless another
    career's fact answers it all but exactly, well ahead of theirs ("how do I renew my NHA
    certification?" is phlebotomy's); a short question only with one written for just that question,
    as "will I be able to find a job?" matches any career's outlook alike."""
    anywhere = index.rank(query, prefer_topic=topic_id, country_id=country_id, strict_country=strict_country)
    bar = UNNAMED_CAREER_SHORT_MATCH if words <= SHORT_QUESTION_WORDS else UNNAMED_CAREER_MATCH
    ahead = not ranked or anywhere[0].score >= ranked[0].score + UNNAMED_CAREER_LEAD
    return anywhere if anywhere and anywhere[0].meaning >= bar and ahead else ranked


def answer_small_talk(
    kb: KnowledgeBase, index: FactIndex, text: str, country_id: Optional[str] = None
) -> Optional[Answer]:
    """A message the NLU took for small talk ("bye", "are you a bot?"): None, for the usual reply,
    unless it asks people for their experience ("anyone left and returned?", "are you as miserable
    as everyone says?", a forum question pasted in): then the honest pointer, as any opinion gets."""
    return search_answer(kb, index, text, country_id=country_id) if asks_for_opinion(text) else None


def answer_comparison(
    kb: KnowledgeBase,
    index: FactIndex,
    pair: Tuple[str, str],
    country_id: Optional[str],
    text: Optional[str],
    named_careers: int = 2,
    names: Sequence[str] = (),
) -> Answer:
    """A side-by-side of two careers, unless one fact answers the question itself: "what's the
    difference between a CLS and an MLT in a hospital?" is answered by who may run which tests,
    and "how is a reference lab different from a hospital?" (no career named: the two careers
    are only assumed) by the fact about workplaces. Two names of one job (`names`, as the student
    said them: "medical laboratory scientist vs medical technologist") are said to be the same job,
    before the side-by-side with its usual counterpart, unless a fact of that job that names both
    tells them apart. Two credential levels of one career (the file's `levels`: HT and HTL, both filed
    under histotechnicians) are never called one job: the fact that names both and answers the
    question, else the one the career's levels are told apart by."""
    setting = _setting(kb, text, country_id=country_id)
    levels = credential_levels(kb, names)  # "HT vs HTL": two credentials of one career
    same_job = same_career_names(kb, names)
    one_career = levels is not None or same_job is not None
    if _words(text):
        query = index.encode(str(text))
        # two names of one career: that career, the pair's first (bot.conversation.comparison_pair)
        careers = [pair[0]] if one_career else list(pair) if named_careers else None
        matches = index.rank(query, careers=careers, country_id=country_id or kb.default_country)
        words = _question_words(index, str(text))
        bar = _own_case_bar(index, query, str(text), words, setting.one_program)
        if bar is not None:
            focused = functools.partial(_focused, kb, setting, matches)
            country = country_id or kb.default_country
            return _opinion_answer(kb, index, query, setting, matches, country, focused, bar)
        general_score = _general_comparison_score(index, query)
        if (
            matches
            and (matches[0].located.is_detail or not named_careers)
            and matches[0].meaning >= COMPARE_FACT_MATCH
            and (
                _names_both(matches[0].fact.text, names)  # what sets two names of one career apart
                if one_career
                else general_score < min(GENERAL_COMPARISON_MATCH, matches[0].meaning - GENERAL_COMPARISON_MARGIN)
            )
        ):
            top = matches[0]
            question = replace(setting, topic_id=top.located.topic_id or "", career_id=top.located.career_id)
            return _focused(kb, question, matches)
        specific = words > GENERAL_QUESTION_WORDS
        if not named_careers and specific and general_score < GENERAL_COMPARISON_MATCH:
            # two things that are not careers ("direct entry vs in-service training posts?"): the
            # careers of a side-by-side would only be assumed, so it is searched as any question
            # ("compare them", "what's the difference?": the side-by-side)
            searched = search_answer(kb, index, str(text), country_id=country_id)
            if searched is not None:
                return searched
    if levels is not None:  # no closer fact: the career's own one that tells the levels apart
        question = replace(setting, topic_id=levels.topic_id, career_id=levels.career_id)
        told_apart = focused_answer(kb, question, [levels.difference], levels.difference.country or country_id)
        return replace(told_apart, text=f"{levels.note}\n\n{told_apart.text}")
    side_by_side = compare(kb, pair[0], pair[1], country_id, setting)
    return replace(side_by_side, text=f"{same_job}\n\n{side_by_side.text}") if same_job else side_by_side


def _setting(
    kb: KnowledgeBase, text: Optional[str], career_id: Optional[str] = None, country_id: Optional[str] = None
) -> Question:
    """What an answer says about the question's setting, whichever way it is answered: a country
    the file has no facts for ("...in New Zealand?"), and whether it asks about "this program"."""
    words = str(text) if _words(text) else ""
    return Question(
        "",
        career_id=career_id,
        country_id=country_id,
        uncovered_country=None if country_id else kb.uncovered_country(words),
        one_program=refers_to_one_program(words),
    )


def search_answer(
    kb: KnowledgeBase,
    index: FactIndex,
    text: str,
    career_id: Optional[str] = None,
    country_id: Optional[str] = None,
) -> Optional[Answer]:
    """A message no intent took: the facts that answer it, from any career and topic; else a
    pointer to where the answer is (for a longer question about the field, at least the general
    one); else None (say "didn't get that"). One asking for an opinion is answered as in
    `answer_question`: a pointer, after the facts only if one answers it closely."""
    if not _words(text):
        return None
    setting = _setting(kb, text, career_id, country_id)
    words = _question_words(index, text)
    if career_id is not None and words <= GENERAL_QUESTION_WORDS and index.names_a_career(text):
        # "what is an MLS?": all it asks about is the career it names
        return answer(kb, replace(setting, topic_id=FOLLOW_UP_TOPIC_FOR_A_CAREER))
    query = index.encode(text)
    ranked = index.rank(query, country_id=country_id or kb.default_country)
    if career_id is not None:
        ranked = _bounded_by_named_career(kb, ranked, career_id)
    matches = _prefer(ranked, career_id or kb.default_career, words, named=career_id is not None)
    bar = _own_case_bar(index, query, text, words, setting.one_program)
    if bar is not None:
        found = functools.partial(_found_anywhere, kb, index, setting, text, matches)
        return _opinion_answer(kb, index, query, setting, matches, country_id or kb.default_country, found, bar)
    if matches and matches[0].score >= SEARCH_MATCH:
        return _found_anywhere(kb, index, setting, text, matches)
    pointer = _best_pointer(index, query, country_id or kb.default_country)
    if pointer is not None:
        return pointer_answer(kb, pointer)
    about_the_field = index.best_fact_score(query) >= ABOUT_THE_FIELD
    if about_the_field and (words > SHORT_QUESTION_WORDS or career_id is not None or index.names_a_career(text)):
        # a real question about lab careers that nothing answers (a longer one, or one naming a lab
        # career: "are they still accepting international MedTechs?"): say so, not "didn't get that"
        return pointer_answer(kb, _closest_pointer(index, query, country_id or kb.default_country))
    return None


def _bounded_by_named_career(kb: KnowledgeBase, ranked: List[Match], career_id: str) -> List[Match]:
    """A search's matches for a message naming a career: another career's fact only when it answers
    the message all but exactly (EXACT_MATCH), as in `answer_question`; "what are the career
    opportunities for an MLT?" is not answered with a cytotechnologist's, however alike the two
    questions are with the careers' names set aside. The lab generalists count as one career."""
    asked = _as_one_career(kb, career_id)
    if not ranked or ranked[0].located.career_id in asked or ranked[0].meaning >= EXACT_MATCH:
        return ranked
    return [m for m in ranked if m.located.career_id in asked]


def _found_anywhere(kb: KnowledgeBase, index: FactIndex, setting: Question, text: str, matches: List[Match]) -> Answer:
    """The facts a search of the whole file found, saying which career they are about (the student
    did not name it, or named another)."""
    top = matches[0]
    question = replace(setting, topic_id=top.located.topic_id or "", career_id=top.located.career_id)
    return _focused(kb, question, matches, _part_facts(index, text, top))


def pointer_answer(kb: KnowledgeBase, pointer: Match) -> Answer:
    """The honest reply when the file has no answer: say so, and where the answer is."""
    said = f"I don't have a sourced answer to that exact question, so I won't guess. {pointer.fact.text}"
    cited = [cite_all([kb.source(pointer.fact.source)])] if pointer.fact.source else []
    return Answer(text="\n\n".join([said, *cited]), found=False)


def _names_both(text: str, names: Sequence[str]) -> bool:
    """Whether a fact names at least two of the names a student compared ("HT ... HTL")."""
    said = {n.strip().lower() for n in names if n.strip()}
    return sum(bool(re.search(rf"\b{re.escape(n)}\b", text, re.IGNORECASE)) for n in said) >= 2


@functools.lru_cache(maxsize=1)  # the current knowledge file's index only
def _general_comparison_vectors(index: FactIndex) -> Vectors:
    return np.vstack([general.vector for general in index.encode_each(GENERAL_COMPARISONS)])


def _general_comparison_score(index: FactIndex, query: Query) -> float:
    """How closely a comparison question asks for the difference in general."""
    return float(np.max(_general_comparison_vectors(index) @ query.vector))


# Words that, with a career's name, ask only about the career itself ("what is a phlebotomist?",
# "tell me about MLTs"): such a question gets the overview, however closely some fact's phrasing
# of the same shape ("what is a patient service technician?") matches it
_BARE_QUESTION_WORDS = frozenset(
    [
        "what",
        "what's",
        "whats",
        "is",
        "are",
        "a",
        "an",
        "the",
        "who",
        "tell",
        "me",
        "about",
        "more",
        "on",
        "do",
        "does",
        "they",
        "them",
    ]
)


def _only_the_career(index: FactIndex, text: str) -> bool:
    """Whether a question, career names aside, is only words like "what is a" (see above)."""
    words = re.findall(r"[\w']+", index.neutral(text).lower())
    return all(word in _BARE_QUESTION_WORDS for word in words)


def _question_words(index: FactIndex, text: str) -> int:
    """How many words a question has, career names aside: how specific it is."""
    return len(index.neutral(text).split())


def _as_one_career(kb: KnowledgeBase, career_id: str) -> List[str]:
    """The careers a question about `career_id` is answered from: the lab generalists (the default
    career and its counterpart, the careers a question naming none is about) together, as a "lab
    tech" is either; any other career alone."""
    counterpart = kb.career(kb.default_career).compare_with
    generalists = [kb.default_career] + ([counterpart] if counterpart else [])
    return generalists if career_id in generalists else [career_id]


def _prefer(matches: List[Match], career_id: str, words: int, named: bool = False) -> List[Match]:
    """The matches with the given career's first if its best is close enough to the best: within
    CLOSE_BEHIND for a career the student named (or talked about) or a short question, else
    within SPECIFIC_CAREER_LEAD (`words`: the question's, career names aside). A short question
    that one fact matches all but word for word (CLEAR_MATCH) is specific too ("can I retake an
    ASCP test?"): the fact that answers it leads, whichever of the two careers it is filed under."""
    general = named or (words <= SHORT_QUESTION_WORDS and not (matches and matches[0].meaning >= CLEAR_MATCH))
    lead = CLOSE_BEHIND if general else SPECIFIC_CAREER_LEAD
    preferred = [m for m in matches if m.located.career_id == career_id]
    if preferred and matches and preferred[0].score >= matches[0].score - lead:
        return preferred + [m for m in matches if m.located.career_id != career_id]
    return matches


def _best_pointer(index: FactIndex, query: Query, country_id: str) -> Optional[Match]:
    """The closest pointer for the country in question (or one for every country), if close enough."""
    pointers = index.rank(query, pointers=True, country_id=country_id, strict_country=True)
    return pointers[0] if pointers and pointers[0].score >= POINTER_MATCH else None


def _opinion_answer(
    kb: KnowledgeBase,
    index: FactIndex,
    query: Query,
    question: Question,
    matches: List[Match],
    country_id: str,
    factual: Callable[[], Answer],
    fact_bar: float,
) -> Answer:
    """A question asking for an opinion or advice on one's own case: where to take it, then, if a
    fact answers it at least `fact_bar` closely, the reply its factual part gets when asked on its
    own (`factual`: the topic's overview or the facts that answer it); else just the pointer."""
    pointer = _closest_pointer(index, query, country_id, useful=OPINION_POINTER)
    if not matches or matches[0].meaning < fact_bar:
        return pointer_answer(kb, pointer)
    facts = factual()
    if not facts.found:  # the rules for a factual question found no answer: the close match is one
        facts = _focused(kb, question, matches)
    # the honest part first: the facts that follow answer what the question rests on, not what it asks
    first = (
        "I don't have a sourced answer to that as asked (it may turn on people's experience, opinions or your "
        f"own case), so I won't guess. {pointer.fact.text} What the sources do say:"
    )
    return replace(facts, text=f"{first}\n\n{facts.text}")


def _closest_pointer(index: FactIndex, query: Query, country_id: str, useful: float = USEFUL_POINTER) -> Match:
    """The pointer closest to the question if it is at least `useful` close; else the closest
    general one (no country: a counselor), not a state board for a question about something else."""
    pointers = index.rank(query, pointers=True, country_id=country_id, strict_country=True)
    if pointers[0].score >= useful:
        return pointers[0]
    return next((p for p in pointers if p.fact.country is None), pointers[0])


def _part_facts(index: FactIndex, text: str, top: Match) -> List[Fact]:
    """For a message asking several things, a sentence each: the fact of the best match's career
    and country that answers each sentence closely (figures aside: they come with their series)."""
    parts = [p for p in re.split(r"(?<=[?.!;])\s+", text.strip()) if len(p.split()) >= PART_WORDS][:MAX_PARTS]
    if len(parts) < 2 or top.located.career_id is None:
        return []
    found: List[Fact] = []
    for query in index.encode_each(parts):
        for m in index.rank(query, careers=[top.located.career_id], country_id=top.fact.country):
            if isinstance(m.fact, Fact) and m.fact.country in (None, top.fact.country) and not m.fact.figure:
                if m.fit >= PART_MATCH and m.fact not in found:
                    found.append(m.fact)
                break
    return found[:MAX_PART_FACTS]


def _focused(kb: KnowledgeBase, question: Question, matches: List[Match], parts: Sequence[Fact] = ()) -> Answer:
    """The best match and the facts close behind it, from the same career and country (a figure
    only from the best match's topic, where its series is), for the career in `question` (None:
    the default career, and the answer says it assumed it); then `parts`, the facts that answer
    the message's other sentences."""
    top = matches[0]
    chosen: List[Fact] = []
    for m in matches:
        if len(chosen) == MAX_FACTS or m.fit < max(DIRECT_MATCH, top.fit - CLOSE_BEHIND):
            break
        if not isinstance(m.fact, Fact) or m.located.career_id != top.located.career_id:
            continue
        other_topic = m.located.topic_id != top.located.topic_id
        if m.fact.country not in (None, top.fact.country) or (
            other_topic and (m.fact.figure or m.fit < top.fit - OTHER_TOPIC_BEHIND)
        ):
            continue
        chosen.append(m.fact)
    chosen += [f for f in parts if f not in chosen]
    same_career = top.located.career_id == (question.career_id or kb.default_career)
    asked = Question(
        top.located.topic_id or question.topic_id,
        career_id=question.career_id if same_career else top.located.career_id,
        country_id=question.country_id,
        said_as=question.said_as if same_career else None,
        uncovered_country=question.uncovered_country,
        one_program=question.one_program,
    )
    return focused_answer(kb, asked, chosen, country_id=top.fact.country or question.country_id)


def _words(text: Optional[str]) -> bool:
    """Whether a message has words to match: a button's payload ("/ask_salary") has none."""
    return bool(text and text.strip() and not text.lstrip().startswith("/"))
