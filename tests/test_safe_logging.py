"""Request data cannot forge log lines (addons/patches/safe_logging.py)."""

from __future__ import annotations

import logging

import pytest

from addons.patches import safe_logging


def test_control_characters_in_log_arguments_and_messages_are_escaped(caplog: pytest.LogCaptureFixture) -> None:
    safe_logging.install()
    logger = logging.getLogger("lab-advisor-test")
    with caplog.at_level(logging.INFO):
        logger.info("turn for %s failed", "x\nERROR forged line\x1b[31m")
        logger.info(f"message {'a' + chr(13) + chr(10) + 'b'}")
        logger.info("kept %d %s", 3, {"n": 1})
    lines = [record.getMessage() for record in caplog.records]
    assert lines[0] == "turn for x\\nERROR forged line\\x1b[31m failed"
    assert lines[1] == "message a\\r\\nb"
    assert lines[2] == "kept 3 {'n': 1}"
    assert all("\n" not in line for line in lines)
