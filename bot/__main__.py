"""`python -m bot [FILE]`: check a knowledge file (default: the project's, and the labelled real
questions the own-case detector learns from) and say what is wrong."""

import sys

from bot.loader import main
from bot.own_case import check_asked

code = main(sys.argv[1:])
if not sys.argv[1:]:
    ok, message = check_asked()
    print(message, file=sys.stdout if ok else sys.stderr)
    code = code or (0 if ok else 1)
sys.exit(code)
