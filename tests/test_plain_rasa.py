"""Plain Rasa commands work in the project folder, as anyone who knows Rasa expects: `rasa run
actions` and `rasa run --credentials credentials.yml` with no settings in the environment (the
defaults: the action server on 5055, conversations in ./conversations.db)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from stack.launcher import MODEL_PATH, PROJECT_ROOT, RASA, background, free_port, port_in_use, say, wait_until_up

pytestmark = pytest.mark.integration

PROJECT_FILES = ["endpoints.yml", "credentials.yml", "actions", "addons", "bot", "stack"]


def test_rasa_run_and_rasa_run_actions_need_no_settings(tmp_path: Path, model_path: Path) -> None:
    if port_in_use(5055):
        pytest.skip("port 5055 (the action server's default) is in use")
    for name in PROJECT_FILES:  # the project folder, with its own conversations.db
        (tmp_path / name).symlink_to(PROJECT_ROOT / name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAB_ADVISOR_") and k != "PYTHONPATH"}
    env["RASA_TELEMETRY_ENABLED"] = "false"
    port = free_port()
    actions = [RASA, "run", "actions"]
    rasa = [RASA, "run", "--model", str(MODEL_PATH), "--credentials", "credentials.yml", "--port", str(port)]
    with (
        background(actions, tmp_path / "actions.log", env, cwd=tmp_path) as action_server,
        background(rasa, tmp_path / "rasa.log", env, cwd=tmp_path) as rasa_server,
    ):
        wait_until_up("http://127.0.0.1:5055/health", action_server, "action server", tmp_path / "actions.log")
        wait_until_up(f"http://127.0.0.1:{port}/webhooks/rest/", rasa_server, "Rasa server", tmp_path / "rasa.log")
        replies = say(f"http://127.0.0.1:{port}", "what does a phlebotomist do?", uuid.uuid4().hex)
    assert "draw blood" in " ".join(r.get("text", "") for r in replies)
    assert (tmp_path / "conversations.db").is_file()
