"""Shared fixtures: project paths, the real knowledge file (loaded, indexed, or as data), the domain,
and running servers."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List

import pytest
import yaml

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

from bot import DEFAULT_KNOWLEDGE_FILE, load_knowledge
from bot.knowledge_base import KnowledgeBase
from bot.loader import SafeYamlLoader
from bot.matching import FactIndex
from bot.sentence_encoder import DEFAULT_CACHE_DIR, shared_encoder
from stack.services import INITDB, REDIS_SERVER, postgres_server, redis_server
from tests.servers import MODEL_PATH, PROJECT_ROOT, RunningBot, start_bot

# libyaml's emitter, in PyYAML's wheels, where PyYAML has it (the loader is bot.loader's)
_YAML_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    """The shipped knowledge file, loaded once per test module."""
    return load_knowledge()


@pytest.fixture(scope="module")
def index(kb: KnowledgeBase) -> FactIndex:
    """Its facts as sentence vectors with the real encoder (cached in .cache/, as the action server's)."""
    return FactIndex(kb, shared_encoder(), cache_dir=DEFAULT_CACHE_DIR)


@pytest.fixture(scope="session")
def knowledge_data() -> Dict[str, Any]:
    """The real knowledge file as plain data, for tests that break a copy of it."""
    return yaml.load(DEFAULT_KNOWLEDGE_FILE.read_text(encoding="utf-8"), Loader=SafeYamlLoader)


@pytest.fixture
def write_knowledge(tmp_path: Path, knowledge_data: Dict[str, Any]) -> Callable[..., Path]:
    """Write a changed copy of the real knowledge file: `write_knowledge(change)` where `change`
    edits the data in place, or `write_knowledge(text="raw yaml")`."""

    def write(change: Callable[[Dict[str, Any]], None] = lambda data: None, text: str = "") -> Path:
        path = tmp_path / "careers.yml"
        if text:
            path.write_text(text, encoding="utf-8")
        else:
            data = copy.deepcopy(knowledge_data)
            change(data)
            # libyaml's emitter where PyYAML has it: the same text as safe_dump, five times faster
            text = yaml.dump(data, Dumper=_YAML_DUMPER, sort_keys=False, allow_unicode=True)
            path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def domain() -> Dict[str, Any]:
    return yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def model_path() -> Path:
    if not MODEL_PATH.exists():
        pytest.fail(f"No trained model at {MODEL_PATH}: run `make train` (make test does it first).")
    return MODEL_PATH


@pytest.fixture(scope="session")
def running_bot(model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    """The action server and the Rasa server (REST channel) on free loopback ports."""
    with start_bot(model_path, tmp_path_factory.mktemp("bot")) as bot:
        yield bot


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL database on loopback (skips, saying why, where it is not installed)."""
    if INITDB is None:
        pytest.skip("PostgreSQL's server is not installed: run `make services`")
    with postgres_server() as url:
        yield url


@pytest.fixture(scope="session")
def redis_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A throwaway Redis server on loopback (skips where it is not installed)."""
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed: run `make services`")
    with redis_server(tmp_path_factory.mktemp("redis")) as port:
        yield port


@pytest.fixture(scope="session")
def postgres_bot(model_path: Path, postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    """The bot as `running_bot`, keeping conversations in PostgreSQL."""
    with start_bot(model_path, tmp_path_factory.mktemp("pg-bot"), LAB_ADVISOR_DB_URL=postgres_url) as bot:
        yield bot


TIERS = ("integration", "quality")


def pytest_collection_modifyitems(items: List[pytest.Item]) -> None:
    """A test marked with neither `integration` nor `quality` is in the `unit` tier (make test-fast)."""
    for item in items:
        if not any(item.get_closest_marker(tier) for tier in TIERS):
            item.add_marker(pytest.mark.unit)
