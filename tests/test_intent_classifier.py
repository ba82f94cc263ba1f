"""addons/nlu/intent_classifier.py: per-featurizer TF-IDF blocks, a logistic regression over them, and a
model that survives being stored and loaded."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import numpy as np
import pytest
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from addons.nlu.intent_classifier import FeatureBlocks, TfidfLogisticRegressionClassifier
from addons.nlu.sentence_featurizer import SentenceEmbeddingFeaturizer

WORDS = ["salary", "pay", "school", "degree", "the", "a"]


def message(words: List[str], dense: Optional[List[float]] = None, intent: Optional[str] = None) -> Message:
    """A message with word-count sentence features (and optionally a dense one), as featurizers make."""
    result = Message(data={TEXT: " ".join(words), **({INTENT: intent} if intent else {})})
    counts = np.array([[words.count(w) for w in WORDS]], dtype=float)
    result.add_features(Features(scipy.sparse.coo_matrix(counts), FEATURE_TYPE_SENTENCE, TEXT, "words"))
    if dense is not None:
        result.add_features(Features(np.array([dense]), FEATURE_TYPE_SENTENCE, TEXT, "embedding"))
    return result


def training_messages() -> List[Message]:
    return [
        message(["salary", "the"], [1.0, 0.0], "ask_salary"),
        message(["pay", "pay", "a"], [0.9, 0.1], "ask_salary"),
        message(["salary", "pay", "the"], [1.0, 0.0], "ask_salary"),
        message(["school", "the"], [0.0, 1.0], "ask_education"),
        message(["degree", "a"], [0.1, 0.9], "ask_education"),
        message(["school", "degree", "the"], [0.0, 1.0], "ask_education"),
    ]


@pytest.fixture
def storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


def trained(storage: LocalModelStorage, **config) -> TfidfLogisticRegressionClassifier:
    classifier = TfidfLogisticRegressionClassifier.create(config, storage, Resource("intent"), context())
    classifier.train(TrainingData(training_messages()))
    return classifier


def context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


def test_blocks_are_unit_length_and_rare_words_weigh_more() -> None:
    messages = training_messages()
    blocks = FeatureBlocks.fit(messages)
    assert blocks.origins == ["embedding", "words"]
    row = blocks.transform([message(["salary", "the"], [3.0, 4.0])]).toarray()[0]
    embedding, words = row[:2], row[2:]
    np.testing.assert_allclose(embedding, [0.6, 0.8])
    assert np.linalg.norm(words) == pytest.approx(1.0)
    # "the" is in 4 of 6 training messages, "salary" in 2: the rarer word gets the larger weight
    assert words[WORDS.index("salary")] > words[WORDS.index("the")] > 0


def test_classifies_by_the_words_and_ranks_all_intents(storage: LocalModelStorage) -> None:
    classifier = trained(storage)
    pay, school = message(["pay", "the"], [0.8, 0.2]), message(["degree", "school"], [0.2, 0.8])
    classifier.process([pay, school])
    assert pay.get(INTENT)["name"] == "ask_salary"
    assert school.get(INTENT)["name"] == "ask_education"
    ranking = pay.get("intent_ranking")
    assert [r["name"] for r in ranking] == ["ask_salary", "ask_education"]
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)
    assert ranking[0]["confidence"] > 0.5


def test_ranking_length_limits_the_ranking_not_the_intent(storage: LocalModelStorage) -> None:
    classifier = trained(storage, ranking_length=1)
    pay = classifier.process([message(["pay"], [1.0, 0.0])])[0]
    assert len(pay.get("intent_ranking")) == 1
    assert pay.get(INTENT)["name"] == "ask_salary"


def test_stored_model_loads_with_the_same_predictions(storage: LocalModelStorage) -> None:
    classifier = trained(storage)
    loaded = TfidfLogisticRegressionClassifier.load({}, storage, Resource("intent"), context())
    probe = [message(["pay", "school"], [0.5, 0.5]), message(["salary"], [0.7, 0.3])]
    np.testing.assert_allclose(loaded.probabilities(probe), classifier.probabilities(probe))
    assert list(loaded.classes) == ["ask_education", "ask_salary"]


def test_message_missing_a_featurizer_block_is_still_classified(storage: LocalModelStorage) -> None:
    classifier = trained(storage)
    no_embedding = message(["salary", "pay"])
    nothing = Message(data={TEXT: ""})
    classifier.process([no_embedding, nothing])
    assert no_embedding.get(INTENT)["name"] == "ask_salary"
    assert sum(r["confidence"] for r in nothing.get("intent_ranking")) == pytest.approx(1.0)


def test_without_intent_examples_it_stays_untrained(storage: LocalModelStorage) -> None:
    classifier = TfidfLogisticRegressionClassifier.create({}, storage, Resource("intent"), context())
    classifier.train(TrainingData([message(["salary"])]))
    assert classifier.process([message(["pay"])])[0].get(INTENT) is None
    loaded = TfidfLogisticRegressionClassifier.load({}, storage, Resource("intent"), context())
    assert loaded.coef is None


def test_a_single_intent_is_always_that_intent(storage: LocalModelStorage) -> None:
    classifier = TfidfLogisticRegressionClassifier.create({}, storage, Resource("intent"), context())
    classifier.train(TrainingData([message(["salary"], intent="ask_salary"), message(["pay"], intent="ask_salary")]))
    school = classifier.process([message(["school"])])[0]
    assert school.get(INTENT) == {"name": "ask_salary", "confidence": 1.0}


def test_features_of_another_width_than_trained_are_an_error_naming_the_featurizer(
    storage: LocalModelStorage,
) -> None:
    classifier = trained(storage)
    wider = Message(data={TEXT: "pay"})
    wider.add_features(Features(scipy.sparse.coo_matrix(np.ones((1, 9))), FEATURE_TYPE_SENTENCE, TEXT, "words"))
    with pytest.raises(ValueError, match="Features from words have 9 columns; .* trained with 6"):
        classifier.process([wider])


def test_a_weighted_block_is_that_long_and_survives_storing(storage: LocalModelStorage) -> None:
    blocks = FeatureBlocks.fit(training_messages(), {"embedding": 2.0})
    row = blocks.transform([message(["salary"], [3.0, 4.0])]).toarray()[0]
    np.testing.assert_allclose(row[:2], [1.2, 1.6])
    assert np.linalg.norm(row[2:]) == pytest.approx(1.0)

    classifier = trained(storage, weights={"embedding": 2.0})
    loaded = TfidfLogisticRegressionClassifier.load({}, storage, Resource("intent"), context())
    assert loaded.blocks.weights == {"embedding": 2.0, "words": 1.0}
    probe = [message(["pay", "school"], [0.5, 0.5])]
    np.testing.assert_allclose(loaded.probabilities(probe), classifier.probabilities(probe))


def test_a_weight_for_a_featurizer_that_is_not_there_is_an_error() -> None:
    with pytest.raises(
        ValueError, match=r"weights name \['embeddings'\], but the featurizers are \['embedding', 'words'\]"
    ):
        FeatureBlocks.fit(training_messages(), {"embeddings": 2.0})


@pytest.mark.parametrize(
    "config, says",
    [
        ({"C": 0}, "'C'"),
        ({"C": "ten"}, "'C'"),
        ({"weights": {"sentence_embedding": -1}}, "'weights'"),
        ({"weights": ["sentence_embedding"]}, "'weights'"),
        ({"max_iter": 0}, "'max_iter'"),
        ({"ranking_length": 2.5}, "'ranking_length'"),
    ],
)
def test_a_wrong_setting_is_refused_naming_it(storage: LocalModelStorage, config: dict, says: str) -> None:
    with pytest.raises(InvalidConfigException, match=says):
        TfidfLogisticRegressionClassifier.create(
            {**TfidfLogisticRegressionClassifier.get_default_config(), **config}, storage, Resource("c"), context()
        )


def test_the_featurizer_refuses_a_blank_alias() -> None:
    with pytest.raises(InvalidConfigException, match="alias"):
        SentenceEmbeddingFeaturizer.validate_config({"alias": "  "})
    SentenceEmbeddingFeaturizer.validate_config({"alias": "sentence_embedding"})


@pytest.mark.parametrize("config", [{}, {"weights": {"embedding": 2}}], ids=["plain", "weighted"])
def test_one_message_is_scored_as_in_a_batch(storage: LocalModelStorage, config: dict) -> None:
    classifier = trained(storage, **config)
    probes = [
        message(["pay", "pay", "school", "the"], [0.3, 0.7]),  # a repeated word
        message(["salary"]),  # no embedding block
        message(["a", "zzz"], [0.0, 0.0]),  # a zero vector: no length to scale
        Message(data={TEXT: ""}),  # no features at all
    ]
    together = classifier.probabilities(probes)
    one_by_one = np.vstack([classifier.probabilities([probe]) for probe in probes])
    np.testing.assert_allclose(one_by_one, together, rtol=1e-12, atol=1e-12)
