"""The shape of the knowledge file, as pydantic models.

`bot.loader` parses the YAML into these models; anything that does not fit is reported with the
file, the entry and the field. Checks that span entries (a fact naming a source that does not
exist, a follow-up naming an unknown topic) live in `KnowledgeFile.check_references`, which
returns the problems instead of raising so the loader can report all of them at once.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Callable, Dict, FrozenSet, Iterable, Iterator, List, Optional, Tuple

from pydantic import BaseModel, Extra, Field, conint, conlist, constr, validator
from pydantic.fields import ModelField

if TYPE_CHECKING:  # to the type checker these are the plain values they hold
    Year = int
    Version = int
    Text = str
    Url = str
    Identifier = str
    Names = List[str]
else:
    # Years a dated fact may carry: nothing before modern lab certification, nothing in the future.
    Year = conint(ge=1900, le=2100)
    Version = conint(ge=1, le=1)
    Text = constr(strip_whitespace=True, min_length=1)
    Url = constr(regex=r"^https?://\S+$")
    Names = conlist(Text, min_items=1)  # at least one

    class Identifier(str):
        """An id such as `salary` or `bls_ooh_2024`: lowercase letters, digits and underscores."""

        PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")

        @classmethod
        def __get_validators__(cls) -> Iterator[Callable[[object], str]]:  # pydantic v1 hook
            yield cls.validate

        @classmethod
        def validate(cls, value: object) -> str:
            if not isinstance(value, str) or not cls.PATTERN.match(value):
                raise ValueError(f"'{value}' is not a valid id (use lowercase letters, digits and _)")
            return cls(value)


Location = Tuple[object, ...]


class _Strict(BaseModel):
    """Unknown fields are errors: a typo such as `sorce:` must not silently drop a source."""

    class Config:
        extra = Extra.forbid
        anystr_strip_whitespace = True


class TopicInfo(_Strict):
    """A topic the assistant can talk about, for any career."""

    title: Text  # a button label: "Salary"
    about: Text  # finishes "I can tell you about ...": "how much they earn"
    menu: bool = False  # offered in the topic menu (greeting, help, fallback)
    # General questions on the topic ("how much do they make?"): a question closer to these than to
    # any one fact gets the topic's overview rather than a single detail (bot.asking).
    asks: List[Text] = Field(default_factory=list)


class Country(_Strict):
    """A country whose rules differ; `aliases` are the words students use for it."""

    name: Text  # as it reads in a sentence: "the US", "Canada"
    aliases: List[Text] = Field(..., min_items=1)
    # The parts of the country whose rules differ (states, provinces), each with the names that
    # mean it (its regulator's too): a question naming one is not answered with a fact about
    # another ("how do I register in Quebec?" does not get Ontario's rules; bot.matching)
    regions: Dict[Identifier, Names] = Field(default_factory=dict)


class Source(_Strict):
    """Where facts come from. `name` is how an answer cites it; `year` is the year it is dated to."""

    name: Text
    title: Text
    year: Year
    url: Optional[Url] = None
    year_note: Optional[Text] = None
    seed: Optional[Text] = None  # file name in shared/seeds


# "Is this program accredited?", "can I still apply to your MLT to MT program?", "is there selective
# admission to the program?", "can you work while in our programmes?": the student is on one
# program's page (the widget sits on a college's site), which the bot cannot see
_ONE_PROGRAM = re.compile(
    r"\b(this|your|our)\b(\s+[\w-]+){0,3}?\s+(program|programme|course|school|college)s?\b"
    r"|\bthe (program|programme)s?\b",
    re.I,
)


def refers_to_one_program(text: str) -> bool:
    """Whether a question asks about one program without naming it ("this program")."""
    return bool(_ONE_PROGRAM.search(text))


class Fact(_Strict):
    """One sourced, dated statement. A figure also names its exact period and a short value."""

    text: Text
    source: Identifier
    as_of: Year
    figure: bool = False
    value: Optional[Text] = None
    period: Optional[Text] = None
    confirmed: bool = True
    note: Optional[Text] = None
    country: Optional[Identifier] = None  # only for facts that hold in one country
    # The questions this fact answers, in a student's words: a question close in meaning to one of
    # them (or to the text) is answered with this fact rather than the whole topic (bot.matching).
    answers: List[Text] = Field(default_factory=list)
    # A detail answers a specific question; the topic's overview leaves it out.
    detail: bool = False
    # Other careers the fact holds for as it is written (lab work in general: shifts, hazards, a
    # state's licensing law): it answers their specific questions too, never their overviews.
    also_for: List[Identifier] = Field(default_factory=list)

    @validator("answers", each_item=True)
    def _answers_name_their_program(cls, v: str) -> str:
        # such a phrasing would match every student's "this program", whichever college they are at
        if refers_to_one_program(v):
            raise ValueError(f"'{v}' asks about 'this program' without naming it: name the program")
        return v

    @validator("detail")
    def _figures_are_overview(cls, v: bool, values: Dict[str, Any]) -> bool:
        if v and values.get("figure"):
            raise ValueError("a figure belongs to its topic's overview (a series by period), so it cannot be a detail")
        return v

    @validator("value", "period", always=True)
    def _figures_are_precise(cls, v: Optional[str], values: Dict[str, Any], field: ModelField) -> Optional[str]:
        if not values.get("figure"):
            return v
        if not v:
            raise ValueError(f"a figure needs a '{field.name}'")
        # The short value and period are quoted on their own in lists of earlier figures, so they
        # must say the same as the sentence: an edit to one and not the other is caught here.
        if "text" in values and v not in values["text"]:
            raise ValueError(f"'{v}' does not appear in the fact's text")
        return v


class Pointer(_Strict):
    """Where to look when the file has no answer ("the NAACLS website lists accredited programs"),
    and the questions it is the pointer for. A pointer to a person (a counselor) needs no source."""

    text: Text
    answers: List[Text] = Field(..., min_items=1)
    source: Optional[Identifier] = None
    as_of: Optional[Year] = None
    country: Optional[Identifier] = None


class CareerTopic(_Strict):
    """What the knowledge file says about one topic for one career: facts, or `unknown` saying
    why there are none. `brief` is the one-line version used in side-by-side comparisons."""

    facts: List[Fact] = Field(default_factory=list)
    unknown: Optional[Text] = None
    brief: Optional[Fact] = None
    follow_ups: List[Identifier] = Field(default_factory=list, max_items=3)

    @validator("unknown", always=True)
    def _facts_or_unknown(cls, v: Optional[str], values: Dict[str, Any]) -> Optional[str]:
        facts = values.get("facts")
        if facts is None:  # facts failed validation; that error is reported already
            return v
        if not facts and not v:
            raise ValueError("give at least one fact, or say why nothing is known with 'unknown'")
        if facts and v:
            raise ValueError("a topic with facts cannot also be 'unknown'")
        return v


class CredentialLevels(_Strict):
    """Names within one career for credentials at different levels (ASCP's HT and HTL): two of them
    compared are not two names for one job. A fact under `topic` that names two levels tells them apart."""

    names: List[List[Text]] = Field(..., min_items=2)  # a list of names for each level
    topic: Identifier


class Career(_Strict):
    name: Text  # singular, in a sentence: "phlebotomist"
    plural: Text  # "phlebotomists"
    aliases: List[Text] = Field(..., min_items=1)
    compare_with: Optional[Identifier] = None  # the default other side of a comparison
    related: List[Identifier] = Field(default_factory=list)
    levels: Optional[CredentialLevels] = None
    topics: Dict[Identifier, CareerTopic] = Field(default_factory=dict)

    def level_of(self, name: str) -> Optional[int]:
        """Which of the career's credential levels a name is (None: not a level's name)."""
        key = normalize_name(name)
        groups = self.levels.names if self.levels is not None else []
        return next((i for i, group in enumerate(groups) if key in {normalize_name(n) for n in group}), None)

    def levels_difference(self) -> Optional[Fact]:
        """The first fact under the levels' topic that names two of the levels, or None."""
        if self.levels is None or self.levels.topic not in self.topics:
            return None
        patterns = [names_pattern(group, endings="(?:e?s)?") for group in self.levels.names]
        return next(
            (f for f in self.topics[self.levels.topic].facts if sum(bool(p.search(f.text)) for p in patterns) >= 2),
            None,
        )


