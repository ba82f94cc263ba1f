"""One place for every setting (stack/settings.py): the example file lists exactly those, bad values
are refused naming the variable, and the launcher follows the settings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot import DEFAULT_KNOWLEDGE_FILE
from stack import launcher
from stack.settings import DEFAULTS, PROJECT_ROOT, SettingError, Settings

EXAMPLE = PROJECT_ROOT / "lab-advisor.env.example"


def test_the_example_file_lists_exactly_the_settings_with_their_defaults() -> None:
    listed = {}
    for line in EXAMPLE.read_text().splitlines():
        found = re.match(r'^(LAB_ADVISOR_[A-Z_]+)=("[^"]*"|\S*)', line)
        if found:
            listed[found.group(1)] = found.group(2).strip('"')
    assert listed == DEFAULTS


def test_defaults_agree_with_the_rest_of_the_project() -> None:
    settings = Settings.from_env({})
    assert settings.knowledge_file == DEFAULT_KNOWLEDGE_FILE
    assert f"  url: {settings.actions_url}\n" in (PROJECT_ROOT / "endpoints.yml").read_text()
    assert settings.cors_origins == ["http://127.0.0.1:8080", "http://localhost:8080"]
    assert settings.rasa_public_url == "http://127.0.0.1:5005"


@pytest.mark.parametrize(
    "name, value",
    [
        ("LAB_ADVISOR_RASA_PORT", "http"),
        ("LAB_ADVISOR_ACTIONS_URL", "localhost:5055"),
        ("LAB_ADVISOR_LOCK_STORE", "memcached"),
        ("LAB_ADVISOR_REPLY_TIMEOUT", "-1"),
        ("LAB_ADVISOR_REDIS_PORT", "0"),
    ],
)
def test_a_value_that_cannot_be_used_is_refused_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingError, match=name):
        Settings.from_env({name: value})


def test_the_launcher_starts_the_action_server_where_the_rasa_server_looks_for_it(tmp_path: Path) -> None:
    settings = Settings.from_env({"LAB_ADVISOR_ACTIONS_URL": "http://127.0.0.1:6100/webhook"})
    assert launcher.actions_command(settings)[-2:] == ["--port", "6100"]
    endpoints = launcher.endpoints_file(settings, tmp_path)
    assert "  url: http://127.0.0.1:6100/webhook\n" in endpoints.read_text()
    assert launcher.endpoints_file(Settings.from_env({}), tmp_path) == launcher.ENDPOINTS  # unchanged: as it is


def test_the_page_and_the_rasa_server_follow_the_web_settings() -> None:
    settings = Settings.from_env({"LAB_ADVISOR_WEB_PORT": "9090", "LAB_ADVISOR_RASA_PORT": "6000"})
    assert settings.cors_origins == ["http://127.0.0.1:9090", "http://localhost:9090"]
    command = launcher.rasa_command(settings, launcher.MODEL_PATH, Path("/tmp"))
    assert command[command.index("--port") + 1] == "6000"
    assert command[command.index("--cors") + 1 :][:2] == settings.cors_origins
    web = launcher.web_command(settings)
    assert web[web.index("--port") + 1] == "9090" and web[web.index("--rasa-url") + 1] == "http://127.0.0.1:6000"


def test_the_http_api_is_only_enabled_with_authentication() -> None:
    assert "--enable-api" not in launcher.rasa_command(Settings.from_env({}), launcher.MODEL_PATH, Path("/tmp"))
    with_token = launcher.rasa_command(
        Settings.from_env({"LAB_ADVISOR_API_TOKEN": "t0ken"}), launcher.MODEL_PATH, Path("/tmp")
    )
    assert with_token[-3:] == ["--enable-api", "--auth-token", "t0ken"]


def test_overrides_must_name_a_setting() -> None:
    with pytest.raises(SettingError, match="LAB_ADVISOR_NOPE"):
        Settings.from_env({}, LAB_ADVISOR_NOPE="1")


def test_the_settings_a_server_is_given_are_the_settings_in_force() -> None:
    """as_env() lists every setting and reads back as the same settings (no field left out)."""
    settings = Settings.from_env({"LAB_ADVISOR_RATE_LIMIT": "7", "LAB_ADVISOR_WEB_PORT": "9090"})
    assert set(settings.as_env()) == set(DEFAULTS)
    assert Settings.from_env(settings.as_env()) == settings
