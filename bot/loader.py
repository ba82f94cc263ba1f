"""Load and validate the knowledge file.

`load_knowledge(path)` returns a ready `KnowledgeBase` or raises `KnowledgeFileError`, whose
message names the file and, for each problem, the entry and the field, e.g.::

    bot/knowledge/careers.yml is not a valid knowledge file (1 problem):
      - entry careers.medical_laboratory_technician.topics.salary.facts[2], field 'source': field required
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterable, List, Sequence, Tuple, Union

import yaml
from pydantic import ValidationError

from bot.knowledge_base import KnowledgeBase
from bot.schema import KnowledgeFile, Location

DEFAULT_KNOWLEDGE_FILE = Path(__file__).parent / "knowledge" / "careers.yml"


class KnowledgeFileError(ValueError):
    """The knowledge file is missing, is not YAML, or does not fit the schema."""

    def __init__(self, path: Union[str, Path], problems: Sequence[str]) -> None:
        self.path = str(path)
        self.problems = list(problems)
        count = f"{len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}"
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{self.path} is not a valid knowledge file ({count}):\n{lines}")


# The one choice of YAML loader for the project's data files (the knowledge file, the labelled
# questions, the tests' copies): libyaml's parser, in PyYAML's wheels, loads the knowledge file in
# 0.3 s instead of 2.7 s; the pure-Python one where PyYAML was built without libyaml.
try:
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - a PyYAML built without libyaml
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]
SafeYamlLoader = _SafeLoader


class _UniqueKeyLoader(_SafeLoader):
    """A YAML loader that refuses duplicate keys, which plain YAML silently overwrites."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Dict[Any, Any]:
        seen: Dict[Any, Any] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"duplicate key '{key}' (first at line {seen[key] + 1})",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


def load_knowledge(path: Union[str, Path] = DEFAULT_KNOWLEDGE_FILE) -> KnowledgeBase:
    """Read, validate and index the knowledge file at `path`."""
    path = Path(path)
    try:
        raw_text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KnowledgeFileError(path, ["the file does not exist"]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise KnowledgeFileError(path, [f"the file cannot be read: {error}"]) from None

    try:
        raw = yaml.load(raw_text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as error:
        raise KnowledgeFileError(path, [f"not valid YAML: {_describe_yaml_error(error)}"]) from None
    if not isinstance(raw, dict):
        raise KnowledgeFileError(path, ["the top level must be a mapping with version, topics, sources and careers"])

    try:
        knowledge = KnowledgeFile.parse_obj(raw)
    except ValidationError as error:
        raise KnowledgeFileError(path, [_describe(e["loc"], e["msg"]) for e in error.errors()]) from None

    problems = knowledge.check_references()
    if problems:
        raise KnowledgeFileError(path, [_describe(loc, msg) for loc, msg in problems])
    return KnowledgeBase(knowledge)


def _describe(loc: Location, message: str) -> str:
    """Turn a location such as ('careers', 'mlt', 'topics', 'salary', 'facts', 2, 'source')
    into "entry careers.mlt.topics.salary.facts[2], field 'source': <message>"."""
    parts: List[Any] = [p for p in loc if p != "__root__"]
    if parts and parts[-1] == "__key__":
        # pydantic reports a bad mapping key at <mapping>.__key__; the message names the key
        return f"entry {_path(parts[:-1]) or '(top level)'}, a key: {message}"
    # the field is the last name and any list indexes after it: facts[2] -> 'source'; follow_ups[1]
    indexes: List[int] = []
    while parts and isinstance(parts[-1], int):
        indexes.insert(0, parts.pop())
    if not parts:
        return f"entry (top level): {message}"
    field = str(parts.pop()) + "".join(f"[{i}]" for i in indexes)
    return f"entry {_path(parts) or '(top level)'}, field '{field}': {message}"


def _path(parts: Iterable[Any]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _describe_yaml_error(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    if mark is not None:
        return f"line {mark.line + 1}, column {mark.column + 1}: {problem}"
    return problem


def check_file(path: Union[str, Path]) -> Tuple[bool, str]:
    """Validate a knowledge file for the command line: (ok, message)."""
    try:
        kb = load_knowledge(path)
    except KnowledgeFileError as error:
        return False, str(error)
    return True, f"{path}: OK ({kb.summary()})"
