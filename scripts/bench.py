"""Benchmark Lab Career Advisor and print the figures (`make bench`); a command, never a test.

    python scripts/bench.py [--turns 200] [--users 20] [--turns-per-user 25] [--write BENCHMARKS.md]

Measures, on this machine, with the real action server and Rasa server on loopback:
- training time from scratch (`rasa train --force`, into a temporary directory);
- cold start: from starting both servers to the first answer over REST;
- per-turn latency over REST (Rasa server + action server) with 1 user, and with N concurrent
  users each holding its own conversation: p50/p95/p99, throughput in turns per second, errors;
- resident memory (RSS, and its peak) of the Rasa server and the action server after the load;
- one long conversation (a flat turn): the median turn of turns 1-50 against turns 251-300, and
  whether a 1,000-turn conversation still answers every turn;
- what question-level answers (bot.asking) add to a turn in the action server, in process: the
  time to answer each real question (bot/knowledge/real_questions.yml) at question level minus the
  time to give its topic's overview, and of that, the sentence encoding alone.
Questions come from the end-to-end check (tests/e2e/questions.yml), so turns exercise NLU, rules,
the custom actions and the knowledge file. `--write` also records the figures in a Markdown file.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import uuid
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import Dict, List, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot import Question, answer, load_knowledge
from bot.asking import answer_question
from bot.matching import FactIndex
from bot.sentence_encoder import DEFAULT_CACHE_DIR, shared_encoder
from scripts.e2e_check import load_items
from scripts.loadgen import THINK_SECONDS, capacity, closed_loop, percentile, timed_turn
from scripts.peer import answered_anything, stock_rasa
from scripts.real_questions import load as real_questions
from stack.launcher import (
    MODEL_PATH,
    PROJECT_ROOT,
    RASA,
    actions_command,
    background,
    child_env,
    rasa_command,
    say,
    start_rasa_servers,
    throwaway_settings,
)
from stack.services import INITDB, REDIS_SERVER, postgres_server, redis_server
from stack.settings import Settings

# The goals (issues 13 and 14): at most, or (">=") at least. Memory and cold start may not regress
# by more than 10% from the figures before the ONNX encoder and sessions (BENCHMARKS.md).
TARGETS: Dict[str, Tuple[str, float]] = {
    "long conversation, turns 251-300 / turns 1-50": ("<=", 1.3),
    "question-level ranking, added per turn, median (ms)": ("<=", 5),
    "of which encoding the question, median (ms)": ("<=", 4),
    "1 user, median turn (ms)": ("<=", 20),
    "p95 at 20 users (ms)": ("<=", 150),
    "turns/s at 20 users, this assistant / stock Rasa": (">=", 2.5),
    "students served, one Rasa server": (">=", 600),
    "cold start (s)": ("<=", 4.7 * 1.1),
    "training (s)": ("<=", 90),
    "Rasa server memory (MB)": ("<=", 742.6 * 1.1),
    "Rasa server peak memory (MB)": ("<=", 757.6 * 1.1),
    "action server memory (MB)": ("<=", 294.5 * 1.1),
}


def questions() -> List[str]:
    return [turn.say for item in load_items() for turn in item.turns]


def memory_mb(pid: int) -> Tuple[float, float]:
    """Resident memory now and its peak, in MB, from /proc."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def train_from_scratch() -> float:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        subprocess.run(
            [RASA, "train", "--force", "--out", out, "--fixed-model-name", "bench"],
            cwd=PROJECT_ROOT,
            env=child_env(Settings.from_env({})),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return time.perf_counter() - start


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    memory_kb = int(
        next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    )
    system = f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    return f"{os.cpu_count()} cores ({cpu}), {memory_kb / 1024 / 1024:.0f} GiB RAM, {system}"


