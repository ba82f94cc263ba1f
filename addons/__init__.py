"""Rasa add-ons of Lab Career Advisor, at Rasa's own extension points, one package per concern:
`addons.nlu` (the trained NLU components config.yml names), `addons.server` (the REST channel in
credentials.yml, the tracker and lock stores in endpoints.yml) and `addons.patches` (every run-time
change to Rasa's own code, applied by `patches.apply()` when a Rasa server loads the project's
tracker store or channel). The knowledge core stays in `bot/`."""
