"""Rasa's output less its libraries' deprecation warnings (stack/quiet.py), for make and the shell."""

from __future__ import annotations

import subprocess
import sys

from stack.quiet import without_warnings

RASA_START = [
    "/venv/site-packages/rasa/cli/arguments/test.py:129: DeprecationWarning: Nesting argument groups is deprecated.\n",
    "  cross_validation_arguments = parser.add_argument_group('Cross Validation')\n",
    "/venv/pkg_resources/__init__.py:3117: DeprecationWarning: Deprecated call to `declare_namespace('ruamel')`.\n",
    "Implementing implicit namespace packages (as specified in PEP 420) is preferred.\n",
    "  declare_namespace(pkg)\n",
    "/venv/matplotlib/_fontconfig_pattern.py:66: PyparsingDeprecationWarning: 'setParseAction' deprecated\n",
    "  ).setParseAction(self._family)\n",
    "/venv/rasa/shared/utils/io.py:100: UserWarning: The example 'hi' was found labeled with multiple intents.\n",
    "  More information\n",
    "Bot loaded. Type a message and press enter (use '/stop' to exit):\n",
]


def test_deprecation_warnings_are_left_out_and_everything_else_kept() -> None:
    kept = list(without_warnings(RASA_START))
    assert kept == RASA_START[-3:]  # Rasa's own finding about the data, and the shell's prompt


def test_the_command_runs_with_its_exit_code_and_other_output() -> None:
    script = "import sys, warnings; warnings.warn('old', DeprecationWarning); print('out'); sys.exit(3)"
    command = [sys.executable, "-W", "always", "-m", "stack.quiet", sys.executable, "-W", "always", "-c", script]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 3 and result.stdout == "out\n" and "DeprecationWarning" not in result.stderr