def ranking_cost(repeats: int = 3) -> Dict[str, float]:
    """Median and p95 ms that question-level answers add to a turn, and the encoding's median."""
    kb = load_knowledge()
    index = FactIndex(kb, shared_encoder(), cache_dir=DEFAULT_CACHE_DIR)
    added: List[float] = []
    encoding: List[float] = []
    for item in real_questions() * repeats:
        question, text = Question("certification"), item["question"]
        start = time.perf_counter()
        answer(kb, question)
        overview = time.perf_counter() - start
        start = time.perf_counter()
        answer_question(kb, index, question, text)
        added.append(1000 * (time.perf_counter() - start - overview))
        start = time.perf_counter()
        index.encode(text)
        encoding.append(1000 * (time.perf_counter() - start))
    return {"median": statistics.median(added), "p95": percentile(added, 95), "encoding": statistics.median(encoding)}


def long_conversation(rasa_url: str, messages: List[str], turns: int) -> List[Tuple[float, bool]]:
    """One student's conversation of `turns` turns, as fast as the replies come."""
    sender = f"bench-long-{uuid.uuid4().hex[:8]}"
    return [timed_turn(rasa_url, messages[turn % len(messages)], sender) for turn in range(turns)]


def run(args: argparse.Namespace) -> Dict[str, object]:
    figures: Dict[str, object] = {"machine": machine(), "date": date.today().isoformat()}
    print("Question-level ranking, in process...", flush=True)
    cost = ranking_cost()
    figures["question-level ranking, added per turn, median (ms)"] = cost["median"]
    figures["question-level ranking, added per turn, p95 (ms)"] = cost["p95"]
    figures["of which encoding the question, median (ms)"] = cost["encoding"]
    if args.ranking_only:
        return figures
    if not args.skip_train:
        print("Training from scratch...", flush=True)
        figures["training (s)"] = train_from_scratch()
    messages = questions()
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        workdir = Path(tmp)
        settings = throwaway_settings(workdir, LAB_ADVISOR_RATE_LIMIT="0")  # a load test
        rasa_url, env = f"http://127.0.0.1:{settings.rasa_port}", child_env(settings)
        print("Cold start: both servers, until the first answer...", flush=True)
        start = time.perf_counter()
        actions = stack.enter_context(background(actions_command(settings), workdir / "actions.log", env))
        rasa = stack.enter_context(background(rasa_command(settings, MODEL_PATH, workdir), workdir / "rasa.log", env))
        while True:
            if rasa.poll() is not None or actions.poll() is not None:
                raise SystemExit(f"a server exited during start; see its log in {workdir}")
            try:
                if "$" in json.dumps(say(rasa_url, "how much does a lab tech make?", "bench-cold")):
                    break
            except (urllib.error.URLError, OSError, ValueError):
                pass
            time.sleep(0.1)
        figures["cold start (s)"] = time.perf_counter() - start
        for message in messages[:20]:  # warm-up, not measured
            timed_turn(rasa_url, message, "bench-warm-up")
        print(f"1 user, {args.turns} turns...", flush=True)
        figures["1 user"] = closed_loop(rasa_url, 1, args.turns, messages)
        single = figures["1 user"]
        assert isinstance(single, dict)
        figures["1 user, median turn (ms)"] = single["p50"]
        print(f"{args.users} users, {args.turns_per_user} turns each...", flush=True)
        figures[f"{args.users} users"] = closed_loop(rasa_url, args.users, args.turns_per_user, messages)
        print(f"One conversation of {args.long_turns} turns...", flush=True)
        long = long_conversation(rasa_url, messages, args.long_turns)
        first, later = [ms for ms, _ in long[:50]], [ms for ms, _ in long[250:300]]
        figures["long conversation, turns 1-50, median (ms)"] = statistics.median(first)
        if later:
            figures["long conversation, turns 251-300, median (ms)"] = statistics.median(later)
            ratio = statistics.median(later) / statistics.median(first)
            figures["long conversation, turns 251-300 / turns 1-50"] = ratio
        figures[f"long conversation, turns of {args.long_turns} not answered"] = float(sum(not ok for _, ok in long))
        rasa_now, rasa_peak = memory_mb(rasa.pid)
        actions_now, actions_peak = memory_mb(actions.pid)
        figures["Rasa server memory (MB)"] = rasa_now
        figures["Rasa server peak memory (MB)"] = rasa_peak
        figures["action server memory (MB)"] = actions_now
        figures["action server peak memory (MB)"] = actions_peak
        users_run = figures[f"{args.users} users"]
        assert isinstance(users_run, dict)
        figures[f"p95 at {args.users} users (ms)"] = users_run["p95"]
        if not args.skip_capacity:
            print(
                f"Capacity, one Rasa server: open loop, a message every {THINK_SECONDS:.0f} s per student...",
                flush=True,
            )
            served, _ = capacity([rasa_url], messages, CAPACITY_P95_MS, args.capacity_seconds, log=print)
            figures["students served, one Rasa server"] = float(served)
    if not args.skip_peer:
        figures.update(peer_figures(args, messages, users_run))
    if not args.skip_capacity:
        figures.update(scale_out_capacity(args, messages))
    return figures