class AmbiguousName(_Strict):
    """A name that means more than one career; the first career is the one answered."""

    careers: List[Identifier] = Field(..., min_items=2)
    explanation: Fact


class OtherCareers(_Strict):
    """Jobs students ask about that the file does not cover ("how much does a nurse make?"), named
    so that the assistant says it does not cover them instead of answering for a lab career, and
    `pointer`: where to look instead."""

    names: List[Text] = Field(..., min_items=1)
    pointer: Fact


class KnowledgeFile(_Strict):
    version: Version
    default_career: Identifier
    default_country: Identifier
    topics: Dict[Identifier, TopicInfo]
    countries: Dict[Identifier, Country]
    ambiguous_names: Dict[str, AmbiguousName] = Field(default_factory=dict)
    sources: Dict[Identifier, Source]
    careers: Dict[Identifier, Career]
    other_careers: Optional[OtherCareers] = None
    # Countries students ask about that the file has no facts for ("new zealand"): an answer whose
    # rules differ by country says it is not about them, rather than silently answering for the default
    other_countries: List[str] = Field(default_factory=list)
    # Where to look when the file has no answer: the NAACLS program finder, a state board, CSMLS...
    # Each says (with `answers`) which questions it is the pointer for.
    pointers: Dict[Identifier, Pointer] = Field(default_factory=dict)

    @validator("topics", "countries", "sources", "careers")
    def _not_empty(cls, v: Dict[str, Any], field: ModelField) -> Dict[str, Any]:
        if not v:
            raise ValueError(f"'{field.name}' needs at least one entry")
        return v

    def check_references(self) -> List[Tuple[Location, str]]:
        """Every id used must be defined, and every name must mean one thing."""
        return _ReferenceCheck(self).problems


