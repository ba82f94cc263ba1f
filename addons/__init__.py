"""Rasa server add-ons of Lab Career Advisor: an input channel (credentials.yml) and a lock store
(endpoints.yml). Plain Rasa extension points; the knowledge core stays in `bot/`."""