CAPACITY_P95_MS = 500.0


def peer_figures(args: argparse.Namespace, messages: List[str], ours: Dict[str, float]) -> Dict[str, object]:
    """A stock `rasa init` bot under the same closed loop as this assistant, in the same run."""
    print("Stock Rasa (`rasa init`): training, then the same load...", flush=True)
    with tempfile.TemporaryDirectory() as tmp, stock_rasa(Path(tmp)) as (url, process, trained):
        for message in messages[:20]:
            timed_turn(url, message, "bench-warm-up", answered_anything)
        stock = closed_loop(url, args.users, args.turns_per_user, messages, answered_anything)
        stock_memory, _ = memory_mb(process.pid)
    return {
        f"stock Rasa, {args.users} users": stock,
        "stock Rasa training (s)": trained,
        "stock Rasa server memory (MB)": stock_memory,
        f"turns/s at {args.users} users, this assistant / stock Rasa": ours["throughput"] / stock["throughput"],
    }


def scale_out_capacity(args: argparse.Namespace, messages: List[str]) -> Dict[str, object]:
    """Open-loop capacity of the scaled-out deployment: two Rasa servers sharing PostgreSQL (tracker
    store) and Redis (lock store), one action server; skipped, saying why, without the services."""
    if INITDB is None or REDIS_SERVER is None:
        print("Skipping two Rasa servers on PostgreSQL + Redis: run `make services` first.", flush=True)
        return {}
    print("Capacity, two Rasa servers on PostgreSQL + Redis...", flush=True)
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        workdir = Path(tmp)
        db_url = stack.enter_context(postgres_server())
        redis_port = stack.enter_context(redis_server(workdir))
        shared = {
            "LAB_ADVISOR_RATE_LIMIT": "0",
            "LAB_ADVISOR_DB_URL": db_url,
            "LAB_ADVISOR_LOCK_STORE": "redis",
            "LAB_ADVISOR_REDIS_HOST": "127.0.0.1",
            "LAB_ADVISOR_REDIS_PORT": str(redis_port),
        }
        first = throwaway_settings(workdir, **shared)
        second = throwaway_settings(workdir, **shared, LAB_ADVISOR_ACTIONS_URL=first.actions_url)
        stack.enter_context(background(actions_command(first), workdir / "actions.log", child_env(first)))
        urls = stack.enter_context(start_rasa_servers([first, second], MODEL_PATH, workdir, ["rasa-a", "rasa-b"]))
        for url in urls:
            for message in messages[:20]:
                timed_turn(url, message, "bench-warm-up")
        served, _ = capacity(urls, messages, CAPACITY_P95_MS, args.capacity_seconds, log=print)
    return {"students served, two Rasa servers on PostgreSQL + Redis": float(served)}


