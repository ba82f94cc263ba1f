"""Read-only queries over a validated knowledge file: topics, careers, facts and sources."""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional

from bot.schema import Career, CareerTopic, KnowledgeFile, Source


@dataclass(frozen=True)
class Topic:
    """A topic the assistant can talk about: `title` labels a button, `about` describes it."""

    id: str
    title: str
    about: str


class UnknownCareerError(KeyError):
    """A career id that the knowledge file does not define."""


class KnowledgeBase:
    """The knowledge file, validated and ready to query. Build it with `bot.load_knowledge`."""

    def __init__(self, data: KnowledgeFile) -> None:
        self._data = data
        self._topics = [Topic(id=tid, title=t.title, about=t.about) for tid, t in data.topics.items()]

    @property
    def default_career(self) -> str:
        return self._data.default_career

    def topics(self) -> List[Topic]:
        """All topics, in the order the knowledge file lists them."""
        return list(self._topics)

    def topic(self, topic_id: str) -> Optional[Topic]:
        return next((t for t in self._topics if t.id == topic_id), None)

    def career(self, career_id: Optional[str] = None) -> Career:
        career_id = career_id or self.default_career
        try:
            return self._data.careers[career_id]
        except KeyError:
            raise UnknownCareerError(career_id) from None

    def career_topic(self, topic_id: str, career_id: Optional[str] = None) -> Optional[CareerTopic]:
        """What the file says on `topic_id` for the career, or None where it says nothing."""
        return self.career(career_id).topics.get(topic_id)

    def source(self, source_id: str) -> Source:
        return self._data.sources[source_id]

    def summary(self) -> str:
        facts = sum(len(t.facts) for c in self._data.careers.values() for t in c.topics.values())
        return (
            f"{len(self._data.careers)} career(s), {len(self._topics)} topics, "
            f"{facts} facts, {len(self._data.sources)} sources"
        )
