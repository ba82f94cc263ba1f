"""Log lines that request data cannot forge: control characters and line breaks in a log record's
arguments (and in messages Rasa builds with f-strings) are escaped, so a sender id or a message
can neither start a fake log line nor send terminal escape codes. Tracebacks are left alone.
"""

from __future__ import annotations

import logging
import re
from typing import Any

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def escape_controls(text: str) -> str:
    """`text` with every control character written as an escape (a newline as \\n)."""
    return _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)


def _escaped(value: Any) -> Any:
    return escape_controls(value) if isinstance(value, str) else value


def _sanitize(record: logging.LogRecord) -> None:
    if isinstance(record.args, dict):
        record.args = {key: _escaped(value) for key, value in record.args.items()}
    elif record.args:
        record.args = tuple(_escaped(value) for value in record.args)
    elif isinstance(record.msg, str):
        record.msg = escape_controls(record.msg)


def install() -> None:
    """Sanitize every log record made from now on in this process (idempotent)."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "lab_advisor_safe", False):
        return

    def safe_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        _sanitize(record)
        return record

    safe_factory.lab_advisor_safe = True
    logging.setLogRecordFactory(safe_factory)
