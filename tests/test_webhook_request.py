"""What the REST webhook accepts and what it refuses, and why (addons/server/webhook_request.py)."""

from __future__ import annotations

import json

import pytest

from addons.server.webhook_request import MAX_MESSAGE_CHARS, Rejection, Turn, read_turn

JSON = "application/json"


def turn(body: object, content_type: str = JSON, max_sender: int = 255) -> object:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return read_turn(raw, content_type, max_sender)


def test_a_well_formed_request_is_a_turn() -> None:
    assert turn({"sender": "s-1", "message": "what does an MLT do?\nthanks\t!"}) == Turn(
        "s-1", "what does an MLT do?\nthanks\t!"
    )
    assert turn({"sender": "s", "message": "hi"}, "application/json; charset=utf-8") == Turn("s", "hi")


@pytest.mark.parametrize(
    "content_type", [None, "", "text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded"]
)
def test_only_json_is_accepted(content_type: object) -> None:
    result = turn({"sender": "s", "message": "hi"}, content_type)
    assert isinstance(result, Rejection) and result.status == 415 and "application/json" in result.error


@pytest.mark.parametrize(
    "field, value, says",
    [
        ("sender", "a\u0000b", "U+0000"),
        ("sender", "a\nb", "U+000A"),
        ("sender", "\ud800", "lone surrogate"),
        ("message", "hi\u0000", "U+0000"),
        ("message", "\x1b[31mred", "U+001B"),
        ("message", "\ud800", "lone surrogate"),
        ("message", "x\udfffy", "U+DFFF"),
    ],
)
def test_control_characters_and_lone_surrogates_are_refused(field: str, value: str, says: str) -> None:
    body = {"sender": "s", "message": "hi", field: value}
    result = turn(body)
    assert isinstance(result, Rejection) and result.status == 400
    assert f'"{field}"' in result.error and says in result.error


def test_the_limits_are_the_widgets_and_the_columns() -> None:
    assert isinstance(turn({"sender": "s", "message": "a" * MAX_MESSAGE_CHARS}), Turn)
    long = turn({"sender": "s", "message": "a" * (MAX_MESSAGE_CHARS + 1)})
    assert isinstance(long, Rejection) and long.status == 400 and "at most 2000 characters" in long.error
    assert isinstance(turn({"sender": "s" * 255, "message": "hi"}), Turn)
    wide = turn({"sender": "s" * 256, "message": "hi"})
    assert isinstance(wide, Rejection) and "at most 255 characters" in wide.error


def test_large_and_deeply_nested_bodies_are_refused_without_parsing_them() -> None:
    big = turn({"sender": "s", "message": "hi", "metadata": {"x": "y" * 1_000_000}})
    assert isinstance(big, Rejection) and big.status == 413
    nested: object = "deep"
    for _ in range(500):
        nested = {"a": nested}
    deep = turn({"sender": "s", "message": "hi", "metadata": nested})
    assert isinstance(deep, Rejection) and deep.status == 400 and "nests" in deep.error
    brackets_in_text = turn({"sender": "s", "message": "[[[[[[[[[[[[[[[[[[[[[[[[{{{{{{{{{{{{{{{{{{"})
    assert isinstance(brackets_in_text, Turn)
    assert isinstance(turn(b"[" * 100_000), Rejection)


@pytest.mark.parametrize(
    "body, says",
    [
        (b"not json", "must be JSON"),
        (b"[1, 2]", "JSON object"),
        ({"message": "hi"}, '"sender"'),
        ({"sender": " ", "message": "hi"}, '"sender"'),
        ({"sender": "s", "message": 3}, '"message" must be a string'),
        (b"\xff\xfe", "must be JSON"),
    ],
)
def test_malformed_bodies_say_what_is_wrong(body: object, says: str) -> None:
    result = turn(body)
    assert isinstance(result, Rejection) and result.status == 400 and says in result.error