# Two facts of one topic, from the same page, with the same numbers and at least this share of
# their words in common say the same thing twice, and a reply would show it twice. On the file of
# 2026-12-07, read pair by pair: all 11 such pairs at or above 0.45 were restatements (merged), and
# the closest pair that was not (one page's rule for MD lab directors beside its rule for PhDs) shares 0.41.
RESTATED_WORDS = 0.45
_FACT_WORDS = re.compile(r"[a-z0-9]+(?:[.,'][a-z0-9]+)*")
_FACT_NUMBERS = re.compile(r"\d+(?:[.,]\d+)*")


class _ReferenceCheck:
    """The cross-references of a knowledge file, checked one section at a time; `problems` lists
    (where, what) for each id used but not defined and each name claimed twice."""

    def __init__(self, knowledge: KnowledgeFile) -> None:
        self.k = knowledge
        self.problems: List[Tuple[Location, str]] = []
        self.country_names = {
            country_id: names_pattern([country_id, country.name, *country.aliases])
            for country_id, country in knowledge.countries.items()
        }
        self.names: Dict[str, Location] = {normalize_name(n): ("ambiguous_names",) for n in knowledge.ambiguous_names}
        self.defaults()
        self.ambiguous_names()
        for country_id, country in knowledge.countries.items():
            self.claim_names(("countries", country_id), country.aliases)
        self.regions()
        for career_id, career in knowledge.careers.items():
            self.career(career_id, career)
        self.claim_names(("other_countries",), knowledge.other_countries, field=None)
        if knowledge.other_careers is not None:
            self.claim_names(("other_careers", "names"), knowledge.other_careers.names, field=None)
            self.fact(("other_careers", "pointer"), knowledge.other_careers.pointer)
        for pointer_id, pointer in knowledge.pointers.items():
            where = ("pointers", pointer_id)
            if pointer.source is not None and pointer.source not in knowledge.sources:
                self.problems.append((where + ("source",), f"unknown source '{pointer.source}'"))
            if pointer.country is not None and pointer.country not in knowledge.countries:
                self.problems.append((where + ("country",), f"unknown country '{pointer.country}'"))

    def regions(self) -> None:
        """Each name means one region."""
        region_of: Dict[str, Location] = {}
        for country_id, country in self.k.countries.items():
            for region_id, names in country.regions.items():
                where = ("countries", country_id, "regions", region_id)
                for i, name in enumerate(names):
                    claimed = region_of.setdefault(normalize_name(name), where)
                    if claimed != where:
                        self.problems.append((where + (i,), f"'{name}' also names {'.'.join(map(str, claimed))}"))

    def career_ref(self, where: Location, career_id: str) -> None:
        if career_id not in self.k.careers:
            self.problems.append((where, f"unknown career '{career_id}'"))

    def fact(self, where: Location, fact: Fact) -> None:
        if fact.source not in self.k.sources:
            self.problems.append((where + ("source",), f"unknown source '{fact.source}'"))
        if fact.country is not None and fact.country not in self.k.countries:
            self.problems.append((where + ("country",), f"unknown country '{fact.country}'"))
        elif fact.country is not None and fact.country != self.k.default_country:
            # "how long is the program?" on a fact for Canada would answer a student who named no
            # country (the default's) with Canada's rules: a phrasing names the country it is about
            for i, asked in enumerate(fact.answers):
                if not self.country_names[fact.country].search(asked):
                    country = self.k.countries[fact.country].name
                    self.problems.append(
                        (where + ("answers", i), f"'{asked}' is on a fact for {country} but does not name it")
                    )
        for i, career_id in enumerate(fact.also_for):
            self.career_ref(where + ("also_for", i), career_id)

    def restatements(self, where: Location, facts: List[Fact]) -> None:
        """A fact that says again what an earlier fact of the topic, from the same page, says."""
        by_page: Dict[str, List[Tuple[int, FrozenSet[str], FrozenSet[str]]]] = {}
        for i, fact in enumerate(facts):
            source = self.k.sources.get(fact.source)
            page = _page(source.url) if source is not None and source.url else fact.source
            words = frozenset(_FACT_WORDS.findall(fact.text.lower()))
            numbers = frozenset(_FACT_NUMBERS.findall(fact.text))
            for j, words_j, numbers_j in by_page.get(page, []):
                if numbers == numbers_j and len(words & words_j) >= RESTATED_WORDS * len(words | words_j):
                    self.problems.append(
                        (
                            where + ("facts", i, "text"),
                            f"says again what facts[{j}], from the same page, says: merge the two "
                            "(one text, both facts' answers)",
                        )
                    )
                    break
            by_page.setdefault(page, []).append((i, words, numbers))

    def claim_names(self, owner: Location, aliases: List[str], field: Optional[str] = "aliases") -> None:
        for i, alias in enumerate(aliases):
            if normalize_name(alias) in self.names:
                where = owner + ((field, i) if field else (i,))
                self.problems.append(
                    (where, f"'{alias}' already names {_path_text(self.names[normalize_name(alias)])}")
                )
            self.names[normalize_name(alias)] = owner

    def defaults(self) -> None:
        self.career_ref(("default_career",), self.k.default_career)
        if self.k.default_country not in self.k.countries:
            self.problems.append((("default_country",), f"unknown country '{self.k.default_country}'"))

    def ambiguous_names(self) -> None:
        for name, ambiguous in self.k.ambiguous_names.items():
            for i, career_id in enumerate(ambiguous.careers):
                self.career_ref(("ambiguous_names", name, "careers", i), career_id)
            self.fact(("ambiguous_names", name, "explanation"), ambiguous.explanation)

    def career(self, career_id: str, career: Career) -> None:
        self.claim_names(("careers", career_id), career.aliases)
        if career.compare_with is not None:
            self.career_ref(("careers", career_id, "compare_with"), career.compare_with)
        for i, related in enumerate(career.related):
            self.career_ref(("careers", career_id, "related", i), related)
        for topic_id, topic in career.topics.items():
            self.career_topic(("careers", career_id, "topics", topic_id), topic_id, topic)
        if career.levels is not None:
            self.levels(("careers", career_id, "levels"), career, career.levels)

    def levels(self, where: Location, career: Career, levels: CredentialLevels) -> None:
        own = {normalize_name(n) for n in [career.name, *career.aliases]}
        for i, group in enumerate(levels.names):
            for j, name in enumerate(group):
                if normalize_name(name) not in own:
                    self.problems.append((where + ("names", i, j), f"'{name}' is not a name of this career"))
        if career.levels_difference() is None:
            self.problems.append((where + ("topic",), f"no fact under '{levels.topic}' names two of the levels"))

    def career_topic(self, where: Location, topic_id: str, topic: CareerTopic) -> None:
        if topic_id not in self.k.topics:
            self.problems.append((where[:-1], f"unknown topic '{topic_id}' (not under the top-level 'topics:')"))
        for i, follow_up in enumerate(topic.follow_ups):
            if follow_up not in self.k.topics:
                self.problems.append((where + ("follow_ups", i), f"unknown topic '{follow_up}'"))
            elif follow_up == topic_id:
                self.problems.append((where + ("follow_ups", i), "a topic cannot follow itself"))
        for i, fact in enumerate(topic.facts):
            self.fact(where + ("facts", i), fact)
        self.restatements(where, topic.facts)
        if topic.brief is not None:
            self.fact(where + ("brief",), topic.brief)


