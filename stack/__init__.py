"""The running assistant around the knowledge core: its settings (`stack.settings`) and the one
launcher that starts and stops its servers (`stack.launcher`, `python -m stack run|shell`)."""
