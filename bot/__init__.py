"""Lab Career Advisor's knowledge core: load, validate and query the curated knowledge file.

Plain Python with no Rasa import, so it can be tested and reused on its own; `actions/` translates
between Rasa and this package.
"""

from bot.answers import (
    RELATED_CAREERS,
    Answer,
    Question,
    answer,
    compare,
    describe_topics,
    topics_overview,
)
from bot.knowledge_base import KnowledgeBase, Topic
from bot.loader import DEFAULT_KNOWLEDGE_FILE, KnowledgeFileError, load_knowledge
from bot.reloading import ReloadingKnowledge

__all__ = [
    "RELATED_CAREERS",
    "Answer",
    "Question",
    "answer",
    "compare",
    "DEFAULT_KNOWLEDGE_FILE",
    "KnowledgeBase",
    "KnowledgeFileError",
    "ReloadingKnowledge",
    "Topic",
    "describe_topics",
    "load_knowledge",
    "topics_overview",
]
