"""Turn what the knowledge file says into short, sourced answers for a student.

An answer is 2-5 sentences or a short list in plain language. It says which career (and, where
the rules differ, which country) it is about, and says so when it assumed them; it ends with its
sources and their years and suggests follow-up topics. Dated figures (pay, growth) lead with the
newest figure; if that one is unconfirmed, the newest confirmed figure follows it; older figures
are listed by value and period. Where the knowledge file has nothing, the answer says so instead
of guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from bot.knowledge_base import KnowledgeBase, Topic
from bot.schema import Career, CareerTopic, Fact, Source

RELATED_CAREERS = "related_careers"
MAX_ECHOED_CHARS = 60  # the longest job name a reply repeats back
COMPARED_TOPICS = ["duties", "education", "certification"]  # side by side, under their topics' titles


@dataclass(frozen=True)
class Answer:
    text: str
    follow_ups: List[Topic] = field(default_factory=list)
    found: bool = True  # False when the knowledge file has nothing on the question
    career_id: Optional[str] = None  # the career answered for
    country_id: Optional[str] = None  # the country answered for, where rules differ
    other_careers: List[str] = field(default_factory=list)  # offered: other meanings, related careers
    other_countries: List[str] = field(default_factory=list)  # offered: other countries on this topic
    more_on: Optional[Topic] = None  # a focused answer's topic: its overview is one button away


@dataclass(frozen=True)
class Question:
    """What is asked: a topic, and the career and country if the student named them."""

    topic_id: str
    career_id: Optional[str] = None  # None: the default career, and the answer says it assumed it
    country_id: Optional[str] = None  # None: the default country where rules differ, said likewise
    said_as: Optional[str] = None  # the ambiguous name the student used ("clinical technician")
    not_covered: Optional[str] = None  # a job the student named that the file does not cover ("nurse")
    uncovered_country: Optional[str] = None  # a country the student named that the file has no facts for
    one_program: bool = False  # asks about "this program" (the widget sits on a college's site)


def cite(source: Source) -> str:
    """How an answer names one source inline: its name and year."""
    return f"{source.name}, {source.year}"


def cite_all(sources: Iterable[Source]) -> str:
    """The closing source line: each source once, editions of one work merged, newest year first,
    linked to its page where the file gives one (the name, or each year when editions have pages
    of their own): "Sources: [U.S. Bureau of Labor Statistics, ...](https://...) (2024, 2022); Coursera (2022)."
    """
    editions: Dict[str, Dict[int, Optional[str]]] = {}
    for source in sources:
        years = editions.setdefault(source.name, {})
        years[source.year] = years.get(source.year) or source.url
    label = "Source" if len(editions) == 1 else "Sources"
    return f"{label}: " + "; ".join(_cited(name, years) for name, years in editions.items()) + "."


def _cited(name: str, years: Dict[int, Optional[str]]) -> str:
    newest_first = sorted(years.items(), reverse=True)
    urls = {url for _, url in newest_first if url}
    if len(urls) <= 1:
        return f"{_link(name, next(iter(urls), None))} ({', '.join(str(y) for y, _ in newest_first)})"
    return f"{name} ({', '.join(_link(str(y), url) for y, url in newest_first)})"


def _link(label: str, url: Optional[str]) -> str:
    return f"[{label}]({url})" if url else label


def answer(kb: KnowledgeBase, question: Question, also: Sequence[Fact] = ()) -> Answer:
    """Answer a question from the knowledge file (see the module docstring for what an answer
    holds); `also`: details that answer the question as worded, given after the topic's overview
    (those for another country than the one answered are left out)."""
    if question.not_covered and question.career_id is None:
        return _not_covered(kb, question.not_covered)
    frame = _frame(kb, question)
    topic = kb.topic(question.topic_id)
    entry = frame.career.topics.get(question.topic_id) if topic else None
    if topic is not None and topic.id == RELATED_CAREERS and (frame.career.related or entry):
        return _related_careers(kb, question, frame, entry)
    if topic is None or entry is None or not entry.facts:
        why = entry.unknown if entry is not None and entry.unknown else ""
        about = topic.about if topic else "that"
        return _no_information(kb, frame, about, _follow_ups(kb, frame.career, None), why=why)
    return _topic_answer(kb, question, frame, topic, entry, also)


def overview(entry: CareerTopic) -> List[Fact]:
    """The facts a topic's answer gives when no specific question is asked: all but the details
    (`detail: true`, given only to the question they answer); a topic that has only details
    (a career's one program, say) gives those."""
    return [f for f in entry.facts if not f.detail] or list(entry.facts)


# A topic whose overview holds only for other countries gives this many of the country's details
# instead ("what is a lab assistant?" in the US: what ASCP says an MLA does), not "nothing sourced".
MAX_COUNTRY_DETAILS = 3


def _country_details(entry: CareerTopic, country_id: str) -> List[Fact]:
    """The first details that hold in the country, figures aside (they come with their series)."""
    return [f for f in entry.facts if f.detail and f.country == country_id and not f.figure][:MAX_COUNTRY_DETAILS]


def focused_answer(kb: KnowledgeBase, question: Question, facts: List[Fact], country_id: Optional[str]) -> Answer:
    """Only the facts that answer the question asked (found by `bot.matching`), for the career in
    `question` and the country the facts hold in (None: everywhere); the topic's whole answer
    stays one button away (`more_on`)."""
    frame = _frame(kb, question)
    topic = kb.topic(question.topic_id)
    entry = frame.career.topics.get(question.topic_id)
    figures = [f for f in facts if f.figure]
    if figures and entry is not None:  # a figure never appears without the series it belongs to
        country = figures[0].country
        series = [f for f in entry.facts if f.figure and f.country in (None, country)]
        figures = sorted(series, key=lambda f: f.as_of, reverse=True)
    statements = [f for f in facts if not f.figure]
    body = (_figure_paragraphs(kb, figures) if figures else []) + [_full(kb, f) for f in statements]
    shown = figures + statements
    sources = frame.sources + [kb.source(f.source) for f in shown]
    header = _header(kb, frame.career, question, country_id)
    countries = _countries(overview(entry)) if entry else []
    return Answer(
        text="\n\n".join(frame.preface + [header, *body, cite_all(sources)]),
        follow_ups=[t for t in _follow_ups(kb, frame.career, entry) if t != topic],
        career_id=frame.career_id,
        country_id=country_id,
        other_careers=frame.other_careers,
        other_countries=[c for c in countries if c != country_id] if country_id else [],
        more_on=topic,
    )


@dataclass(frozen=True)
class _Frame:
    """What every answer about one career shares: the career, and for an ambiguous name the
    explanation that leads the answer, its source and the other careers the name may mean."""

    career_id: str
    career: Career
    preface: List[str]
    sources: List[Source]
    other_careers: List[str]


def _frame(kb: KnowledgeBase, question: Question) -> _Frame:
    career_id = question.career_id or kb.default_career
    ambiguity = kb.ambiguity(question.said_as) if question.said_as else None
    if ambiguity is None:
        return _Frame(career_id, kb.career(career_id), [], [], [])
    meant = kb.career(ambiguity.careers[0]).name
    explanation = f"{_full(kb, ambiguity.explanation)} Here is the {meant}; pick the other below if you meant it."
    return _Frame(
        career_id,
        kb.career(career_id),
        [explanation],
        [kb.source(ambiguity.explanation.source)],
        [c for c in ambiguity.careers if c != career_id],
    )


def _no_information(
    kb: KnowledgeBase,
    frame: _Frame,
    about: str,
    follow_ups: List[Topic],
    why: str = "",
    country_id: Optional[str] = None,
    countries: Optional[List[str]] = None,
) -> Answer:
    """The honest "I don't have that": no guess, and where the file does have it, say so."""
    where = f" in {kb.country(country_id).name}" if country_id else ""
    text = f"I don't have sourced information on {about} for {frame.career.plural}{where} yet, so I won't guess."
    if why:
        text += f" {why}"
    if countries:
        text += f" I do for {_join([kb.country(c).name for c in countries])}."
    return Answer(
        text="\n\n".join(frame.preface + [text]),
        follow_ups=follow_ups,
        found=False,
        career_id=frame.career_id,
        country_id=country_id,
        other_careers=frame.other_careers,
        other_countries=countries or [],
    )


def _related_careers(kb: KnowledgeBase, question: Question, frame: _Frame, entry: Optional[CareerTopic]) -> Answer:
    """The careers related to this one, each with its one-line summary."""
    career, sources = frame.career, list(frame.sources)
    facts = overview(entry) if entry else []
    lines = [f"Careers related to {career.name}:"]
    for related_id in career.related:
        related = kb.career(related_id)
        brief = _brief(related.topics.get("duties"))
        lines.append(f"- {related.name.capitalize()}: {brief.text if brief else 'no sourced summary yet.'}")
        if brief:
            sources.append(kb.source(brief.source))
    sources += [kb.source(f.source) for f in facts]
    header = _header(kb, career, question, country_id=None)
    return Answer(
        text="\n\n".join(frame.preface + [header, "\n".join(lines), *[_full(kb, f) for f in facts], cite_all(sources)]),
        follow_ups=_follow_ups(kb, career, entry),
        career_id=frame.career_id,
        other_careers=frame.other_careers + [c for c in career.related if c not in frame.other_careers],
    )


def _topic_answer(
    kb: KnowledgeBase, question: Question, frame: _Frame, topic: Topic, entry: CareerTopic, also: Sequence[Fact] = ()
) -> Answer:
    """A topic's facts for the career, for the country asked about where the rules differ by
    country; then the details in `also` that hold there."""
    shown = overview(entry)
    countries = _countries(shown)
    country_id = None
    facts = shown
    if countries:
        country_id = question.country_id or kb.default_country
        # the country's own facts lead (its details, if the overview has none for it); facts true
        # everywhere follow
        own = [f for f in shown if f.country == country_id] or _country_details(entry, country_id)
        if not own:
            follow_ups = _follow_ups(kb, frame.career, entry)
            return _no_information(kb, frame, topic.about, follow_ups, country_id=country_id, countries=countries)
        facts = own + [f for f in shown if f.country is None]
    # a detail for the country in question, even where the overview holds everywhere ("what are
    # the hours like?": the overview's shifts, then how US labs staff them)
    detail_country = country_id or question.country_id or kb.default_country
    details = [f for f in also if f not in facts and not f.figure and f.country in (None, detail_country)]
    sources = frame.sources + [kb.source(f.source) for f in facts + details]
    header = _header(kb, frame.career, question, country_id)
    body = _body(kb, facts) + [_full(kb, f) for f in details]
    return Answer(
        text="\n\n".join(frame.preface + [header, *body, cite_all(sources)]),
        follow_ups=_follow_ups(kb, frame.career, entry),
        career_id=frame.career_id,
        country_id=country_id,
        other_careers=frame.other_careers,
        other_countries=[c for c in countries if c != country_id],
    )


def compare(
    kb: KnowledgeBase,
    first_id: str,
    second_id: str,
    country_id: Optional[str] = None,
    setting: Optional[Question] = None,
) -> Answer:
    """A short side-by-side of two careers: duties, education, certification and pay; after what
    `setting` (the question as the student put it) needs said first: a country the file has no
    facts for, or "this program"."""
    first, second = kb.career(first_id), kb.career(second_id)
    country = country_id or kb.default_country
    sources: List[Source] = []
    sections = _setting_notes(kb, setting) + [f"{first.name.capitalize()} vs {second.name}:"]
    for topic_id in COMPARED_TOPICS:
        topic = kb.topic(topic_id)
        label = topic.title if topic else topic_id
        rows = []
        for career in (first, second):
            brief = _brief(career.topics.get(topic_id))
            if brief is not None:
                sources.append(kb.source(brief.source))
            rows.append(f"- {career.name.capitalize()}: {brief.text if brief else 'no sourced information yet.'}")
        sections.append(f"{label}:\n" + "\n".join(rows))
    rows, leads = [], []
    for career in (first, second):
        lead, unconfirmed = _pay_figure(career.topics.get("salary"), country)
        sources += [kb.source(f.source) for f in ([lead] if lead else []) + unconfirmed]
        leads.append(lead)
        rows.append(f"- {career.name.capitalize()}: {_pay_brief(lead, unconfirmed)}")
    if (
        leads[0] is not None
        and leads[1] is not None
        and (leads[0].value, leads[0].period, leads[0].source) == (leads[1].value, leads[1].period, leads[1].source)
    ):
        # BLS publishes one median for technologists and technicians together: the same figure for
        # both is not a finding that they earn the same
        rows.append(
            f"- These are one and the same figure, for the two careers together ({cite(kb.source(leads[0].source))}): "
            "it does not show the difference in pay between them."
        )
    sections.append(f"Pay in {kb.country(country).name}:\n" + "\n".join(rows))
    sections.append(cite_all(sources))
    follow = [t for t in (kb.topic(i) for i in ("education", "salary", "duties")) if t is not None]
    return Answer(text="\n\n".join(sections), follow_ups=follow, career_id=first_id, other_careers=[second_id])


def describe_topics(topics: List[Topic]) -> str:
    """One sentence naming the topics: "I can tell you about a, b and c. Pick one or ask me in your own words." """
    abouts = [t.about for t in topics]
    if not abouts:
        return "I don't have any sourced topics to offer yet."
    return (
        f"I can tell you about {_join(abouts)}, for lab techs and related careers. "
        "Pick one or ask me in your own words."
    )


def topics_overview(kb: KnowledgeBase, career_id: Optional[str] = None) -> List[Topic]:
    """The menu topics the knowledge file can answer for a career, in catalog order."""
    career = kb.career(career_id)
    return [t for t in kb.topics() if t.menu and (t.id in career.topics or t.id == RELATED_CAREERS)]


def _not_covered(kb: KnowledgeBase, name: str) -> Answer:
    """ "How much does a nurse make?": say the job is not covered (never answer for a lab career),
    name the careers that are, and where to look instead."""
    covered = [kb.career(c).plural for c in kb.career_ids()]
    text = f'"{echo(name)}" is outside what I know: I only cover {_join(covered)}.'
    pointer = kb.other_careers.pointer if kb.other_careers else None
    parts = [text] + ([_full(kb, pointer), cite_all([kb.source(pointer.source)])] if pointer else [])
    return Answer(text="\n\n".join(parts), found=False, other_careers=kb.career_ids())


def echo(typed: str) -> str:
    """Words a student typed, safe to repeat inside a markdown reply: on one line, at most
    MAX_ECHOED_CHARS characters, and every markdown character escaped, so no link, image or
    emphasis a student writes becomes part of the bot's bubble, and web addresses become [link]."""
    text = re.sub(r"\S*://\S*|\bwww\.\S+", "[link]", " ".join(typed.split()))
    if len(text) > MAX_ECHOED_CHARS:
        text = text[: MAX_ECHOED_CHARS - 1].rstrip() + "…"
    return re.sub(r"([\\`*_{}\[\]()<>!~\"])", r"\\\1", text)


_ONE_PROGRAM_NOTE = (
    "Each program sets its own admission rules, schedule, costs and policies, so the program you are"
    " looking at has the final word (its own pages or its program director). What the sources say:"
)


def _header(kb: KnowledgeBase, career: Career, question: Question, country_id: Optional[str]) -> str:
    about = _about(kb, career, question, country_id)
    return f"{_ONE_PROGRAM_NOTE}\n\n{about}" if question.one_program else about


def _setting_notes(kb: KnowledgeBase, question: Optional[Question]) -> List[str]:
    """What a side-by-side says first about the question's setting (a header says it in `_header`)."""
    notes = []
    if question is not None and question.uncovered_country:
        where = kb.country(kb.default_country).name
        notes.append(f"I have no sourced facts for {question.uncovered_country}; this is about {where}.")
    if question is not None and question.one_program:
        notes.append(_ONE_PROGRAM_NOTE)
    return notes


def _about(kb: KnowledgeBase, career: Career, question: Question, country_id: Optional[str]) -> str:
    where = f" in {kb.country(country_id).name}" if country_id else ""
    assumed = []
    if question.career_id is None:
        assumed.append("career")
    if country_id and question.country_id is None:
        assumed.append("country")
    elsewhere = question.uncovered_country if question.country_id is None else None
    if elsewhere and country_id:
        return (
            f"About {career.plural}{where} (I have no sourced facts for {elsewhere}; name another country to switch):"
        )
    if elsewhere:  # a topic whose facts hold everywhere, which are still not about that country's labs
        switch = "; name another career to switch" if assumed else ""
        return f"About {career.plural} (I have no sourced facts for {elsewhere}, so none of this is about it{switch}):"
    if not assumed:
        return f"About {career.plural}{where}:"
    return f"About {career.plural}{where} (assumed: name another {' or '.join(assumed)} to switch):"


def _body(kb: KnowledgeBase, facts: List[Fact]) -> List[str]:
    figures = sorted((f for f in facts if f.figure), key=lambda f: f.as_of, reverse=True)
    statements = [f for f in facts if not f.figure]
    if figures:
        return _figure_paragraphs(kb, figures) + [_full(kb, f) for f in statements]
    lead, *rest = statements
    paragraphs = [_full(kb, lead)]
    if rest:
        paragraphs.append("\n".join(f"- {_full(kb, f)}" for f in rest))
    return paragraphs


def _lead_figure(figures: List[Fact]) -> Tuple[Fact, List[Fact]]:
    """The figure an answer leads with, and the newer ones it must not lead with. The newest
    confirmed figure leads; a newer figure only a secondary source states follows it, flagged, so
    nothing unconfirmed is presented as the fact. `figures` are newest first."""
    lead = next((f for f in figures if f.confirmed), figures[0])
    return lead, [f for f in figures[: figures.index(lead)] if not f.confirmed]


def _figure_paragraphs(kb: KnowledgeBase, figures: List[Fact]) -> List[str]:
    lead, unconfirmed = _lead_figure(figures)
    label = "The newest confirmed figure" if lead.confirmed else "The newest figure I have, not confirmed"
    lines = [f"{label}: {_lower_first(_full(kb, lead, cite_inline=True))}"]
    lines += [
        f"A newer figure from a secondary source: {_lower_first(_full(kb, f, cite_inline=True))}" for f in unconfirmed
    ]
    earlier = [f for f in figures if f is not lead and f not in unconfirmed]
    if earlier:
        lines.append("Earlier figures: " + ", ".join(f"{f.value} ({f.period})" for f in earlier) + ".")
    return lines


def _pay_figure(entry: Optional[CareerTopic], country_id: str) -> Tuple[Optional[Fact], List[Fact]]:
    """A career's leading pay figure for a country, and newer unconfirmed ones (see _lead_figure)."""
    figures = sorted(
        (f for f in (overview(entry) if entry else []) if f.figure and f.country in (None, country_id)),
        key=lambda f: f.as_of,
        reverse=True,
    )
    return _lead_figure(figures) if figures else (None, [])


def _pay_brief(lead: Optional[Fact], unconfirmed: List[Fact]) -> str:
    if lead is None:
        return "no sourced figure yet."
    text = f"{lead.value} ({lead.period})" + ("" if lead.confirmed else ", not confirmed")
    for newer in unconfirmed:
        text += f"; a newer figure I could not confirm: {newer.value} ({newer.period})"
    return text


def _full(kb: KnowledgeBase, fact: Fact, cite_inline: bool = False) -> str:
    text = fact.text
    if cite_inline:
        text = f"{text[:-1] if text.endswith('.') else text} ({cite(kb.source(fact.source))})."
    if fact.note:
        text = f"{text} {fact.note}"
    return text


def _brief(entry: Optional[CareerTopic]) -> Optional[Fact]:
    if entry is None:
        return None
    return entry.brief or next((f for f in overview(entry) if not f.figure), None)


def _countries(facts: List[Fact]) -> List[str]:
    found: List[str] = []
    for fact in facts:
        if fact.country and fact.country not in found:
            found.append(fact.country)
    return found


def _follow_ups(kb: KnowledgeBase, career: Career, entry: Optional[CareerTopic]) -> List[Topic]:
    """The entry's follow-ups the career can answer; else its first answerable topics."""
    answerable = {t for t, e in career.topics.items() if e.facts} | ({RELATED_CAREERS} if career.related else set())
    wanted = entry.follow_ups if entry else []
    chosen = [t for t in wanted if t in answerable] or [t.id for t in kb.topics() if t.id in answerable][:3]
    return [t for t in (kb.topic(i) for i in chosen) if t is not None]


def _lower_first(text: str) -> str:
    # "Median pay ..." reads on after "The newest figure I have:"; acronyms ("BLS ...") keep their case.
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def _join(items: List[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
