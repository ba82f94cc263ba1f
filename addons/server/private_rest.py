"""Rasa's REST channel, made safe to face students: private, strict about requests, never silent.

Same URL and protocol as Rasa's own `rest` channel (POST /webhooks/rest/webhook with a JSON object
`{"sender": "...", "message": "..."}`; GET /webhooks/rest/ for health), and:
- a request that is not what the webhook accepts (`addons.server.webhook_request`: JSON sent as
  application/json, a sender of at most the tracker store's column width, a message of at most
  2,000 characters, no control characters or lone surrogates) gets 4xx with a sentence saying what
  is wrong; so does a browser request from an origin the server's `--cors` list does not allow;
- a sender taking more than $LAB_ADVISOR_RATE_LIMIT turns a minute (default 30; 0 = no limit) gets
  429 with Retry-After and a message the widget shows;
- personal details in the message are replaced (`bot.privacy.redact`) before Rasa sees it, so they
  are neither understood nor stored; when that changed the text, the reply ends with
  `{"custom": {"redacted_message": "..."}}` so the widget keeps only the redacted text too;
- client metadata is not passed on, and the input channel is always "rest";
- a turn whose action failed (action server down or erroring), or that takes longer than
  $LAB_ADVISOR_REPLY_TIMEOUT seconds (default 10), gets a short friendly reply instead of silence; a
  slow turn still finishes in the background, so the conversation stays consistent. A turn that
  ends cleanly with nothing to say (/restart) answers an empty list.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from addons import patches
from addons.server.rate_limit import SenderRateLimiter
from addons.server.tracker_store import MAX_SENDER_ID_CHARS
from addons.server.webhook_request import Rejection, read_turn
from bot.privacy import redact
from stack.settings import current as current_settings

logger = logging.getLogger(__name__)
patches.apply()  # also applied by the tracker store; whichever loads first

UNAVAILABLE = "Sorry, I can't look that up right now. Please try again in a moment."
SLOW_DOWN = "You're sending messages faster than I can answer. Please wait {seconds} s and try again."


def allowed_origin(request: Request, origin: str) -> bool:
    """Whether the server's CORS configuration (`rasa run --cors ...`) allows a browser page from
    `origin` to call this path. Origins are compared exactly; "*" allows any."""
    cors = getattr(request.app.ctx, "sanic_cors", None)
    for _pattern, options in getattr(cors, "resources", None) or []:  # Rasa configures one: every path
        origins = options.get("origins") or []
        return "*" in origins or ".*" in origins or origin in origins
    return False


def refuse(rejection: Rejection, headers: Optional[Dict[str, str]] = None) -> HTTPResponse:
    return response.json({"error": rejection.error}, status=rejection.status, headers=headers)


class PrivateRestInput(InputChannel):
    def __init__(self) -> None:
        settings = current_settings()
        self.rate_limiter = SenderRateLimiter(settings.rate_limit)
        self.reply_timeout = settings.reply_timeout

    @classmethod
    def name(cls) -> Text:
        return "rest"  # keeps the webhook at /webhooks/rest/webhook

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("private_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            origin = request.headers.get("origin")
            if origin and not allowed_origin(request, origin):
                return refuse(
                    Rejection(403, "Forbidden: this server does not accept messages from pages at that origin")
                )
            turn = read_turn(request.body or b"", request.headers.get("content-type"), MAX_SENDER_ID_CHARS)
            if isinstance(turn, Rejection):
                return refuse(turn)
            wait = self.rate_limiter.wait_seconds(turn.sender)
            if wait is not None:
                return refuse(Rejection(429, SLOW_DOWN.format(seconds=wait)), headers={"Retry-After": str(wait)})
            text = redact(turn.message)
            collector = CollectingOutputChannel()
            message = UserMessage(text, collector, turn.sender, input_channel=self.name())
            await answer(on_new_message, message, self.reply_timeout)
            replies: List[Dict[str, Any]] = list(collector.messages)
            if text != turn.message:
                replies.append({"recipient_id": turn.sender, "custom": {"redacted_message": text}})
            return response.json(replies)

        return webhook


async def answer(on_new_message: Callable[[UserMessage], Awaitable[Any]], message: UserMessage, timeout: float) -> None:
    """Run one turn; if it failed or is too slow, the collector holds the friendly 'try again'."""
    collector = message.output_channel
    assert isinstance(collector, CollectingOutputChannel)
    outcome = patches.TurnOutcome()
    turn = asyncio.ensure_future(patches.run_with_outcome(outcome, on_new_message(message)))
    try:
        await asyncio.wait_for(asyncio.shield(turn), timeout=timeout)
    except asyncio.TimeoutError:
        logger.warning("No reply within %ss for %s; answered 'try again'.", timeout, message.sender_id)
        outcome.failed = True
    except Exception:  # logged, and the student still gets a reply
        logger.exception("The turn for %s failed; answered 'try again'.", message.sender_id)
        outcome.failed = True
    if not turn.done():
        collector.messages = []  # a late reply must not be half-sent
    if outcome.failed and not collector.messages:
        await collector.send_text_message(message.sender_id or "", UNAVAILABLE)
