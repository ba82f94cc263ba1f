"""A Rasa dense featurizer: each message's sentence embedding (bot/sentence_encoder.py).

It adds one sentence-level feature vector per message text (no per-token vectors: the intent
classifier reads sentence features only, and entities come from the lookup extractor).

A message the server answers is also encoded as the action server's ranking reads it, without
its career names (`bot.matching.without_career_names`), in the same pass of the encoder (the same
vector when it names no career), and the action call carries that vector (`given_vector`), so the
action server does not encode the message again. (Classifying the message by that vector instead
was tried: cross-validated F1 0.957 against 0.954, but two fewer real questions answered, as
"what is histotechnology?" became "what is?".) Vectors are remembered by text within a process,
so cross-validation folds and repeated messages are encoded once.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import KnowledgeFileError, load_knowledge
from bot.matching import GivenVector, career_names_pattern, made_by, without_career_names
from bot.sentence_encoder import SentenceEncoder, shared_encoder
from stack.settings import current as current_settings

logger = logging.getLogger(__name__)

CACHE_SIZE = 20_000  # vectors (1.5 kB each)
_cache: OrderedDict[str, np.ndarray] = OrderedDict()
_cache_lock = threading.Lock()  # the Rasa server may featurize in more than one thread
# the latest messages' vectors by what was typed, for the action calls of their turns
GIVEN_SIZE = 1_000
_given: OrderedDict[str, GivenVector] = OrderedDict()


def given_vector(text: str) -> Optional[GivenVector]:
    """The vector this process made for a message it featurized lately, with what it was made from."""
    with _cache_lock:
        return _given.get(text)


def _remember_given(texts: List[str], given: List[GivenVector]) -> None:
    with _cache_lock:
        for text, vector in zip(texts, given, strict=True):
            _given[text] = vector
            _given.move_to_end(text)
        while len(_given) > GIVEN_SIZE:
            _given.popitem(last=False)


def knowledge_career_names() -> Optional[re.Pattern[str]]:
    """The career names of the knowledge file the action server reads (LAB_ADVISOR_KNOWLEDGE_FILE);
    None if it cannot be read (its messages are then encoded whole, and the action server, seeing
    another text, encodes them itself)."""
    try:
        return career_names_pattern(load_knowledge(current_settings().knowledge_file))
    except KnowledgeFileError as error:
        logger.warning("Career names not read, messages are encoded with them: %s", error)
        return None


def embeddings(encoder: SentenceEncoder, texts: List[str]) -> List[np.ndarray]:
    """The embedding of each text, encoding only those not seen recently."""
    with _cache_lock:
        known = {text: _cache[text] for text in texts if text in _cache}
    missing = [text for text in dict.fromkeys(texts) if text not in known]
    known.update(zip(missing, encoder.encode(missing), strict=True) if missing else [])
    with _cache_lock:
        for text, vector in known.items():
            _cache[text] = vector
            _cache.move_to_end(text)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return [known[text] for text in texts]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds the all-MiniLM-L6-v2 sentence embedding of each message text as a dense feature."""

    def __init__(self, config: Dict[Text, Any], name: Text) -> None:
        super().__init__(name, config)
        self.encoder = shared_encoder()
        self.career_names = knowledge_career_names()

    def ranked_text(self, text: str) -> str:
        """A message as the action server ranks it: without career names."""
        return without_career_names(self.career_names, text) if self.career_names else text

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEmbeddingFeaturizer:
        return cls(config, execution_context.node_name)

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        """The only setting is Rasa's `alias` (a name for the classifier's `weights`)."""
        alias = config.get("alias")
        if alias is not None and not (isinstance(alias, str) and alias.strip()):
            raise InvalidConfigException(f"{cls.__name__} in config.yml: 'alias' must be a name, not {alias!r}.")

    def process(self, messages: List[Message]) -> List[Message]:
        """Adds a sentence feature to every message that has text, and remembers the vector of the
        text as the action server ranks it, for the message's action call."""
        with_text = [message for message in messages if message.get(TEXT)]
        texts = [message.get(TEXT) for message in with_text]
        ranked = [self.ranked_text(text) for text in texts]
        vectors = embeddings(self.encoder, texts + ranked)  # one pass; a text naming no career once
        self._add_features(with_text, vectors[: len(texts)])
        encoder = made_by(self.encoder)
        _remember_given(texts, [GivenVector(r, encoder, v) for r, v in zip(ranked, vectors[len(texts) :], strict=True)])
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Adds the sentence features to the training examples (no action calls: nothing to remember)."""
        with_text = [message for message in training_data.training_examples if message.get(TEXT)]
        self._add_features(with_text, embeddings(self.encoder, [message.get(TEXT) for message in with_text]))
        return training_data

    def _add_features(self, messages: List[Message], vectors: List[np.ndarray]) -> None:
        for message, vector in zip(messages, vectors, strict=True):
            self.add_features_to_message(sequence=None, sentence=vector[np.newaxis, :], attribute=TEXT, message=message)
