"""A Rasa dense featurizer: each message's sentence embedding (bot/sentence_encoder.py).

It adds one sentence-level feature vector per message text (no per-token vectors: the intent
classifier reads sentence features only, and entities come from the lookup extractor). Vectors are
remembered by text within a process, so cross-validation folds and repeated messages are encoded
once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Dict, List, Text

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

from bot.sentence_encoder import SentenceEncoder, shared_encoder

CACHE_SIZE = 20_000  # vectors (1.5 kB each)
_cache: OrderedDict[str, np.ndarray] = OrderedDict()
_cache_lock = threading.Lock()  # the Rasa server may featurize in more than one thread


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
        """Adds a sentence feature to every message that has text."""
        with_text = [message for message in messages if message.get(TEXT)]
        vectors = embeddings(self.encoder, [message.get(TEXT) for message in with_text])
        for message, vector in zip(with_text, vectors, strict=True):
            self.add_features_to_message(sequence=None, sentence=vector[np.newaxis, :], attribute=TEXT, message=message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data
