"""Rasa SDK custom actions for Lab Career Advisor (served by `rasa run actions`)."""
