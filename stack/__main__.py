"""`python -m stack run` (make run) and `python -m stack shell` (make shell): the assistant on this
machine, every server on loopback, logs in logs/, Ctrl-C stops everything."""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import threading
import time
from typing import IO, List

from stack.launcher import (
    MODEL_PATH,
    RASA,
    WEB_BUNDLE,
    StartError,
    child_env,
    endpoints_file,
    port_in_use,
    start_actions,
    start_stack,
    stop,
)
from stack.quiet import without_warnings
from stack.settings import PROJECT_ROOT, SettingError, Settings

LOG_DIR = PROJECT_ROOT / "logs"
# Ctrl-C at a button menu makes Rasa 3.6's shell print a traceback ending in this and stop reading
STARTS_TRACE = re.compile(r"Task exception was never retrieved|Traceback \(most recent call last\)")
ENDS_TRACE = re.compile(r"^[A-Za-z_.]*(Error|Exception|Interrupt)(:|$)")
KNOWN_SHELL_BUG = "'NoneType' object has no attribute 'rfind'"
SHELL_BANNER = """
Lab Career Advisor, in the terminal (rasa shell). Ask what a student would ask, for example:
  how much does a lab tech make?    what does a phlebotomist do?    do I need a license in California?
Answers end with their sources and links. Where the bot offers buttons, pick one with the arrow keys
and Enter, or choose "Type out your own message...". To quit, type /stop or press Ctrl-C.
"""
SHELL_HINT = "\nThe chat stopped at a button menu. Press Ctrl-C again to quit (make shell starts it again).\n"


def problems_before_start(settings: Settings, ports: List[int], web: bool) -> List[str]:
    found = []
    if not MODEL_PATH.is_file():
        found.append(f"There is no trained model at {MODEL_PATH}: run `make train`.")
    if web and not WEB_BUNDLE.is_file():
        found.append("The chat widget is not installed: run `make web`.")
    found += [
        f"Port {p} is already in use (another `make run` or `make shell`?). Stop it first."
        for p in ports
        if port_in_use(p)
    ]
    return found


def run(settings: Settings) -> int:
    problems = problems_before_start(settings, [settings.actions_port, settings.rasa_port, settings.web_port], web=True)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    print(f"Starting the action server, the Rasa server and the chat page (logs in {LOG_DIR.name}/)...", flush=True)
    try:
        with start_stack(settings, MODEL_PATH, LOG_DIR) as running:
            print(
                f"\nLab Career Advisor is running.\n"
                f"  Chat page:    {running.web_url}/   (open it in a browser)\n"
                f"  REST channel: {running.rasa_url}/webhooks/rest/webhook, for example:\n"
                f"    curl -s {running.rasa_url}/webhooks/rest/webhook -H 'Content-Type: application/json' \\\n"
                f'         -d \'{{"sender": "student-1", "message": "how much does a lab tech make?"}}\'\n'
                f"Ctrl-C stops everything.",
                flush=True,
            )
            while True:
                time.sleep(3600)
    except StartError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopped.")
    return 0


def pass_shell_errors(stream: IO[bytes]) -> None:
    """Copy rasa shell's stderr to ours, leaving out third-party warnings and turning the known
    Ctrl-C traceback into a short hint."""
    buffered: List[str] = []
    lines = (raw.decode("utf-8", "replace") for raw in iter(stream.readline, b""))
    for line in without_warnings(lines):
        if not buffered and not STARTS_TRACE.search(line):
            sys.stderr.write(line)
        else:
            buffered.append(line)
            if ENDS_TRACE.match(line):
                sys.stderr.write(SHELL_HINT if KNOWN_SHELL_BUG in line else "".join(buffered))
                buffered = []
        sys.stderr.flush()
    sys.stderr.write("".join(buffered))


def shell(settings: Settings) -> int:
    problems = problems_before_start(settings, [settings.actions_port, settings.rasa_port], web=False)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    print(f"Starting the action server (log in {LOG_DIR.name}/)...", flush=True)
    try:
        with start_actions(settings, LOG_DIR):
            print(SHELL_BANNER, flush=True)
            command = [
                RASA,
                "shell",
                "--model",
                str(MODEL_PATH),
                "--interface",
                "127.0.0.1",
                "--port",
                str(settings.rasa_port),
                "--endpoints",
                str(endpoints_file(settings, LOG_DIR)),
                "--quiet",
            ]
            process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=child_env(settings), stderr=subprocess.PIPE)
            assert process.stderr is not None
            errors = threading.Thread(target=pass_shell_errors, args=(process.stderr,), daemon=True)
            errors.start()
            try:
                process.wait()
            except KeyboardInterrupt:
                stop(process)
            errors.join(timeout=2)
    except StartError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    print("\nStopped.")
    return 0


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m stack", description=__doc__.splitlines()[0])
    parser.add_argument(
        "command", choices=["run", "shell"], help="run: the chat page and REST channel; shell: rasa shell"
    )
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    os.umask(0o077)  # conversations.db and logs/ can hold what students typed: owner-only
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop the servers on `kill` too, as on Ctrl-C
    return run(settings) if args.command == "run" else shell(settings)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
