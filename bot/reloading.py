"""The knowledge file, reloaded when it changes on disk, with the last good version kept.

An editor can fix a fact while the assistant runs: the next question after the file changes is
answered from the new file. If the new file is invalid, the last good version keeps serving and
the validation error (file, entry, field) is logged once for that version of the file.

    knowledge = ReloadingKnowledge(path)   # raises KnowledgeFileError if the file is invalid now
    kb = knowledge.current()               # a KnowledgeBase; cheap to call per question
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Optional, Tuple, Union

from bot.knowledge_base import KnowledgeBase
from bot.loader import KnowledgeFileError, load_knowledge

logger = logging.getLogger(__name__)

Stamp = Tuple[int, int, int]  # modification time (ns), size, inode: any change means "read again"


class ReloadingKnowledge:
    def __init__(self, path: Union[str, Path]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._stamp = self._read_stamp()
        self._knowledge = load_knowledge(self.path)  # an invalid file at start is an error
        self._rejected: Optional[Stamp] = None  # the invalid version last logged

    def current(self) -> KnowledgeBase:
        """The knowledge base, first reloading the file if it changed since it was last read."""
        stamp = self._read_stamp()
        if stamp != self._stamp and stamp != self._rejected:
            with self._lock:
                if stamp != self._stamp and stamp != self._rejected:
                    self._reload(stamp)
        return self._knowledge

    def _reload(self, stamp: Stamp) -> None:
        try:
            knowledge = load_knowledge(self.path)
        except KnowledgeFileError as error:
            self._rejected = stamp
            logger.error("Kept the last good knowledge file; the edited one is invalid. %s", error)
            return
        self._knowledge, self._stamp, self._rejected = knowledge, stamp, None
        logger.info("Reloaded knowledge file %s: %s", self.path, knowledge.summary())

    def _read_stamp(self) -> Stamp:
        try:
            status = os.stat(self.path)
        except OSError:
            return (0, 0, 0)  # missing for a moment (an editor saving by rename): judged on reload
        return (status.st_mtime_ns, status.st_size, status.st_ino)
