"""Delete conversations idle for more than N days from the tracker store (`make forget`).

    python scripts/retention.py [--days 30] [--db-url sqlite:///conversations.db]

A conversation is deleted whole when its latest event is older than N days; conversations with any
newer event are kept whole. Defaults: LAB_ADVISOR_RETENTION_DAYS and LAB_ADVISOR_DB_URL (stack/settings.py). Works on
the SQLite file of a single server and on the shared PostgreSQL database alike (Rasa's SQL tracker
store keeps one row per event in the table `events`). Run it daily, from cron or a Kubernetes
CronJob.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import List, Optional

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from stack.settings import current as current_settings

EVENTS_TABLE = "events"  # rasa.core.tracker_store.SQLTrackerStore.SQLEvent
SECONDS_PER_DAY = 86_400


def forget(db_url: str, days: float, now: Optional[float] = None) -> List[str]:
    """Delete every conversation whose latest event is more than `days` days old; their sender ids."""
    cutoff = (time.time() if now is None else now) - days * SECONDS_PER_DAY
    engine = sa.create_engine(db_url)
    try:
        if not sa.inspect(engine).has_table(EVENTS_TABLE):
            return []
        with engine.begin() as connection:
            stale = [
                row[0]
                for row in connection.execute(
                    sa.text(f"SELECT sender_id FROM {EVENTS_TABLE} GROUP BY sender_id HAVING MAX(timestamp) < :cutoff"),
                    {"cutoff": cutoff},
                )
            ]
            delete = sa.text(f"DELETE FROM {EVENTS_TABLE} WHERE sender_id IN :ids").bindparams(
                sa.bindparam("ids", expanding=True)
            )
            for start in range(0, len(stale), 500):
                connection.execute(delete, {"ids": stale[start : start + 500]})
        return stale
    finally:
        engine.dispose()


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    settings = current_settings()
    parser.add_argument("--days", type=float, default=settings.retention_days)
    parser.add_argument("--db-url", default=settings.db_url)
    args = parser.parse_args(argv)
    if args.days < 0:
        parser.error("--days must be 0 or more")
    deleted = forget(args.db_url, args.days)
    print(f"Deleted {len(deleted)} conversation(s) idle for more than {args.days:g} days.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
