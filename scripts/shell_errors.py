"""Filter for rasa shell's stderr, used by serve.sh.

Ctrl-C at a button menu makes Rasa 3.6's shell print a traceback ending in
"AttributeError: 'NoneType' object has no attribute 'rfind'" and stop reading input. That one
traceback becomes a short hint; every other line, and every other traceback, passes unchanged.
"""

import re
import signal
import sys

STARTS_TRACE = re.compile(r"Task exception was never retrieved|Traceback \(most recent call last\)")
ENDS_TRACE = re.compile(r"^[A-Za-z_.]*(Error|Exception|Interrupt)(:|$)")
KNOWN_BUG = "'NoneType' object has no attribute 'rfind'"
HINT = "\nThe chat stopped at a button menu. Press Ctrl-C again to quit (make shell starts it again).\n"


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for rasa shell; this ends at its EOF
    buffered: list = []
    for line in sys.stdin:
        if not buffered and not STARTS_TRACE.search(line):
            sys.stderr.write(line)
        else:
            buffered.append(line)
            if ENDS_TRACE.match(line):
                sys.stderr.write(HINT if KNOWN_BUG in line else "".join(buffered))
                buffered = []
        sys.stderr.flush()
    sys.stderr.write("".join(buffered))


if __name__ == "__main__":
    main()
