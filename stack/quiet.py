"""Run a command with the warnings its third-party libraries print left out of its error output.

    python -m stack.quiet rasa train ...

Rasa, TensorFlow, matplotlib and pkg_resources warn about their own deprecations every time Rasa
starts, whatever PYTHONWARNINGS says (Rasa resets the filters). Only deprecation warnings are left
out. `make train`, `make validate`,
`make stories` and `make shell` pass Rasa's output through here, so a person sees the project's
messages. A warning is its `path:line: SomethingWarning: message` line and the lines that follow up
to its indented source line; everything else passes unchanged, and the exit code is the command's.
"""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Iterable, Iterator, List

# Deprecation notices only: a UserWarning can be Rasa telling about the training data (rasa data
# validate's findings are warnings) and must be seen.
WARNING_LINE = re.compile(r"^\S+:\d+: (?:[A-Za-z0-9_]*Deprecation[A-Za-z]*Warning|FutureWarning|MovedIn20Warning): ")


def without_warnings(lines: Iterable[str]) -> Iterator[str]:
    """The lines, less each deprecation warning (its first line up to its indented source line)."""
    in_warning = False
    for line in lines:
        if in_warning or WARNING_LINE.match(line):
            in_warning = not line.startswith("  ")
            continue
        yield line


def main(argv: List[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    process = subprocess.Popen(argv, stderr=subprocess.PIPE, text=True, errors="replace")
    assert process.stderr is not None
    for line in without_warnings(process.stderr):
        sys.stderr.write(line)
        sys.stderr.flush()
    return process.wait()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
