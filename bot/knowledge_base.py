"""Read-only queries over a validated knowledge file: topics, careers, countries, facts, sources,
and what the names students use (lab tech, MLS, Canada, "clinical technician") refer to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, FrozenSet, List, Optional, Tuple

from bot.schema import (
    AmbiguousName,
    Career,
    CareerTopic,
    Country,
    Fact,
    KnowledgeFile,
    OtherCareers,
    Pointer,
    Source,
    names_pattern,
)
from bot.schema import normalize_name as normalize


@dataclass(frozen=True)
class Topic:
    """A topic the assistant can talk about: `title` labels a button, `about` describes it."""

    id: str
    title: str
    about: str
    menu: bool = False
    asks: Tuple[str, ...] = ()  # general questions on the topic


@dataclass(frozen=True)
class CareerMatch:
    """What a name refers to: a career, and the ambiguous name when it could mean others too."""

    career_id: str
    ambiguous_name: Optional[str] = None


class UnknownCareerError(KeyError):
    """A career id that the knowledge file does not define."""


class KnowledgeBase:
    """The knowledge file, validated and ready to query. Build it with `bot.load_knowledge`."""

    def __init__(self, data: KnowledgeFile) -> None:
        self._data = data
        self._topics = [
            Topic(id=tid, title=t.title, about=t.about, menu=t.menu, asks=tuple(t.asks))
            for tid, t in data.topics.items()
        ]
        self._career_names: Dict[str, CareerMatch] = {}
        for career_id, career in data.careers.items():
            for name in [career_id, career.name, career.plural, *career.aliases]:
                self._career_names[normalize(name)] = CareerMatch(career_id)
        for name, ambiguous in data.ambiguous_names.items():
            self._career_names[normalize(name)] = CareerMatch(ambiguous.careers[0], name)
        self._country_names: Dict[str, str] = {}
        for country_id, country in data.countries.items():
            for name in [country_id, country.name, *country.aliases]:
                self._country_names[normalize(name)] = country_id
        self._covered_country_pattern = names_pattern(self._country_names)
        self._region_names: Dict[str, str] = {}
        for country in data.countries.values():
            for region_id, names in country.regions.items():
                self._region_names.update((normalize(name), region_id) for name in names)
        self._region_pattern = names_pattern(self._region_names)
        self._other_countries = {normalize(name): name for name in data.other_countries}
        self._other_country_pattern = names_pattern(self._other_countries)

    # topics
    def topics(self) -> List[Topic]:
        """All topics, in the order the knowledge file lists them."""
        return list(self._topics)

    def topic(self, topic_id: str) -> Optional[Topic]:
        return next((t for t in self._topics if t.id == topic_id), None)

    # careers
    @property
    def default_career(self) -> str:
        return self._data.default_career

    def career_ids(self) -> List[str]:
        return list(self._data.careers)

    def career(self, career_id: Optional[str] = None) -> Career:
        career_id = career_id or self.default_career
        try:
            return self._data.careers[career_id]
        except KeyError:
            raise UnknownCareerError(career_id) from None

    def career_topic(self, topic_id: str, career_id: Optional[str] = None) -> Optional[CareerTopic]:
        """What the file says on `topic_id` for the career, or None where it has no entry."""
        return self.career(career_id).topics.get(topic_id)

    def resolve_career(self, name: str) -> Optional[CareerMatch]:
        """The career a name refers to ("lab techs", "MLS", a career id), or None."""
        key = normalize(name)
        singulars = [key[:-1]] if key.endswith("s") else []  # techs -> tech
        singulars += [key[:-2]] if key.endswith("es") else []
        return next((self._career_names[k] for k in [key, *singulars] if k in self._career_names), None)

    def ambiguity(self, name: str) -> AmbiguousName:
        return self._data.ambiguous_names[name]

    def career_names(self) -> List[str]:
        """Every name the file gives careers (aliases and ambiguous names), for NLU lookups."""
        names = [alias for career in self._data.careers.values() for alias in career.aliases]
        return names + list(self._data.ambiguous_names)

    @property
    def other_careers(self) -> Optional[OtherCareers]:
        """Jobs the file does not cover, and where to look for them instead."""
        return self._data.other_careers

    def other_career_names(self) -> List[str]:
        """Names of jobs the file does not cover ("nurse"), for NLU lookups."""
        return list(self._data.other_careers.names) if self._data.other_careers else []

    # countries
    @property
    def default_country(self) -> str:
        return self._data.default_country

    def country(self, country_id: str) -> Country:
        return self._data.countries[country_id]

    def country_ids(self) -> List[str]:
        return list(self._data.countries)

    def resolve_country(self, name: str) -> Optional[str]:
        return self._country_names.get(normalize(name))

    def uncovered_country(self, text: Optional[str]) -> Optional[str]:
        """A country the message names that the file has no facts for ("New Zealand"), as the file
        spells it; None if it names none, or also names a country the file covers ("I trained in
        India, can I work in Canada?" is about Canada)."""
        found = self._other_country_pattern.search(text or "")
        if found is None or self._covered_country_pattern.search(str(text)):
            return None
        return self._other_countries[normalize(found.group(0))]

    def region_ids(self) -> List[str]:
        """The states and provinces the file tells apart (`regions` under `countries`)."""
        return list(dict.fromkeys(self._region_names.values()))

    def regions_named(self, text: Optional[str]) -> FrozenSet[str]:
        """The regions a text names: "do I need a licence in Ontario?" -> {"ontario"}."""
        found = self._region_pattern.finditer(text or "")
        return frozenset(self._region_names[normalize(match.group(0))] for match in found)

    def country_names(self) -> List[str]:
        return [alias for country in self._data.countries.values() for alias in country.aliases]

    # facts and sources
    def source(self, source_id: str) -> Source:
        return self._data.sources[source_id]

    def pointers(self) -> Dict[str, Pointer]:
        """Where to look when the file has no answer, by id."""
        return dict(self._data.pointers)

    def all_facts(self) -> List[Fact]:
        facts = [f for c in self._data.careers.values() for t in c.topics.values() for f in t.facts]
        facts += [a.explanation for a in self._data.ambiguous_names.values()]
        return facts + ([self._data.other_careers.pointer] if self._data.other_careers else [])

    def summary(self) -> str:
        return (
            f"{len(self._data.careers)} careers, {len(self._topics)} topics, "
            f"{len(self.all_facts())} facts, {len(self._data.sources)} sources"
        )
