"""`python -m bot [FILE]`: check a knowledge file (default: the project's, and the labelled real
questions the own-case detector learns from), for `make validate`; prints what is wrong (file,
entry, field) and exits 1, or prints a summary of each."""

import sys

from bot.loader import DEFAULT_KNOWLEDGE_FILE, check_file
from bot.own_case import check_asked

named = sys.argv[1:]
checks = [check_file(named[0])] if named else [check_file(DEFAULT_KNOWLEDGE_FILE), check_asked()]
for ok, message in checks:
    print(message, file=sys.stdout if ok else sys.stderr)
sys.exit(0 if all(ok for ok, _ in checks) else 1)
