"""`python -m bot [FILE]`: check a knowledge file (default: the project's) and say what is wrong."""

import sys

from bot.loader import main

sys.exit(main(sys.argv[1:]))
