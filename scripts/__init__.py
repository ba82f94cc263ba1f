"""The project's command-line tools (see the Makefile): measurement (e2e_check, cross_validate,
bench), installation helpers and maintenance. Run them with `python -m scripts.<name>` or as files."""
