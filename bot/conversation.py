"""Decisions about a conversation that are about careers, not about Rasa: which two careers a
comparison sets side by side, what a bare follow-up ("what about phlebotomists?") asks, and how a
comparison is named on a button. `actions/` only passes in what the student said and what the
conversation remembers.
"""

from __future__ import annotations

from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

from bot.knowledge_base import KnowledgeBase
from bot.schema import Career, Fact

FOLLOW_UP_TOPIC_FOR_A_CAREER = "duties"  # "what about phlebotomists?" with no topic yet
FOLLOW_UP_TOPIC_FOR_A_COUNTRY = "certification"  # "and in Canada?": where rules differ most


def comparison_pair(kb: KnowledgeBase, named: List[str], current: Optional[str]) -> Tuple[str, str]:
    """The two careers to compare: the two named; or the one named and the career under discussion
    (or, without one, the named career's usual counterpart); or the career under discussion (or the
    default career) and its counterpart. Never a career with itself."""
    if len(named) >= 2:
        first, second = named[0], named[1]
    else:
        first = named[0] if named else current or kb.default_career
        second = current if named and current and current != first else _counterpart(kb, first)
    if first == second:
        second = _counterpart(kb, first)
    return first, second


def _counterpart(kb: KnowledgeBase, career_id: str) -> str:
    return kb.career(career_id).compare_with or kb.default_career


def follow_up_topic(last_topic: Optional[str], named_a_country: bool) -> str:
    """The topic of a message that names only a career or a country: the topic under discussion,
    or, at the start, what the career does (for a career) or how to qualify there (for a country)."""
    if last_topic:
        return last_topic
    return FOLLOW_UP_TOPIC_FOR_A_COUNTRY if named_a_country else FOLLOW_UP_TOPIC_FOR_A_CAREER


def comparison_title(kb: KnowledgeBase, first: str, second: str) -> str:
    """A short button title for comparing two careers, leaving out the words their names share at
    the start: "Technician vs technologist" for medical laboratory technician and technologist."""
    a, b = kb.career(first).name.split(), kb.career(second).name.split()
    shared = 0
    while shared < min(len(a), len(b)) - 1 and a[shared].lower() == b[shared].lower():
        shared += 1
    left, right = " ".join(a[shared:]), " ".join(b[shared:])
    return f"{left[:1].upper()}{left[1:]} vs {right}"


def default_comparison(kb: KnowledgeBase) -> Tuple[str, str]:
    """The comparison the topic menu offers: the default career and its counterpart."""
    return comparison_pair(kb, [], None)


def same_career_names(kb: KnowledgeBase, names: Sequence[str]) -> Optional[str]:
    """When a comparison names one career twice ("medical laboratory scientist vs medical
    technologist"), the sentence saying they are the same job; else None (also for two credential
    levels of one career, "HT vs HTL", which are not one job)."""
    one = _one_career(kb, names)
    if one is None or credential_levels(kb, names) is not None:
        return None
    said, career_id = one
    quoted = " and ".join(f'"{n}"' for n in said[:2])
    return (
        f"{quoted} are two names for the same job, the {kb.career(career_id).name}. "
        "Here it is beside the job it is compared with."
    )


class TwoLevels(NamedTuple):
    """Two credential levels of one career that a student compared, and what sets them apart."""

    career_id: str
    topic_id: str  # where the fact that tells them apart is filed
    difference: Fact
    note: str  # the sentence saying what the two names are


def credential_levels(kb: KnowledgeBase, names: Sequence[str]) -> Optional[TwoLevels]:
    """When a comparison names two credential levels of one career ("HT vs HTL"), or one level and
    the career's general name ("histotech vs HTL": a histotech holds either), those levels; else None."""
    one = _one_career(kb, names)
    if one is None:
        return None
    said, career_id = one
    career = kb.career(career_id)
    by_level: Dict[Optional[int], str] = {}  # a name said for each level (None: the career's general name)
    for name in said:
        by_level.setdefault(_level(career, name), name)
    general = by_level.pop(None, None)
    difference = career.levels_difference()
    if difference is None or career.levels is None or not by_level:
        return None
    named = list(by_level.values())
    if len(named) >= 2:
        note = f'"{named[0]}" and "{named[1]}" are two levels of one career, the {career.name}; '
        note += "this is what sets them apart."
    elif general is not None:
        note = (
            f'"{general}" is said of either credential level of the {career.name}, and "{named[0]}" is one '
            "of them; this is what sets the levels apart."
        )
    else:
        return None  # two names of one level ("HT" and "histology technician")
    return TwoLevels(career_id, career.levels.topic, difference, note)


def _one_career(kb: KnowledgeBase, names: Sequence[str]) -> Optional[Tuple[List[str], str]]:
    """The names as said, and their career, when two or more different names all mean one career."""
    said = list(dict.fromkeys(n.strip() for n in names if n.strip()))
    matches = [kb.resolve_career(n) for n in said]
    careers = {m.career_id for m in matches if m is not None}
    if len(said) < 2 or len(careers) != 1 or any(m is None or m.ambiguous_name for m in matches):
        return None
    if len({n.lower() for n in said}) < 2:
        return None
    return said, careers.pop()


def _level(career: Career, name: str) -> Optional[int]:
    """A name's credential level, as said ("HTLs" is "HTL")."""
    forms = [name] + ([name[:-1]] if name.lower().endswith("s") else [])
    return next((level for level in map(career.level_of, forms) if level is not None), None)
