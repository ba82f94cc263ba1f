"""Questions only the asker's own situation can answer ("is it worth it for me?", "should I switch
to the online program?", "is full-time work hard to find around here?"). No sourced fact answers
them, so the honest reply says so and points to who can help, instead of a topic's facts.

Phrases catch the common forms (`bot.asking.asks_for_opinion`); the rest are told apart by a
logistic regression over the question's sentence vector and how closely the file's best fact
matches it, learned from the real questions people posted, each labelled answerable or not
(`bot/knowledge/real_questions.yml`, the set the bot is tuned on). Grouped by page, 10-fold
cross-validation on that set, at the bar `bot.asking` uses (OWN_CASE), put the share of
unanswerable questions it catches at 74%, against 22% of the answerable ones (the eighth session of
2026-12-07); the reply to those still gives the facts that answer them closely. Fitted with NumPy in
milliseconds when the fact index is built; the questions' vectors are cached with the facts'.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, List, Sequence, Tuple, Union

import numpy as np
import yaml
from numpy.typing import NDArray

from bot.loader import KnowledgeFileError, SafeYamlLoader

ASKED_FILE = Path(__file__).parent / "knowledge" / "real_questions.yml"
REGULARIZATION = 1.0  # the inverse strength of the L2 penalty (scikit-learn's C); chosen by cross-validation
BEST_MATCH_WEIGHT = 3.0  # the best fact's score as a feature, scaled to count beside 384 unit-vector dims


@dataclass(frozen=True)
class AskedQuestion:
    """A question someone posted, and whether a sourced bot can answer it."""

    text: str
    answerable: bool


def load_asked(path: Union[str, Path] = ASKED_FILE) -> List[AskedQuestion]:
    """The labelled questions at `path`; `KnowledgeFileError` names the entry and field at fault."""
    path = Path(path)
    try:
        data: Any = yaml.load(path.read_text(encoding="utf-8"), Loader=SafeYamlLoader)
    except FileNotFoundError:
        raise KnowledgeFileError(path, ["the file does not exist"]) from None
    except yaml.YAMLError as error:
        raise KnowledgeFileError(path, [f"not valid YAML: {error}"]) from None
    items = data.get("questions") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise KnowledgeFileError(path, ["field 'questions': a list of questions is required"])
    asked: List[AskedQuestion] = []
    problems: List[str] = []
    for number, item in enumerate(items):
        entry = f"entry questions[{number}]"
        if not isinstance(item, dict):
            problems.append(f"{entry}: a mapping is required")
            continue
        text, answerable = item.get("question"), item.get("answerable")
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{entry}, field 'question': a non-empty string is required")
        elif not isinstance(answerable, bool):
            problems.append(f"{entry}, field 'answerable': true or false is required")
        else:
            asked.append(AskedQuestion(text, answerable))
    if problems:
        raise KnowledgeFileError(path, problems)
    if all(q.answerable for q in asked) or not any(q.answerable for q in asked):
        raise KnowledgeFileError(path, ["field 'answerable': both answerable and unanswerable questions are needed"])
    return asked


def check_asked(path: Union[str, Path] = ASKED_FILE) -> Tuple[bool, str]:
    """Validate the labelled questions for the command line (`python -m bot`): (ok, message)."""
    try:
        asked = load_asked(path)
    except KnowledgeFileError as error:
        return False, str(error)
    unanswerable = sum(not q.answerable for q in asked)
    return True, f"{path}: OK ({len(asked)} labelled questions, {unanswerable} only the asker's own case can answer)"


class OwnCaseDetector:
    """How likely a question is one only the asker's own situation can answer."""

    def __init__(self, weights: NDArray[np.float64]) -> None:
        self.weights = weights  # one per feature, then the intercept

    @classmethod
    def learn(
        cls, vectors: NDArray[np.float32], best_matches: Sequence[float], answerable: Sequence[bool]
    ) -> OwnCaseDetector:
        features = _features(vectors, np.asarray(best_matches, dtype=np.float64))
        unanswerable = 1.0 - np.asarray(answerable, dtype=np.float64)
        return cls(fit_logistic(features, unanswerable, REGULARIZATION))

    def probability(self, vector: NDArray[np.float32], best_match: float) -> float:
        features = _features(vector[None, :], np.array([best_match]))
        return float(_sigmoid(features @ self.weights)[0])


def _features(vectors: NDArray[np.float32], best_matches: NDArray[np.float64]) -> NDArray[np.float64]:
    ones = np.ones((len(vectors), 1))
    return np.hstack([vectors.astype(np.float64), BEST_MATCH_WEIGHT * best_matches[:, None], ones])


def fit_logistic(features: NDArray[np.float64], labels: NDArray[np.float64], strength: float) -> NDArray[np.float64]:
    """L2-regularized logistic regression by Newton's method, the intercept (the last column, all
    ones) unpenalized: the minimum of strength * log-loss + |w|^2 / 2, as scikit-learn fits it."""
    penalty = np.eye(features.shape[1])
    penalty[-1, -1] = 0.0
    weights = np.zeros(features.shape[1])
    for _ in range(50):
        predicted = _sigmoid(features @ weights)
        gradient = strength * features.T @ (predicted - labels) + penalty @ weights
        curvature = strength * (features.T * (predicted * (1 - predicted))) @ features + penalty
        step = np.linalg.solve(curvature, gradient)
        weights -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return weights


def _sigmoid(values: NDArray[np.float64]) -> NDArray[np.float64]:
    result: NDArray[np.float64] = 0.5 * (1.0 + np.tanh(0.5 * values))  # no overflow for large values
    return result
