"""Rasa server add-ons of Lab Career Advisor, at Rasa's own extension points: the REST channel
(credentials.yml), the tracker and lock stores (endpoints.yml), the NLU components (config.yml), and
the run-time patches to Rasa (patches.py, applied when the channel loads). The knowledge core
stays in `bot/`."""
