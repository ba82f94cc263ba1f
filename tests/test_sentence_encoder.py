"""The all-MiniLM-L6-v2 encoder (bot/sentence_encoder.py, ONNX Runtime) gives the model's real embeddings,
and the featurizer adds them to Rasa messages.

tests/data/minilm_reference.json holds embeddings computed once by sentence-transformers with
PyTorch (the reference implementation, not installed here) for sentences that exercise the
tokenizer: typos, accents, Arabic and emoji, markup, and a text longer than the model's 256 tokens.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from addons.nlu.sentence_featurizer import SentenceEmbeddingFeaturizer
from bot.sentence_encoder import SentenceEncoder, built_model_path, packaged_model_dir, shared_encoder

REFERENCE = json.loads((Path(__file__).parent / "data" / "minilm_reference.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return shared_encoder()


# the word table is kept in float16 (bot.sentence_encoder): each component within this of the
# reference's, each vector within cosine 0.9999 of it (issue 14 asks for 0.999)
REFERENCE_TOLERANCE = 1e-4


def reference() -> tuple:
    sentences = REFERENCE["sentences"]
    return [s["text"] for s in sentences], np.array([s["embedding"] for s in sentences])


def test_embeddings_match_sentence_transformers(encoder: SentenceEncoder) -> None:
    texts, expected = reference()
    together = encoder.encode(texts)
    one_by_one = np.vstack([encoder.encode([text]) for text in texts])
    assert together.shape == (len(texts), 384)
    for vectors in (together, one_by_one):
        np.testing.assert_allclose(vectors, expected, atol=REFERENCE_TOLERANCE)
        cosines = np.sum(vectors * expected, axis=1) / np.linalg.norm(expected, axis=1)
        assert cosines.min() >= 0.9999, cosines.min()


def test_paraphrases_are_nearer_than_other_topics(encoder: SentenceEncoder) -> None:
    pay, paraphrase, schooling, weather = encoder.encode(
        [
            "how much do phlebotomists earn",
            "what's the pay for a phlebotomist",
            "what school do I need to become a phlebotomist",
            "is it going to rain tomorrow",
        ]
    )
    assert pay @ paraphrase > pay @ schooling > pay @ weather
    assert np.linalg.norm(pay) == pytest.approx(1.0, abs=1e-5)


def test_no_texts_give_no_rows(encoder: SentenceEncoder) -> None:
    assert encoder.encode([]).shape == (0, 384)


def test_featurizer_adds_one_sentence_vector_per_message_with_text(encoder: SentenceEncoder) -> None:
    featurizer = SentenceEmbeddingFeaturizer({"alias": None}, "embedding")
    texts, expected = reference()
    messages = [Message(data={TEXT: texts[0]}), Message(data={TEXT: ""}), Message(data={TEXT: texts[0]})]
    featurizer.process(messages)

    sequence, sentence = messages[0].get_dense_features(TEXT)
    assert sequence is None
    assert sentence.features.shape == (1, 384)
    np.testing.assert_allclose(sentence.features[0], expected[0], atol=REFERENCE_TOLERANCE)
    np.testing.assert_array_equal(messages[2].get_dense_features(TEXT)[1].features, sentence.features)
    assert messages[1].get_dense_features(TEXT) == (None, None)


def test_remembered_vectors_are_bounded_and_still_right(
    encoder: SentenceEncoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    from addons.nlu import sentence_featurizer

    monkeypatch.setattr(sentence_featurizer, "CACHE_SIZE", 2)
    monkeypatch.setattr(sentence_featurizer, "_cache", sentence_featurizer.OrderedDict())
    texts, expected = reference()
    first = sentence_featurizer.embeddings(encoder, texts[:3] + texts[:1])
    again = sentence_featurizer.embeddings(encoder, texts[:3])
    assert len(sentence_featurizer._cache) == 2
    np.testing.assert_allclose(np.vstack(first), expected[[0, 1, 2, 0]], atol=REFERENCE_TOLERANCE)
    np.testing.assert_allclose(np.vstack(again), expected[:3], atol=REFERENCE_TOLERANCE)


def test_the_onnx_file_is_written_once_and_reused(encoder: SentenceEncoder, tmp_path: Path) -> None:
    model_dir = packaged_model_dir()
    first = SentenceEncoder(model_dir, cache_dir=tmp_path)
    built = built_model_path(model_dir, tmp_path)
    written = built.stat().st_mtime_ns
    again = SentenceEncoder(model_dir, cache_dir=tmp_path)
    assert built.stat().st_mtime_ns == written and [p.name for p in tmp_path.iterdir()] == [built.name]
    texts, _ = reference()
    np.testing.assert_allclose(again.encode(texts), first.encode(texts), atol=1e-6)
    np.testing.assert_allclose(first.encode(texts), encoder.encode(texts), atol=1e-6)


def test_an_unwritable_cache_builds_the_model_in_memory(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    texts, expected = reference()
    encoder = SentenceEncoder(packaged_model_dir(), cache_dir=not_a_folder)
    np.testing.assert_allclose(encoder.encode(texts), expected, atol=REFERENCE_TOLERANCE)