def names_pattern(names: Iterable[str], endings: str = "") -> re.Pattern[str]:
    """Any of the names as whole words, longest first, ignoring case, optionally followed by one of
    `endings` (a regex: plurals, possessives); with no names, a pattern that matches nothing."""
    alternatives = "|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True)) or "(?!)"
    return re.compile(rf"\b(?:{alternatives}){endings}(?!\w)", re.IGNORECASE)


TYPOGRAPHIC_APOSTROPHES = re.compile("[\u2018\u2019\u02bc\u0060\u00b4]")


def normalize_name(name: str) -> str:
    """How names are compared: lowercase, plain spaces, no surrounding punctuation or possessive:
    "Lab Techs'" -> "lab techs"; a typographic apostrophe ("pathologists’ assistant") is a plain one."""
    name = re.sub(r"[\s_]+", " ", TYPOGRAPHIC_APOSTROPHES.sub("'", name).lower()).strip(" .,!?;:'\"()")
    return re.sub(r"'s$", "", name)


def _path_text(loc: Location) -> str:
    return ".".join(str(p) for p in loc)


def _page(url: str) -> str:
    """A source's page, however its address is written: scheme, "www." and a final slash aside."""
    return re.sub(r"^https?://(www\.)?", "", url.lower()).rstrip("/")
