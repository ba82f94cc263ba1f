"""Turn what the knowledge file says on a topic into a short, sourced answer for a student.

An answer is 2-5 sentences or a short list in plain language, ends with its sources and their
years, and suggests follow-up topics. Dated figures (pay, growth) lead with the newest figure;
if that one is unconfirmed, the newest confirmed figure follows it; older figures are listed by
value and period. Where the knowledge file has nothing, the answer says so instead of guessing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional

from bot.knowledge_base import KnowledgeBase, Topic
from bot.schema import Fact, Source


@dataclass(frozen=True)
class Answer:
    text: str
    follow_ups: List[Topic] = field(default_factory=list)
    found: bool = True  # False when the knowledge file has nothing on the question


def cite(source: Source) -> str:
    """How an answer names one source inline: its name and year."""
    return f"{source.name}, {source.year}"


def cite_all(sources: Iterable[Source]) -> str:
    """The closing source line: each source once, editions of one work merged, newest year first:
    "Sources: U.S. Bureau of Labor Statistics, Occupational Outlook Handbook (2024, 2022); Coursera (2022)."
    """
    years: Dict[str, List[int]] = {}
    for source in sources:
        listed = years.setdefault(source.name, [])
        if source.year not in listed:
            listed.append(source.year)
    label = "Source" if len(years) == 1 else "Sources"
    parts = [f"{name} ({', '.join(str(y) for y in sorted(ys, reverse=True))})" for name, ys in years.items()]
    return f"{label}: " + "; ".join(parts) + "."


def answer_topic(kb: KnowledgeBase, topic_id: str, career_id: Optional[str] = None) -> Answer:
    """Answer a question on `topic_id` about a career (the default career when None)."""
    career = kb.career(career_id)
    topic = kb.topic(topic_id)
    entry = kb.career_topic(topic_id, career_id) if topic else None
    if topic is None or entry is None:
        about = topic.about if topic else "that"
        known = [kb.topic(t) for t in career.topics if kb.topic(t)]
        return Answer(
            text=(
                f"I don't have sourced information on {about} for a {career.name} yet, "
                "so I won't guess. Here is what I can tell you about:"
            ),
            follow_ups=[t for t in known if t is not None][:3],
            found=False,
        )

    figures = sorted((f for f in entry.facts if f.figure), key=lambda f: f.as_of, reverse=True)
    statements = [f for f in entry.facts if not f.figure]
    paragraphs: List[str] = []
    if figures:
        paragraphs.extend(_figure_paragraphs(kb, figures))
        paragraphs.extend(_full(kb, f) for f in statements)
    elif statements:
        lead, *rest = statements
        paragraphs.append(_full(kb, lead))
        if rest:
            paragraphs.append("\n".join(f"- {_full(kb, f)}" for f in rest))

    paragraphs.append(cite_all(kb.source(f.source) for f in entry.facts))
    follow_ups = [t for t in (kb.topic(t) for t in entry.follow_ups) if t is not None]
    return Answer(text="\n\n".join(paragraphs), follow_ups=follow_ups)


def _figure_paragraphs(kb: KnowledgeBase, figures: List[Fact]) -> List[str]:
    newest = figures[0]
    shown = [newest]
    lines = [f"The newest figure I have: {_lower_first(_full(kb, newest, cite_inline=True))}"]
    if not newest.confirmed:
        confirmed = next((f for f in figures if f.confirmed), None)
        if confirmed is not None:
            shown.append(confirmed)
            lines.append(
                f"The newest confirmed figure: {_lower_first(_full(kb, confirmed, cite_inline=True))}"
            )
    earlier = [f for f in figures if f not in shown]
    if earlier:
        lines.append("Earlier figures: " + ", ".join(f"{f.value} ({f.period})" for f in earlier) + ".")
    return lines


def _full(kb: KnowledgeBase, fact: Fact, cite_inline: bool = False) -> str:
    text = fact.text
    if cite_inline:
        text = f"{text[:-1] if text.endswith('.') else text} ({cite(kb.source(fact.source))})."
    if fact.note:
        text = f"{text} {fact.note}"
    return text


def _lower_first(text: str) -> str:
    # "Median pay ..." reads on after "The newest figure I have:"; acronyms ("BLS ...") keep their case.
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def topics_overview(kb: KnowledgeBase, career_id: Optional[str] = None) -> List[Topic]:
    """The topics the knowledge file can answer for a career, in catalog order."""
    career = kb.career(career_id)
    return [t for t in kb.topics() if t.id in career.topics]


def describe_topics(topics: List[Topic]) -> str:
    """One sentence naming the topics: "I can tell you about a, b and c. Pick one or ask me in your own words." """
    abouts = [t.about for t in topics]
    if not abouts:
        return "I don't have any sourced topics to offer yet."
    listed = abouts[0] if len(abouts) == 1 else f"{', '.join(abouts[:-1])} and {abouts[-1]}"
    return f"I can tell you about {listed}. Pick one or ask me in your own words."
