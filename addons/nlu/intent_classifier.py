"""A Rasa intent classifier: logistic regression over TF-IDF-weighted features, one block per featurizer.

Rasa's own LogisticRegressionClassifier fits raw counts side by side with dense vectors, so a
message's character n-gram counts (dozens, unbounded) drown its sentence embedding (length 1), and
it offers no control of regularisation. Here every featurizer's sentence features are a block of
their own:
- sparse counts (word and character n-grams, regex matches) are TF-IDF-weighted with sublinear term
  frequency, so frequent n-grams stop dominating, and scaled to unit length;
- dense vectors (the sentence embedding) are scaled to unit length;
so each featurizer weighs the same, unless `weights` (by featurizer `alias`) says otherwise. The
regularisation strength `C` is configurable.

On this project's data, with the same features (5-fold cross-validation, intent macro-F1), Rasa's
LogisticRegressionClassifier scores 0.885, no better than without the embedding; this one 0.93,
and 0.95 with the embedding's block weighted 2 (config.yml).
The model is stored as plain arrays (`.npz`), never a pickle.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text, Tuple, Type

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.linear_model import LogisticRegression

logger = logging.getLogger(__name__)

MODEL_FILE = "intent_classifier.npz"


class FeatureBlocks:
    """How each featurizer's sentence features become one row: origins, widths, IDF and weights."""

    def __init__(
        self,
        origins: List[str],
        widths: List[int],
        idf: List[Optional[np.ndarray]],
        weights: Optional[Dict[str, float]] = None,
    ) -> None:
        self.origins, self.widths, self.idf = origins, widths, idf
        self.weights = weights or {}

    @classmethod
    def fit(cls, messages: List[Message], weights: Optional[Dict[str, float]] = None) -> FeatureBlocks:
        """Finds the blocks in training messages and each sparse block's inverse document frequency."""
        rows = [_sentence_features(message) for message in messages]
        found: Dict[str, Tuple[int, bool]] = {}
        for features in rows:
            for origin, matrix in features.items():
                found[origin] = (matrix.shape[1], scipy.sparse.issparse(matrix))
        origins = sorted(found)
        widths = [found[origin][0] for origin in origins]
        unknown = sorted(set(weights or {}) - set(origins))
        if unknown:
            raise ValueError(
                f"The intent classifier's weights name {unknown}, but the featurizers are "
                f"{origins}: give the featurizer that `alias`."
            )
        blocks = cls(origins, widths, [None] * len(origins), weights)
        for index, origin in enumerate(origins):
            if found[origin][1]:
                counts = blocks._raw_block(rows, index)
                counts.eliminate_zeros()
                document_frequency = np.bincount(counts.indices, minlength=counts.shape[1])
                # sklearn's smooth IDF: unseen features get the largest weight, nothing divides by 0
                blocks.idf[index] = 1.0 + np.log((1 + len(rows)) / (1 + document_frequency))
        return blocks

    def transform(self, messages: List[Message]) -> scipy.sparse.csr_matrix:
        """One row per message: the weighted, unit-length blocks side by side."""
        rows = [self.row(message) for message in messages]
        indptr = np.cumsum([0] + [len(columns) for columns, _ in rows])
        columns = np.concatenate([c for c, _ in rows]) if rows else np.zeros(0, dtype=np.int64)
        values = np.concatenate([v for _, v in rows]) if rows else np.zeros(0)
        return scipy.sparse.csr_matrix((values, columns, indptr), shape=(len(rows), sum(self.widths)))

    def scores(self, message: Message, coef: np.ndarray) -> np.ndarray:
        """`transform([message]) @ coef.T` from the message's non-zero features alone: the same
        numbers without building sparse matrices, which for one message cost more than the
        arithmetic (about 2 ms of a turn's 25)."""
        columns, values = self.row(message)
        return np.asarray(coef[:, columns] @ values)

    def row(self, message: Message) -> Tuple[np.ndarray, np.ndarray]:
        """A message's row as the columns and values of its non-zero features: each sparse block
        TF-IDF-weighted with sublinear term frequency, each block of unit length, times its weight."""
        features = _sentence_features(message)
        columns: List[np.ndarray] = [np.zeros(0, dtype=np.int64)]
        values: List[np.ndarray] = [np.zeros(0)]
        offset = 0
        for origin, width, idf in zip(self.origins, self.widths, self.idf, strict=True):
            matrix = features.get(origin)
            if matrix is not None:  # None: e.g. an empty message, no features from this featurizer
                block = _checked_block(origin, matrix, width)
                block.sum_duplicates()
                block.eliminate_zeros()
                data, indices = block.data, block.indices
                if idf is not None:
                    data = (1.0 + np.log(np.maximum(data, 1e-12))) * idf[indices]
                norm = float(np.sqrt(data @ data))
                if norm:
                    columns.append(offset + indices.astype(np.int64))
                    values.append(data * (1.0 / norm) * self.weights.get(origin, 1.0))
            offset += width
        return np.concatenate(columns), np.concatenate(values)

    def _raw_block(self, rows: List[Dict[str, Any]], index: int) -> scipy.sparse.csr_matrix:
        origin, width = self.origins[index], self.widths[index]
        empty = scipy.sparse.csr_matrix((1, width))
        matrices = [_checked_block(origin, features.get(origin, empty), width) for features in rows]
        return scipy.sparse.vstack(matrices, format="csr")


