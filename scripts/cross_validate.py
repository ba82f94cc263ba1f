"""Intent F1 by 5-fold cross-validation (`rasa test nlu --cross-validation`) and entity F1, as tables.

    python -m scripts.cross_validate [--folds 5] [--floor 0.90]

Entities are found by a lookup extractor that learns nothing from the examples (it matches the
names in data/lookups.yml), so instead of cross-validating it, every annotated example in
data/nlu.yml is parsed with the trained model and its entities compared span by span.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Dict, List, Optional

from stack.launcher import MODEL_PATH, PROJECT_ROOT, RASA, child_env
from stack.settings import Settings

OUT = PROJECT_ROOT / "results" / "cross_validation"


def cross_validate(folds: int = 5) -> Dict[str, Dict]:
    """Run the cross-validation; the intent report and one entity report per extractor."""
    subprocess.run(
        [
            RASA,
            "test",
            "nlu",
            "--nlu",
            "data",
            "--config",
            "config.yml",
            "--cross-validation",
            "--folds",
            str(folds),
            "--out",
            str(OUT),
        ],
        cwd=PROJECT_ROOT,
        env=child_env(Settings.from_env({})),
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    reports = {"intent": json.loads((OUT / "intent_report.json").read_text())}
    if MODEL_PATH.exists():
        reports["entity"] = entity_report()
    return reports


ANNOTATION = re.compile(r"\[([^\]]+)\]\(([a-z_]+)\)")


def annotated_examples() -> List[tuple]:
    """(plain text, {(start, end, entity)}) for every example in data/nlu.yml."""
    import yaml

    out = []
    for block in yaml.safe_load((PROJECT_ROOT / "data" / "nlu.yml").read_text(encoding="utf-8"))["nlu"]:
        for line in block.get("examples", "").splitlines():
            if not line.strip().startswith("- "):
                continue
            raw, text, spans = line.strip()[2:], "", set()
            last = 0
            for match in ANNOTATION.finditer(raw):
                text += raw[last : match.start()]
                spans.add((len(text), len(text) + len(match.group(1)), match.group(2)))
                text += match.group(1)
                last = match.end()
            out.append((text + raw[last:], spans))
    return out


def entity_report(model: Path = MODEL_PATH) -> Dict:
    """Precision, recall and F1 per entity type, in the shape of Rasa's reports."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    examples = annotated_examples()

    async def parse() -> List[set]:
        found = []
        for text, _ in examples:
            entities = (await agent.parse_message(text))["entities"]
            found.append({(e["start"], e["end"], e["entity"]) for e in entities})
        return found

    predicted = asyncio.run(parse())
    tp, fp, fn = Counter(), Counter(), Counter()
    for (_, expected), got in zip(examples, predicted, strict=True):
        for span in got & expected:
            tp[span[2]] += 1
        for span in got - expected:
            fp[span[2]] += 1
        for span in expected - got:
            fn[span[2]] += 1
    report: Dict = {}
    for entity in sorted(set(tp) | set(fp) | set(fn)):
        p = tp[entity] / (tp[entity] + fp[entity]) if tp[entity] + fp[entity] else 0.0
        r = tp[entity] / (tp[entity] + fn[entity]) if tp[entity] + fn[entity] else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        report[entity] = {"precision": p, "recall": r, "f1-score": f1, "support": tp[entity] + fn[entity]}
    rows = list(report.values())
    if rows:
        report["macro avg"] = {k: sum(r[k] for r in rows) / len(rows) for k in ("precision", "recall", "f1-score")}
        report["macro avg"]["support"] = sum(r["support"] for r in rows)
    return report


def table(name: str, report: Dict) -> List[str]:
    lines = [f"{name:<32}{'precision':>10}{'recall':>8}{'F1':>8}{'n':>6}"]
    for label, row in sorted(report.items()):
        if isinstance(row, dict) and "f1-score" in row and label not in ("micro avg", "macro avg", "weighted avg"):
            lines.append(
                f"  {label:<30}{row['precision']:>10.3f}{row['recall']:>8.3f}{row['f1-score']:>8.3f}{row['support']:>6}"
            )
    for label in ("macro avg", "weighted avg"):
        if label in report:
            row = report[label]
            lines.append(
                f"  {label:<30}{row['precision']:>10.3f}{row['recall']:>8.3f}{row['f1-score']:>8.3f}{row['support']:>6}"
            )
    return lines


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--floor", type=float, default=0.0, help="exit 1 if intent macro-F1 is under this")
    args = parser.parse_args(argv)
    reports = cross_validate(args.folds)
    print(f"{args.folds}-fold cross-validation of data/nlu.yml (reports in {OUT.relative_to(PROJECT_ROOT)}/)\n")
    for name, report in reports.items():
        print("\n".join(table(f"{name} F1", report)) + "\n")
    macro = reports["intent"]["macro avg"]["f1-score"]
    print(f"Intent macro-F1: {macro:.3f}")
    return 0 if macro >= args.floor else 1


if __name__ == "__main__":
    sys.exit(main())
