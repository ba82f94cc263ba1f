"""Servers for the tests, started by the project's one launcher (stack/launcher.py) with test
settings: free loopback ports, a throwaway SQLite database in the test's folder, and whatever a test
changes by setting name. Plus small helpers to talk to them and read what they stored."""

from __future__ import annotations

import contextlib
import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from stack import launcher
from stack.launcher import (  # noqa: F401 - the tests' names for the launcher's pieces
    MODEL_PATH,
    PROJECT_ROOT,
    RASA,
    WEB_BUNDLE,
    background,
    free_port,
    get_json,
    post_json,
    say,
)
from stack.launcher import Stack as RunningBot
from stack.launcher import throwaway_settings as settings_for
from stack.settings import Settings


def server_env(**values: str) -> Dict[str, str]:
    """The environment the launcher gives a server, for tests that run a command themselves."""
    return launcher.child_env(Settings.from_env({}, **values))


def http(
    url: str, body: Optional[bytes] = None, headers: Optional[Dict[str, str]] = None, timeout: float = 60
) -> Tuple[int, bytes, Dict[str, str]]:
    """GET (no `body`), or POST `body`, as JSON unless `headers` say otherwise; the status, the raw
    reply and its headers, for error responses too."""
    headers = headers if headers is not None else {"Content-Type": "application/json"}
    request = urllib.request.Request(url, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def post_raw(url: str, body: bytes, timeout: float = 60) -> Tuple[int, Any]:
    """POST raw bytes as JSON; the status and the parsed reply (or its text if it is not JSON),
    for error responses too."""
    status, raw, _ = http(url, body, timeout=timeout)
    try:
        return status, json.loads(raw or b"null")
    except ValueError:
        return status, raw.decode("utf-8", "replace")


def texts(replies: List[Dict[str, Any]]) -> str:
    """The text of the bot's replies, one per line."""
    return "\n".join(r.get("text", "") for r in replies)


def endpoint_env(actions_url: str, workdir: Path, **values: str) -> Dict[str, str]:
    """Settings for a Rasa server: this action server, a SQLite tracker store in `workdir`, then
    `values` by setting name."""
    return {
        "LAB_ADVISOR_ACTIONS_URL": f"{actions_url}/webhook",
        "LAB_ADVISOR_DB_URL": f"sqlite:///{workdir / 'conversations.db'}",
        **values,
    }


def stored_user_messages(db_url: str, sender: str) -> List[str]:
    """What the student said in one conversation, as the tracker store holds it, in order."""
    import sqlalchemy as sa

    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT data FROM events WHERE sender_id = :s AND type_name = 'user' ORDER BY id"),
                {"s": sender},
            )
            return [json.loads(row[0])["text"] for row in rows]
    finally:
        engine.dispose()


@contextlib.contextmanager
def start_actions(workdir: Path, port: Optional[int] = None) -> Iterator[str]:
    """The action server on `port` (default: a free loopback port); yields its URL."""
    url = f"http://127.0.0.1:{port or free_port()}/webhook"
    with launcher.start_actions(settings_for(workdir, LAB_ADVISOR_ACTIONS_URL=url), workdir) as actions_url:
        yield actions_url


@contextlib.contextmanager
def start_rasa(
    model: Path,
    workdir: Path,
    env: Dict[str, str],
    extra_args: Sequence[str] = (),
    name: str = "rasa",
    port: Optional[int] = None,
) -> Iterator[str]:
    """A Rasa server on `port` (default: a free one) with the settings `env`; yields its URL."""
    with start_rasa_servers(model, workdir, env, [name], extra_args, [port] if port else None) as [url]:
        yield url


@contextlib.contextmanager
def start_rasa_servers(
    model: Path,
    workdir: Path,
    env: Dict[str, str],
    names: Sequence[str],
    extra_args: Sequence[str] = (),
    ports: Optional[Sequence[int]] = None,
) -> Iterator[List[str]]:
    """Several Rasa servers sharing the settings `env`, started at once; yields their URLs. Logs go
    to `workdir`/<name>.log."""
    ports = list(ports) if ports else [free_port() for _ in names]
    settings = [settings_for(workdir, **env, LAB_ADVISOR_RASA_PORT=str(port)) for port in ports]
    with launcher.start_rasa_servers(settings, model, workdir, names, extra_args) as urls:
        yield urls


@contextlib.contextmanager
def start_web(workdir: Path, rasa_url: str, port: int, extra_args: Sequence[str] = ()) -> Iterator[str]:
    """The demo page with the chat widget, pointing at `rasa_url`; yields its URL."""
    settings = settings_for(workdir, LAB_ADVISOR_WEB_PORT=str(port), LAB_ADVISOR_RASA_URL=rasa_url)
    with launcher.start_web(settings, workdir, extra_args) as url:
        yield url


@contextlib.contextmanager
def start_bot(model: Path, workdir: Path, **values: str) -> Iterator[RunningBot]:
    """The action server, the Rasa server and (when `make web` has run) the chat page, as `make run`
    starts them (the Rasa server accepts browser calls from the page's origin only), with the
    settings `values` changed (LAB_ADVISOR_DB_URL=postgresql://...)."""
    with launcher.start_stack(settings_for(workdir, **values), model, workdir) as bot:
        yield bot