def _checked_block(origin: str, matrix: Any, width: int) -> scipy.sparse.csr_matrix:
    """A featurizer's sentence features as a sparse row, if as wide as at training."""
    if matrix.shape[1] != width:
        raise ValueError(
            f"Features from {origin} have {matrix.shape[1]} columns; the intent classifier "
            f"was trained with {width}. Retrain the model (make train)."
        )
    return scipy.sparse.csr_matrix(matrix, dtype=np.float64)


def _sentence_features(message: Message) -> Dict[str, Any]:
    """The message text's sentence features, by the featurizer that made them."""
    found = {}
    for features in message.features:
        if features.attribute == TEXT and features.type == FEATURE_TYPE_SENTENCE:
            origin = features.origin if isinstance(features.origin, str) else "+".join(features.origin)
            found[origin] = features.features
    return found


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class TfidfLogisticRegressionClassifier(IntentClassifier, GraphComponent):
    """Intent classifier: multinomial logistic regression over per-featurizer weighted blocks."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Featurizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # Inverse regularisation strength. 5-fold intent macro-F1 on this project's data:
            # C=1 0.927, C=10 0.932-0.935, C=30 0.938; beyond 10 the gain is within fold noise.
            "C": 10.0,
            # Length of a featurizer's block, by the featurizer's `alias` (otherwise 1).
            "weights": {},
            "max_iter": 3000,
            "ranking_length": 10,
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        blocks: Optional[FeatureBlocks] = None,
        classes: Optional[np.ndarray] = None,
        coef: Optional[np.ndarray] = None,
        intercept: Optional[np.ndarray] = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self.validate_config(self.config)
        self._model_storage, self._resource = model_storage, resource
        self.blocks, self.classes, self.coef, self.intercept = blocks, classes, coef, intercept

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TfidfLogisticRegressionClassifier:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            logger.debug("No intent examples; the intent classifier is left untrained.")
            return self._resource
        self.blocks = FeatureBlocks.fit(examples, self.config["weights"])
        features, labels = self.blocks.transform(examples), [e.get(INTENT) for e in examples]
        if len(set(labels)) == 1:  # nothing to tell apart: that intent, always
            self.classes = np.array(labels[:1])
            self.coef, self.intercept = np.zeros((1, features.shape[1])), np.zeros(1)
        else:
            model = LogisticRegression(C=self.config["C"], max_iter=self.config["max_iter"], class_weight="balanced")
            model.fit(features, labels)
            self.classes, self.coef, self.intercept = model.classes_, model.coef_, model.intercept_
        if len(self.classes) == 2:
            # sklearn keeps one row for two classes, P(second) = sigmoid(score); as a softmax
            # that is the scores (0, score)
            self.coef = np.vstack([np.zeros_like(self.coef), self.coef])
            self.intercept = np.concatenate([np.zeros_like(self.intercept), self.intercept])
        self.persist()
        return self._resource

    def probabilities(self, messages: List[Message]) -> np.ndarray:
        """Each message's probability of each intent (rows sum to 1)."""
        assert self.blocks is not None and self.coef is not None and self.intercept is not None
        if len(messages) == 1:  # a served message: the fast path, the same numbers
            scores = self.blocks.scores(messages[0], self.coef)[None, :] + self.intercept
        else:
            scores = np.asarray(self.blocks.transform(messages) @ self.coef.T) + self.intercept
        scores = np.exp(scores - scores.max(axis=1, keepdims=True))
        return scores / scores.sum(axis=1, keepdims=True)

    def process(self, messages: List[Message]) -> List[Message]:
        """Sets each message's intent and intent ranking (untrained: leaves them unset)."""
        if self.coef is None or not messages:
            return messages
        for message, probabilities in zip(messages, self.probabilities(messages), strict=True):
            ranking = [
                {"name": str(self.classes[i]), "confidence": float(probabilities[i])}
                for i in np.argsort(-probabilities)
            ]
            message.set(INTENT, ranking[0], add_to_output=True)
            if self.config["ranking_length"] > 0:
                ranking = ranking[: self.config["ranking_length"]]
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages

    def persist(self) -> None:
        assert self.blocks is not None
        sparse = [idf is not None for idf in self.blocks.idf]
        arrays = {
            "origins": np.array(self.blocks.origins),
            "widths": np.array(self.blocks.widths),
            "sparse": np.array(sparse),
            "weights": np.array([self.blocks.weights.get(o, 1.0) for o in self.blocks.origins]),
            "classes": np.array(self.classes, dtype=str),
            "coef": self.coef,
            "intercept": self.intercept,
        }
        for index, idf in enumerate(self.blocks.idf):
            if idf is not None:
                arrays[f"idf_{index}"] = idf
        with self._model_storage.write_to(self._resource) as directory:
            np.savez(directory / MODEL_FILE, **arrays)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> TfidfLogisticRegressionClassifier:
        try:
            with model_storage.read_from(resource) as directory:
                stored = np.load(directory / MODEL_FILE, allow_pickle=False)
                idf = [
                    stored[f"idf_{index}"] if is_sparse else None for index, is_sparse in enumerate(stored["sparse"])
                ]
                origins = [str(o) for o in stored["origins"]]
                weights = dict(zip(origins, (float(w) for w in stored["weights"]), strict=True))
                blocks = FeatureBlocks(origins, [int(w) for w in stored["widths"]], idf, weights)
                return cls(
                    config,
                    model_storage,
                    resource,
                    blocks,
                    stored["classes"],
                    stored["coef"],
                    stored["intercept"],
                )
        except ValueError:
            # Rasa's convention: a resource that was never written (no intent examples) loads untrained.
            logger.debug(f"No trained intent classifier in resource '{resource.name}'.")
            return cls.create(config, model_storage, resource, execution_context)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        """Refuse a configuration the classifier cannot train with, saying which setting is wrong."""

        def positive(value: Any) -> bool:
            return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0

        problems = []
        if not positive(config.get("C")):
            problems.append(f"'C' must be a number above 0, not {config.get('C')!r}")
        weights = config.get("weights")
        if not isinstance(weights, dict) or not all(isinstance(k, str) and positive(w) for k, w in weights.items()):
            problems.append(f"'weights' must map featurizer aliases to numbers above 0, not {weights!r}")
        for key, least in (("max_iter", 1), ("ranking_length", 0)):
            value = config.get(key)
            if not isinstance(value, int) or isinstance(value, bool) or value < least:
                problems.append(f"'{key}' must be a whole number of at least {least}, not {value!r}")
        if problems:
            raise InvalidConfigException(f"{cls.__name__} in config.yml: " + "; ".join(problems) + ".")
