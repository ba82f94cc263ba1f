"""Intent accuracy on held-out examples (tests/nlu_holdout.yml, never trained on): printed, and
the test fails under 90%."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from pathlib import Path
from typing import List, Tuple

import pytest
import yaml

from tests.conftest import PROJECT_ROOT

HOLDOUT = PROJECT_ROOT / "tests" / "nlu_holdout.yml"
TRAINING = PROJECT_ROOT / "data" / "nlu.yml"
ACCURACY_FLOOR = 0.90


def examples(path: Path) -> List[Tuple[str, str]]:
    """(text, intent) pairs from a Rasa NLU YAML file, entity annotations removed."""
    pairs = []
    for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
        if "intent" not in block:
            continue
        for line in block["examples"].splitlines():
            if line.strip().startswith("- "):
                pairs.append((re.sub(r"\[([^\]]+)\]\([a-z_]+\)", r"\1", line.strip()[2:].strip()), block["intent"]))
    return pairs


def test_holdout_examples_are_not_in_the_training_data() -> None:
    trained = {text.lower() for text, _ in examples(TRAINING)}
    leaked = [text for text, _ in examples(HOLDOUT) if text.lower() in trained]
    assert not leaked, f"held-out examples also in data/nlu.yml: {leaked}"


def test_end_to_end_questions_are_not_in_the_training_data() -> None:
    from scripts.e2e_check import load_items

    trained = {text.lower() for text, _ in examples(TRAINING)}
    copied = [t.say for item in load_items() for t in item.turns if t.say.lower() in trained]
    assert not copied, f"e2e questions also in data/nlu.yml: {copied}"


def test_training_data_has_at_least_20_examples_per_intent() -> None:
    counts = Counter(intent for _, intent in examples(TRAINING))
    assert counts and min(counts.values()) >= 20, counts


@pytest.mark.quality
def test_holdout_intent_accuracy(model_path: Path) -> None:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model_path))
    pairs = examples(HOLDOUT)

    async def predict() -> List[str]:
        return [(await agent.parse_message(text))["intent"]["name"] for text, _ in pairs]

    predicted = asyncio.run(predict())
    total, correct = Counter(), Counter()
    misses = []
    for (text, expected), got in zip(pairs, predicted, strict=True):
        total[expected] += 1
        if got == expected:
            correct[expected] += 1
        else:
            misses.append(f"  {text!r}: expected {expected}, got {got}")
    accuracy = sum(correct.values()) / len(pairs)
    table = "\n".join(f"  {intent:<20} {correct[intent]}/{total[intent]}" for intent in sorted(total))
    assert accuracy >= ACCURACY_FLOOR, (
        f"held-out intent accuracy {accuracy:.1%} < {ACCURACY_FLOOR:.0%}\n{table}\nMisclassified:\n" + "\n".join(misses)
    )
