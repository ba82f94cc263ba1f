"""Rasa server plug-ins: the REST channel (credentials.yml) with its request rules and rate limit,
and the tracker and lock stores (endpoints.yml)."""