def report(figures: Dict[str, object], args: argparse.Namespace) -> str:
    lines = [f"Machine: {figures['machine']}; {figures['date']}", ""]
    loads = [n for n in ("1 user", f"{args.users} users", f"stock Rasa, {args.users} users") if n in figures]
    if loads:
        lines += ["| Load | turns | errors | p50 ms | p95 ms | p99 ms | turns/s |", "|---|---|---|---|---|---|---|"]
    for name in loads:
        r = figures[name]
        assert isinstance(r, dict)
        lines.append(
            f"| {name} | {r['turns']:.0f} | {r['errors']:.0f} | {r['p50']:.0f} | {r['p95']:.0f} | {r['p99']:.0f} "
            f"| {r['throughput']:.1f} |"
        )
    lines += ["", "| Figure | measured | target |", "|---|---|---|"]
    for name in (
        "question-level ranking, added per turn, median (ms)",
        "question-level ranking, added per turn, p95 (ms)",
        "of which encoding the question, median (ms)",
        "1 user, median turn (ms)",
        f"turns/s at {args.users} users, this assistant / stock Rasa",
        "students served, one Rasa server",
        "students served, two Rasa servers on PostgreSQL + Redis",
        "long conversation, turns 1-50, median (ms)",
        "long conversation, turns 251-300, median (ms)",
        "long conversation, turns 251-300 / turns 1-50",
        f"long conversation, turns of {args.long_turns} not answered",
        "training (s)",
        "cold start (s)",
        f"p95 at {args.users} users (ms)",
        "Rasa server memory (MB)",
        "Rasa server peak memory (MB)",
        "action server memory (MB)",
        "action server peak memory (MB)",
        "stock Rasa server memory (MB)",
        "stock Rasa training (s)",
    ):
        if name in figures:
            value = figures[name]
            assert isinstance(value, float)
            goal = TARGETS.get(name.replace(f"{args.users} users", "20 users"))
            verdict = ""
            if goal is not None:
                op, target = goal
                met = value >= target if op == ">=" else value <= target
                verdict = f"{op} {target:.4g} ({'met' if met else 'MISSED'})"
            shown = f"{value:.2f}" if value < 10 else f"{value:.1f}"
            lines.append(f"| {name} | {shown} | {verdict} |")
    return "\n".join(lines)


SECTION = "## Current figures"


def write_figures(path: Path, text: str) -> None:
    """Replace the "Current figures" section of `path` (the rest is written by hand), or create it."""
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n" + SECTION + "\n"
    head, found, rest = old.partition(SECTION)
    if not found:
        head, rest = old.rstrip() + "\n\n", ""
    tail = rest[rest.find("\n## ") :] if "\n## " in rest else "\n"
    path.write_text(f"{head}{SECTION}\n\n{text}\n{tail}", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=200, help="turns for the 1-user run")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--turns-per-user", type=int, default=25)
    parser.add_argument("--skip-train", action="store_true", help="skip the training-time figure")
    parser.add_argument("--write", type=Path, help="also write the figures into this Markdown file")
    parser.add_argument("--long-turns", type=int, default=1000, help="turns of the one long conversation")
    parser.add_argument("--ranking-only", action="store_true", help="only the in-process question-level ranking")
    parser.add_argument("--skip-peer", action="store_true", help="skip training and loading a stock `rasa init` bot")
    parser.add_argument("--skip-capacity", action="store_true", help="skip the open-loop capacity runs")
    parser.add_argument("--capacity-seconds", type=float, default=45, help="length of each open-loop run")
    args = parser.parse_args()
    if not MODEL_PATH.exists():
        raise SystemExit(f"No model at {MODEL_PATH}: run `make train` first.")
    figures = run(args)
    text = report(figures, args)
    print("\n" + text)
    if args.write:
        write_figures(args.write, text)
        print(f"\nWrote the figures into {args.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
