"""Rasa's REST channel, minus the personal details a student might type.

Same URL and protocol as Rasa's own `rest` channel (POST /webhooks/rest/webhook with `sender` and
`message`), but email addresses and phone numbers in the message are replaced by [email] and
[phone] (`bot.privacy.redact`) before Rasa sees the message, so they are neither understood nor
stored in the tracker store or the logs.
"""

from __future__ import annotations

from typing import Optional, Text

from rasa.core.channels.rest import RestInput
from sanic.request import Request

from bot.privacy import redact


class PrivateRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"  # keeps the webhook at /webhooks/rest/webhook

    def _extract_message(self, req: Request) -> Optional[Text]:
        message = super()._extract_message(req)
        return redact(message) if isinstance(message, str) else message
