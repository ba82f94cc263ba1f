"""Rasa's REST channel, made safe to face students: private, strict about requests, never silent.

Same URL and protocol as Rasa's own `rest` channel (POST /webhooks/rest/webhook with a JSON object
`{"sender": "...", "message": "..."}`), and:
- email addresses and phone numbers in the message are replaced by [email] and [phone]
  (`bot.privacy.redact`) before Rasa sees it, so they are neither understood nor stored;
- a malformed request (not JSON, not an object, no sender, a message that is not text or is too
  long) gets 400 with a message saying what is wrong, instead of being processed as "default";
- a turn that produces no reply, because the action server is down or failed, or that takes longer
  than LAB_ADVISOR_REPLY_TIMEOUT seconds (default 10), gets a short friendly reply instead of
  silence. A slow turn still finishes in the background, so the conversation stays consistent.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from typing import Any, Awaitable, Callable, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from addons import speedups
from bot.privacy import redact

logger = logging.getLogger(__name__)
speedups.apply()  # loaded by every Rasa server through credentials.yml

UNAVAILABLE = "Sorry, I can't look that up right now. Please try again in a moment."
MAX_MESSAGE_CHARS = 20_000
MAX_SENDER_CHARS = 256


def reply_timeout() -> float:
    return float(os.environ.get("LAB_ADVISOR_REPLY_TIMEOUT", "10"))


def request_problem(request: Request) -> Optional[str]:
    """What is wrong with a webhook request, or None if it is well-formed."""
    try:
        body = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
        return 'the body must be JSON: {"sender": "<conversation id>", "message": "<text>"}'
    if not isinstance(body, dict):
        return 'the body must be a JSON object: {"sender": "<conversation id>", "message": "<text>"}'
    sender = body.get("sender")
    if not isinstance(sender, str) or not sender.strip():
        return '"sender" must be a non-empty string that identifies the conversation'
    if len(sender) > MAX_SENDER_CHARS:
        return f'"sender" must be at most {MAX_SENDER_CHARS} characters'
    message = body.get("message")
    if not isinstance(message, str):
        return '"message" must be a string'
    if len(message) > MAX_MESSAGE_CHARS:
        return f'"message" must be at most {MAX_MESSAGE_CHARS} characters'
    return None


class PrivateRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"  # keeps the webhook at /webhooks/rest/webhook

    def _extract_message(self, req: Request) -> Optional[Text]:
        message = super()._extract_message(req)
        return redact(message) if isinstance(message, str) else message

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def never_silent(message: UserMessage) -> None:
            turn = asyncio.ensure_future(on_new_message(message))
            try:
                await asyncio.wait_for(asyncio.shield(turn), timeout=reply_timeout())
            except asyncio.TimeoutError:
                logger.warning("No reply within %ss for %s; answered 'try again'.", reply_timeout(), message.sender_id)
            except Exception:  # noqa: BLE001 - logged, and the student still gets a reply
                logger.exception("The turn for %s failed; answered 'try again'.", message.sender_id)
            collector = message.output_channel
            if isinstance(collector, CollectingOutputChannel) and not turn.done():
                collector.messages = []  # a late reply must not be half-sent
            if isinstance(collector, CollectingOutputChannel) and not collector.messages:
                await collector.send_text_message(message.sender_id or "", UNAVAILABLE)

        webhook = super().blueprint(never_silent)

        @webhook.middleware("request")
        async def reject_malformed(request: Request) -> Optional[HTTPResponse]:
            if request.method == "POST" and request.path.rstrip("/").endswith("/webhook"):
                problem = request_problem(request)
                if problem:
                    return response.json({"error": f"Bad request: {problem}."}, status=400)
            return None

        return webhook
